//! The one table of commands (`fieldstone_protocol::app_commands!`) served in process:
//! [`Api::dispatch`] runs a command by name with a JSON request, as a front end without Tauri
//! (or a test) would send it. Expanding the table here also means a plain `cargo test` checks
//! that every command in it has an API method taking its request and answering its response;
//! the Tauri shell, which needs the built UI, is not in a plain `cargo test`.
//!
//! [`answer!`](crate::answer) is how a transport calls a method: API methods keep the shape
//! that suits their callers (`sync_status()` is a plain getter, `today` is `async` and may
//! fail), and every transport needs one shape, `Result<Response, CommandError>`.

use crate::Api;
use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// `api.method(request)` as an `async` `Result<Response, CommandError>`, whether the method is
/// `async` or not and fallible or not. Use inside an `async` block or function.
#[macro_export]
macro_rules! answer {
    ($call:expr) => {{
        #[allow(unused_imports)]
        use $crate::dispatch::adapt::{
            Fallible as _, Immediate as _, Infallible as _, Pending as _,
        };
        let out = $call;
        // Each probe in a statement of its own: none is held across the `.await`, so the
        // future stays `Send` whatever the method's future is.
        let when = (&$crate::dispatch::adapt::Probe::of(&out)).when();
        let out = when.lift(out).await;
        let shape = (&$crate::dispatch::adapt::Probe::of(&out)).shape();
        shape.into_result(out)
    }};
}

/// The machinery of [`answer!`](crate::answer): autoref specialisation, the way Tauri's own
/// `#[command]` accepts both `T` and `Result<T, E>`. A method call on `&Probe<T>` picks the
/// impl on `Probe<T>` when its bound holds, else the one on `&Probe<T>` (one more autoref).
#[doc(hidden)]
pub mod adapt {
    use fieldstone_protocol::commands::CommandError;
    use std::future::{ready, Future, Ready};
    use std::marker::PhantomData;

    /// Stands for a value's type without holding it.
    pub struct Probe<T>(PhantomData<T>);

    impl<T> Probe<T> {
        pub fn of(_: &T) -> Self {
            Probe(PhantomData)
        }
    }

    /// An `async` method's future: awaited as it is.
    pub struct Later;
    /// A plain method's value: made ready to await.
    pub struct Now;

    pub trait Pending {
        fn when(&self) -> Later {
            Later
        }
    }
    impl<F: Future> Pending for Probe<F> {}

    pub trait Immediate {
        fn when(&self) -> Now {
            Now
        }
    }
    impl<T> Immediate for &Probe<T> {}

    impl Later {
        pub fn lift<F: Future>(self, future: F) -> F {
            future
        }
    }

    impl Now {
        pub fn lift<T>(self, value: T) -> Ready<T> {
            ready(value)
        }
    }

    /// A method that may fail: its result as it is.
    pub struct AsIs;
    /// A method that cannot fail: its value is the answer.
    pub struct Always;

    pub trait Fallible {
        fn shape(&self) -> AsIs {
            AsIs
        }
    }
    impl<T> Fallible for Probe<Result<T, CommandError>> {}

    pub trait Infallible {
        fn shape(&self) -> Always {
            Always
        }
    }
    impl<T> Infallible for &Probe<T> {}

    impl AsIs {
        pub fn into_result<T>(self, result: Result<T, CommandError>) -> Result<T, CommandError> {
            result
        }
    }

    impl Always {
        pub fn into_result<T>(self, value: T) -> Result<T, CommandError> {
            Ok(value)
        }
    }
}

fn decode<T: DeserializeOwned>(
    command: &str,
    request: serde_json::Value,
) -> Result<T, CommandError> {
    serde_json::from_value(request).map_err(|e| {
        CommandError::invalid(
            "request",
            format!("The {command} request cannot be read: {e}."),
        )
    })
}

fn encode<T: Serialize>(command: &str, response: T) -> Result<serde_json::Value, CommandError> {
    serde_json::to_value(response).map_err(|e| {
        CommandError::new(
            CommandErrorCode::Internal,
            format!("The {command} answer cannot be written: {e}."),
        )
    })
}

macro_rules! dispatch {
    ($( $(#[$meta:meta])* $name:ident($($request:ty)?) -> $response:ty; )+) => {
        impl Api {
            /// Runs command `name` with `request` (its request as JSON, what the UI sends as
            /// `request`; ignored by commands without one) and answers its response as JSON.
            pub async fn dispatch(
                &self,
                name: &str,
                request: serde_json::Value,
            ) -> Result<serde_json::Value, CommandError> {
                let api = self;
                match name {
                    $( stringify!($name) => {
                        dispatch!(@call api, $name, request, ($($request)?) -> $response)
                    } )+
                    _ => Err(CommandError::new(
                        CommandErrorCode::NotFound,
                        format!("This app has no command called {name:?}."),
                    )),
                }
            }
        }
    };
    // The types are spelled out so the method must take the table's request and answer its
    // response, not merely something that serialises.
    (@call $api:ident, $name:ident, $json:ident, () -> $response:ty) => {{
        let _ = $json;
        let response: $response = $crate::answer!($api.$name())?;
        encode(stringify!($name), response)
    }};
    (@call $api:ident, $name:ident, $json:ident, ($request:ty) -> $response:ty) => {{
        let request: $request = decode(stringify!($name), $json)?;
        let response: $response = $crate::answer!($api.$name(request))?;
        encode(stringify!($name), response)
    }};
}

use fieldstone_protocol::table::types::*;
fieldstone_protocol::app_commands!(dispatch);
