//! Fieldstone's user interface: a Yew app running in the Tauri webview.
//!
//! - [`route`]: which screen is shown (kept in the `#hash`);
//! - [`state`]: each screen's state as a pure reducer (unit-tested on the host);
//! - [`components`]: presentational components (render-to-string tested on the host);
//! - [`pages`]: the screens, wiring reducers to the shell's commands;
//! - [`hooks`]: the frame's context and shared effects;
//! - [`services`]: the shell's commands and the webview's facilities (inert off the webview).

pub mod app;
pub mod components;
pub mod hooks;
pub mod pages;
pub mod route;
pub mod services;
pub mod state;

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
