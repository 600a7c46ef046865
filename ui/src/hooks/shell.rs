//! The app frame's state as a context: every screen can see where it is, how sync is doing and
//! what a keyboard shortcut asked of it, and can navigate.

use crate::route::Route;
use crate::services::platform::Clock;
use crate::state::shell::{PageRequest, Shortcut};
use crate::state::{Shell, ShellAction};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct ShellContext {
    pub shell: UseReducerHandle<Shell>,
    /// Read when the frame last rendered; screens showing "today" use it.
    pub clock: Clock,
}

impl ShellContext {
    pub fn navigate(&self, route: Route) {
        self.shell.dispatch(ShellAction::Navigate(route));
    }

    pub fn dispatch(&self, action: ShellAction) {
        self.shell.dispatch(action);
    }

    pub fn navigator(&self) -> Callback<Route> {
        let shell = self.shell.clone();
        Callback::from(move |route| shell.dispatch(ShellAction::Navigate(route)))
    }
}

/// The frame's context. Screens are only ever rendered inside the frame (tests provide one).
#[hook]
pub fn use_shell() -> ShellContext {
    let fallback = use_reducer(Shell::default);
    use_context::<ShellContext>().unwrap_or_else(|| ShellContext {
        shell: fallback,
        clock: Clock::read(),
    })
}

/// Calls `on` once for every shortcut the frame hands to the screen at `route`.
#[hook]
pub fn use_page_request<F>(route: Route, on: F)
where
    F: Fn(Shortcut) + 'static,
{
    let shell = use_shell();
    let request: Option<PageRequest> = shell.shell.request_for(route);
    use_effect_with(request, move |request| {
        if let Some(request) = request {
            on(request.shortcut);
        }
    });
}

/// Calls `on` whenever changes from other devices have been applied since the screen showed.
#[hook]
pub fn use_remote_revision<F>(on: F)
where
    F: Fn() + 'static,
{
    let shell = use_shell();
    let revision = shell.shell.remote_revision;
    let seen = use_mut_ref(|| revision);
    use_effect_with(revision, move |&revision| {
        let newer = revision > *seen.borrow();
        if newer {
            *seen.borrow_mut() = revision;
            on();
        }
    });
}
