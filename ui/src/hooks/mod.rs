//! Hooks shared by the screens: the app frame's context (screen, sync, shortcuts) and running
//! shell commands from effects.

mod command;
mod locale;
mod photo;
mod shell;

pub use command::{dispatch_outcome, run_command, use_command, use_submit, Outcome};
pub use locale::{use_locale_changes, LocaleContext};
pub use photo::{use_photo, PhotoSrc};
pub use shell::{use_page_request, use_remote_revision, use_shell, ShellContext};
