//! Runs zhost by hand: `cargo run -p zhost --example serve -- [port] [world] [app_dir] [sdk]`.
//! (`cargo xtask demo` is the real entry point.)

fn main() {
    let mut args = std::env::args().skip(1);
    let port = args.next().and_then(|p| p.parse().ok()).unwrap_or(8080);
    let world_path = args
        .next()
        .unwrap_or_else(|| "worlds/demo.json".into())
        .into();
    let app_dir = args.next().unwrap_or_else(|| "target/app".into()).into();
    let sdk_path = args
        .next()
        .unwrap_or_else(|| "target/zaf/zaf_sdk.js".into())
        .into();
    match zhost::serve(zhost::Config {
        port,
        world_path,
        app_dir,
        sdk_path,
    }) {
        Ok(server) => {
            println!("zhost: http://127.0.0.1:{}/", server.port());
            server.wait();
        }
        Err(e) => {
            eprintln!("zhost: {e}");
            std::process::exit(1);
        }
    }
}
