//! Hooks shared by the screens: the app frame's context (screen, sync, shortcuts) and running
//! shell commands from effects.

mod photo;
mod shell;

pub use photo::{use_photo, PhotoSrc};
pub use shell::{use_page_request, use_remote_revision, use_shell, ShellContext};
