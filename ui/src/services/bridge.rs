//! The bridge to the Tauri shell (`app.withGlobalTauri` exposes `window.__TAURI__`): invoke a
//! command, listen to an event. Off the webview (host tests) every call fails with a clear
//! error, so screens compile and render everywhere and only the webview talks to the shell.

use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
#[cfg(not(target_arch = "wasm32"))]
use serde::{de::DeserializeOwned, Serialize};

#[cfg(target_arch = "wasm32")]
pub use webview::{call, listen, Subscription};

/// Stops listening when dropped (nothing to stop off the webview).
#[cfg(not(target_arch = "wasm32"))]
pub struct Subscription;

#[cfg(not(target_arch = "wasm32"))]
impl Drop for Subscription {
    fn drop(&mut self) {}
}

#[cfg(not(target_arch = "wasm32"))]
pub async fn call<A: Serialize, R: DeserializeOwned>(
    cmd: &str,
    _args: &A,
) -> Result<R, CommandError> {
    Err(internal(format!(
        "{cmd}: not running inside the app window"
    )))
}

#[cfg(not(target_arch = "wasm32"))]
pub async fn listen<T: DeserializeOwned + 'static>(
    event: &str,
    _handler: impl FnMut(T) + 'static,
) -> Result<Subscription, CommandError> {
    Err(internal(format!(
        "{event}: not running inside the app window"
    )))
}

pub(crate) fn internal(message: String) -> CommandError {
    CommandError::new(CommandErrorCode::Internal, message)
}

#[cfg(target_arch = "wasm32")]
mod webview {
    use super::internal;
    use fieldstone_protocol::commands::CommandError;
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

        #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
        fn tauri_listen(
            event: &str,
            handler: &Closure<dyn FnMut(JsValue)>,
        ) -> Result<Promise, JsValue>;
    }

    /// What `listen` hands the handler: `{ event, id, payload }`.
    #[derive(Deserialize)]
    struct EventEnvelope<T> {
        payload: T,
    }

    /// Stops listening when dropped.
    pub struct Subscription {
        unlisten: Option<js_sys::Function>,
        _handler: Closure<dyn FnMut(JsValue)>,
    }

    impl Drop for Subscription {
        fn drop(&mut self) {
            if let Some(unlisten) = &self.unlisten {
                // The window may be closing; an unlisten that fails has nothing left to stop.
                let _ = unlisten.call0(&JsValue::NULL);
            }
        }
    }

    /// Calls `handler` with the payload of every `event` the shell emits, until the returned
    /// subscription is dropped.
    pub async fn listen<T: DeserializeOwned + 'static>(
        event: &str,
        mut handler: impl FnMut(T) + 'static,
    ) -> Result<Subscription, CommandError> {
        let name = event.to_owned();
        let closure = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            match serde_wasm_bindgen::from_value::<EventEnvelope<T>>(event) {
                Ok(envelope) => handler(envelope.payload),
                Err(error) => web_sys::console::error_1(
                    &format!("Fieldstone: unreadable {name} event: {error}").into(),
                ),
            }
        });
        let unlisten = settle(tauri_listen(event, &closure))
            .await
            .map_err(command_error)?;
        Ok(Subscription {
            unlisten: unlisten.dyn_into::<js_sys::Function>().ok(),
            _handler: closure,
        })
    }

    pub async fn call<A: Serialize, R: DeserializeOwned>(
        cmd: &str,
        args: &A,
    ) -> Result<R, CommandError> {
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
}
