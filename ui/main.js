import init from './fieldstone_ui.js';

// The wasm's URL is given explicitly: wasm-bindgen's glue may be generated without a default
// module path (wasm-bindgen-cli-support omits it unless told otherwise).
init({ module_or_path: new URL('./fieldstone_ui_bg.wasm', import.meta.url) });
