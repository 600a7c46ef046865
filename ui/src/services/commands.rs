//! Typed calls of the shell's commands, one per entry of the table of commands
//! (`fieldstone_protocol::app_commands!`), which the shell's wrappers and permissions come
//! from too: a call here cannot name a command the shell does not have, nor send it another
//! request or expect another answer. Every command takes at most one argument, named
//! `request`. Below them, the shell's events.

use super::bridge::{call, listen, Subscription};
use fieldstone_protocol::commands::{IMPORT_PROGRESS_EVENT, SYNC_STATUS_EVENT};
use fieldstone_protocol::table::types::*;
use serde::Serialize;

/// Commands without a request still take an (empty) argument object.
#[derive(Serialize)]
struct NoArgs {}

#[derive(Serialize)]
struct Request<'a, T> {
    request: &'a T,
}

/// `name(&Request) -> Response` or `name() -> Response`, calling the command of that name.
macro_rules! commands {
    ($( $(#[$meta:meta])* $name:ident($($request:ty)?) -> $response:ty; )+) => {
        $( commands!(@one $(#[$meta])* $name($($request)?) -> $response); )+
    };
    (@one $(#[$meta:meta])* $name:ident() -> $response:ty) => {
        $(#[$meta])*
        pub async fn $name() -> Result<$response, CommandError> {
            call(stringify!($name), &NoArgs {}).await
        }
    };
    (@one $(#[$meta:meta])* $name:ident($request:ty) -> $response:ty) => {
        $(#[$meta])*
        pub async fn $name(request: &$request) -> Result<$response, CommandError> {
            call(stringify!($name), &Request { request }).await
        }
    };
}

fieldstone_protocol::app_commands!(commands);

/// Calls `handler` with every [`SyncStatus`] the shell emits, until the subscription is dropped.
pub async fn on_sync_status(
    handler: impl FnMut(SyncStatus) + 'static,
) -> Result<Subscription, CommandError> {
    listen(SYNC_STATUS_EVENT, handler).await
}

/// Calls `handler` with the progress of every import batch, until the subscription is dropped.
pub async fn on_import_progress(
    handler: impl FnMut(ImportProgressEvent) + 'static,
) -> Result<Subscription, CommandError> {
    listen(IMPORT_PROGRESS_EVENT, handler).await
}
