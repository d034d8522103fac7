// Bootstrap: load the wasm module (wasm-bindgen `--target web` glue), then start the app with
// a loader for the agent's strings: `i18n/<locale>.json` beside this file, or null when it fails
// or takes longer than STRINGS_WAIT_MS (the app then stays in English, which is compiled in, so
// a slow file never keeps the sidebar on "Loading…").
import init, { run } from './ase_emergency_assist.js';

const STRINGS_WAIT_MS = 3000;

const loadStrings = (locale) =>
  Promise.race([
    fetch(new URL(`i18n/${locale}.json`, import.meta.url)).then((r) => (r.ok ? r.json() : null)),
    new Promise((resolve) => setTimeout(() => resolve(null), STRINGS_WAIT_MS)),
  ]);

init().then(() => run(loadStrings), (error) => console.error('ase-emergency-assist: wasm failed to load', error));
