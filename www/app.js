// Bootstrap: load the wasm module (wasm-bindgen `--target web` glue), then start the app with
// a loader for the agent's strings: `i18n/<locale>.json` beside this file, or null on failure
// (the app then stays in English, which is compiled in).
import init, { run } from './ase_emergency_assist.js';

const loadStrings = (locale) =>
  fetch(new URL(`i18n/${locale}.json`, import.meta.url)).then((r) => (r.ok ? r.json() : null));

init().then(() => run(loadStrings), (error) => console.error('ase-emergency-assist: wasm failed to load', error));
