//! Typed wrappers over the Tauri shell's commands and events (`app.withGlobalTauri` exposes
//! `window.__TAURI__`). Argument and result types come from `fieldstone-protocol` /
//! `fieldstone-model`, shared with the shell, so the two sides cannot drift apart.

use fieldstone_model::{Lead, LeadInput};
use fieldstone_protocol::commands::{
    CommandError, CommandErrorCode, SyncStatus, SYNC_STATUS_EVENT,
};
use js_sys::Promise;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

// `catch` on a plain (not `async`) import: a missing `window.__TAURI__` throws synchronously,
// which an `async` import does not turn into an `Err` (its future then fails on `undefined.then`
// and the calling task dies). A rejected promise still arrives as `Err` through `JsFuture`.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
    fn invoke(cmd: &str, args: JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], catch)]
    fn listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>) -> Result<Promise, JsValue>;
}

/// Commands without parameters still take an (empty) argument object.
#[derive(Serialize)]
struct NoArgs {}

/// Arguments are keyed by the Rust parameter name (camelCase) of the shell's command.
#[derive(Serialize)]
struct CreateLeadArgs<'a> {
    input: &'a LeadInput,
}

/// What `listen` hands the handler: `{ event, id, payload }`.
#[derive(Deserialize)]
struct EventEnvelope<T> {
    payload: T,
}

pub async fn create_lead(input: &LeadInput) -> Result<Lead, CommandError> {
    call("create_lead", &CreateLeadArgs { input }).await
}

pub async fn list_leads() -> Result<Vec<Lead>, CommandError> {
    call("list_leads", &NoArgs {}).await
}

pub async fn sync_status() -> Result<SyncStatus, CommandError> {
    call("sync_status", &NoArgs {}).await
}

/// Calls `handler` with every [`SyncStatus`] the shell emits, for the rest of the app's life.
pub async fn on_sync_status(
    mut handler: impl FnMut(SyncStatus) + 'static,
) -> Result<(), CommandError> {
    let closure = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        match serde_wasm_bindgen::from_value::<EventEnvelope<SyncStatus>>(event) {
            Ok(envelope) => handler(envelope.payload),
            Err(error) => web_sys::console::error_1(
                &format!("Fieldstone: unreadable {SYNC_STATUS_EVENT} event: {error}").into(),
            ),
        }
    });
    settle(listen(SYNC_STATUS_EVENT, &closure))
        .await
        .map_err(command_error)?;
    // The subscription lasts as long as the page, so the handler must too.
    closure.forget();
    Ok(())
}

async fn call<A: Serialize, R: DeserializeOwned>(cmd: &str, args: &A) -> Result<R, CommandError> {
    // `json_compatible` turns maps and structs into plain objects, which is what Tauri expects.
    let args = args
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| internal(format!("Could not prepare the {cmd} request: {error}")))?;
    let value = settle(invoke(cmd, args)).await.map_err(command_error)?;
    serde_wasm_bindgen::from_value(value).map_err(|error| {
        internal(format!(
            "The app answered {cmd} in a form this screen cannot read: {error}"
        ))
    })
}

/// The promise's value, or what it was rejected with (or what the call threw).
async fn settle(call: Result<Promise, JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(call?).await
}

/// A rejected command carries a [`CommandError`]; anything else (Tauri's own failures, a
/// missing `window.__TAURI__`) becomes an internal error with the best text available.
fn command_error(value: JsValue) -> CommandError {
    if let Ok(error) = serde_wasm_bindgen::from_value::<CommandError>(value.clone()) {
        return error;
    }
    let message = value
        .as_string()
        .or_else(|| {
            value
                .dyn_ref::<js_sys::Error>()
                .map(|error| String::from(error.message()))
        })
        .unwrap_or_else(|| format!("{value:?}"));
    internal(message)
}

fn internal(message: String) -> CommandError {
    CommandError {
        code: CommandErrorCode::Internal,
        message,
        fields: Vec::new(),
    }
}
