//! Running shell commands from a screen so that no failure can be dropped on the way: the
//! outcome reaches the screen's reducer as an action built from the whole `Result` (so the
//! reducer decides what a failure shows, and its native tests prove it), or, when it goes
//! elsewhere, both arms must be given. There is no helper that takes only the `Ok` arm.

use crate::state::record_form::Submits;
use fieldstone_protocol::commands::CommandError;
use std::future::Future;
use yew::platform::spawn_local;
use yew::prelude::*;

/// What a shell command answers: a value, or the engine's refusal with its message.
pub type Outcome<T> = Result<T, CommandError>;

/// Runs `command` off the render; its outcome goes to `on_ok` or `on_err`, both required.
pub fn run_command<T, Fut, Ok, Err>(command: Fut, on_ok: Ok, on_err: Err)
where
    T: 'static,
    Fut: Future<Output = Outcome<T>> + 'static,
    Ok: FnOnce(T) + 'static,
    Err: FnOnce(CommandError) + 'static,
{
    spawn_local(async move {
        match command.await {
            Ok(value) => on_ok(value),
            Err(error) => on_err(error),
        }
    });
}

/// Runs `command` off the render and dispatches `action(outcome)` to `to`: the action carries
/// the `Result`, so the reducer handles the failure like any other answer.
pub fn dispatch_outcome<R, T, Fut, A>(to: UseReducerDispatcher<R>, command: Fut, action: A)
where
    R: Reducible + 'static,
    T: 'static,
    Fut: Future<Output = Outcome<T>> + 'static,
    A: FnOnce(Outcome<T>) -> R::Action + 'static,
{
    spawn_local(async move { to.dispatch(action(command.await)) });
}

/// Whenever `deps` change, runs the command `make` builds from them (`None`: nothing to run
/// this time) and dispatches `action(deps, outcome)` to `reducer` (the deps say which request
/// the answer is for, so the reducer can drop a stale one).
#[hook]
pub fn use_command<R, D, T, Fut, Make, A>(
    reducer: &UseReducerHandle<R>,
    deps: D,
    make: Make,
    action: A,
) where
    R: Reducible + 'static,
    D: PartialEq + Clone + 'static,
    T: 'static,
    Fut: Future<Output = Outcome<T>> + 'static,
    Make: FnOnce(&D) -> Option<Fut> + 'static,
    A: FnOnce(D, Outcome<T>) -> R::Action + 'static,
{
    let to = reducer.dispatcher();
    use_effect_with(deps, move |deps| {
        if let Some(command) = make(deps) {
            let deps = deps.clone();
            dispatch_outcome(to, command, move |outcome| action(deps, outcome));
        }
    });
}

/// Sends every accepted submit of `form` with `send` and hands the engine's answer back to the
/// form, stored or refused (whose messages land next to their fields or in the form's banner).
#[hook]
pub fn use_submit<F, Fut, Send>(form: &UseReducerHandle<F>, send: Send)
where
    F: Submits + 'static,
    Fut: Future<Output = Outcome<F::Saved>> + 'static,
    Send: FnOnce(F::Input) -> Fut + 'static,
{
    let submitted = form.submitted();
    let to = form.dispatcher();
    use_effect_with(form.submit_seq(), move |_| {
        if let Some(input) = submitted {
            dispatch_outcome(to, send(input), F::answered);
        }
    });
}
