//! Fieldstone's user interface: a Yew app running in the Tauri webview.
//!
//! - [`state`]: the screen's state as a pure reducer (unit-tested on the host);
//! - [`components`]: presentational components (render-to-string tested on the host);
//! - `services` and `app` (wasm32 only): the shell's commands and the component wiring them up.

pub mod components;
pub mod state;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod services;

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
