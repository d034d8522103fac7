// Bootstrap: load the wasm module (wasm-bindgen `--target web` glue), then start the app.
import init, { run } from './ase_emergency_assist.js';

init().then(run, (error) => console.error('ase-emergency-assist: wasm failed to load', error));
