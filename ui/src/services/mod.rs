//! Calls out of the webview. Only the shell's commands for now.

pub mod tauri;
