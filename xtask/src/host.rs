//! Starting the local Zendesk host (`zhost`) in-process on the built app, for `demo`, the
//! end-to-end tests and the README screenshot.

use crate::build::Paths;
use crate::command::Error;
use std::path::PathBuf;

/// Starts zhost on `127.0.0.1:port` (0 = any free port) serving `target/app/` and the world.
pub fn start(paths: &Paths, port: u16, world: PathBuf) -> Result<zhost::Server, Error> {
    if !world.is_file() {
        return Err(Error::Usage(format!(
            "world file {} does not exist",
            world.display()
        )));
    }
    zhost::serve(zhost::Config {
        port,
        world_path: world,
        app_dir: paths.app_dir.clone(),
        sdk_path: paths.sdk.clone(),
    })
    .map_err(|e| Error::Host(format!("cannot start the local Zendesk host: {e}")))
}

/// The default demo and test world.
pub fn demo_world(paths: &Paths) -> PathBuf {
    paths.root.join("worlds").join("demo.json")
}

/// The URL of the host pages of a running server.
pub fn url(server: &zhost::Server) -> String {
    format!("http://127.0.0.1:{}", server.port())
}
