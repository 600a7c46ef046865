//! Everything outside the Yew tree: the shell's commands and events (`bridge`, `commands`) and
//! the webview's own facilities (`platform`: location hash, keyboard, clock, files). Each has a
//! host fallback, so screens compile and render in host tests; only the webview does I/O.

pub mod bridge;
pub mod commands;
pub mod files;
pub mod opener;
pub mod platform;
