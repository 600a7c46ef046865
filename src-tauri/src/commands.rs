//! The Tauri commands: one per entry of the table of commands
//! (`fieldstone_protocol::app_commands!`, where each command's request and response are
//! listed), each a one-line call of the app API method of the same name, and the handler that
//! routes the window's calls to them. Nothing here is written per command.
//!
//! Remote changes: no event per record; `SyncStatus::remote_revision` grows whenever changes
//! from elsewhere were applied, and the UI reloads what it shows when it does.

use fieldstone_app_api::Api;
use fieldstone_protocol::table::types::*;
use tauri::State;

macro_rules! tauri_commands {
    ($( $(#[$meta:meta])* $name:ident($($request:ty)?) -> $response:ty; )+) => {
        $( tauri_commands!(@one $(#[$meta])* $name($($request)?) -> $response); )+

        /// Routes every command of the table to its wrapper.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),+]
        }
    };
    // Private, so `#[tauri::command]` exports no macro per command from this expansion.
    (@one $(#[$meta:meta])* $name:ident() -> $response:ty) => {
        $(#[$meta])*
        #[tauri::command]
        async fn $name(api: State<'_, Api>) -> Result<$response, CommandError> {
            fieldstone_app_api::answer!(api.$name())
        }
    };
    (@one $(#[$meta:meta])* $name:ident($request:ty) -> $response:ty) => {
        $(#[$meta])*
        #[tauri::command]
        async fn $name(api: State<'_, Api>, request: $request) -> Result<$response, CommandError> {
            fieldstone_app_api::answer!(api.$name(request))
        }
    };
}

fieldstone_protocol::app_commands!(tauri_commands);
