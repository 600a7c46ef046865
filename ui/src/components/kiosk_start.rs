//! "Start visitor sign-in" on a listing: the agent chooses a PIN (typed twice) and the window
//! becomes the open house's sign-in form until that PIN ends it.

use crate::hooks::use_shell;
use crate::services::{commands, platform};
use crate::state::ShellAction;
use fieldstone_model::ListingId;
use fieldstone_protocol::commands::StartKiosk;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct KioskStartProps {
    pub listing: ListingId,
}

/// What the agent typed, and the answer.
#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    open: bool,
    pin: String,
    again: String,
    error: Option<String>,
    busy: bool,
}

/// The PIN typed twice, or why not: said before the engine is asked.
fn checked(draft: &Draft) -> Result<String, String> {
    fieldstone_model::sign_in::check_pin(&draft.pin)?;
    if draft.pin != draft.again {
        return Err("The two PINs differ; type the same PIN twice.".into());
    }
    Ok(draft.pin.clone())
}

#[component]
pub fn KioskStart(props: &KioskStartProps) -> Html {
    let shell = use_shell();
    let draft = use_state(Draft::default);
    if shell.shell.view_only.is_some() {
        return html! {};
    }
    let listing = props.listing;
    if !draft.open {
        let open = {
            let draft = draft.clone();
            Callback::from(move |_: MouseEvent| {
                draft.set(Draft {
                    open: true,
                    ..Draft::default()
                });
                platform::focus("kiosk-start-pin");
            })
        };
        return html! {
            <button id="kiosk-start" type="button" class="button button--secondary kiosk-start__open" onclick={open}>
                { "Start visitor sign-in" }
            </button>
        };
    }
    let input = |again: bool| {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            let value = event
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            let mut next = (*draft).clone();
            if again {
                next.again = value;
            } else {
                next.pin = value;
            }
            next.error = None;
            draft.set(next);
        })
    };
    let cancel = {
        let draft = draft.clone();
        Callback::from(move |_: MouseEvent| draft.set(Draft::default()))
    };
    let submit = {
        let (draft, shell) = (draft.clone(), shell.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let pin = match checked(&draft) {
                Ok(pin) => pin,
                Err(error) => {
                    draft.set(Draft {
                        error: Some(error),
                        ..(*draft).clone()
                    });
                    return;
                }
            };
            draft.set(Draft {
                busy: true,
                ..(*draft).clone()
            });
            let (draft, shell) = (draft.clone(), shell.clone());
            spawn_local(async move {
                match commands::start_kiosk(&StartKiosk { listing, pin }).await {
                    Ok(kiosk) => shell.dispatch(ShellAction::KioskOn(kiosk.listing)),
                    Err(error) => draft.set(Draft {
                        open: true,
                        error: Some(
                            error
                                .fields
                                .into_iter()
                                .next()
                                .map_or(error.message, |f| f.message),
                        ),
                        ..Draft::default()
                    }),
                }
            });
        })
    };
    let invalid = draft.error.is_some();
    html! {
        <form id="kiosk-start-form" class="kiosk-start" onsubmit={submit} novalidate=true>
            <p class="kiosk-start__lead">
                { "The window becomes a sign-in form for visitors, and stays one — even offline or after a restart — until you enter this PIN." }
            </p>
            <div class="kiosk-start__pins">
                <div class="field">
                    <label class="field__label" for="kiosk-start-pin">{ "Choose a PIN" }</label>
                    <input id="kiosk-start-pin" class="field__control" aria-invalid={invalid.then_some("true")}
                        type="password" inputmode="numeric" autocomplete="off" maxlength="8"
                        value={draft.pin.clone()} oninput={input(false)}
                        aria-describedby={invalid.then_some("kiosk-start-error")} />
                </div>
                <div class="field">
                    <label class="field__label" for="kiosk-start-again">{ "Type it again" }</label>
                    <input id="kiosk-start-again" class="field__control" aria-invalid={invalid.then_some("true")}
                        type="password" inputmode="numeric" autocomplete="off" maxlength="8"
                        value={draft.again.clone()} oninput={input(true)} />
                </div>
            </div>
            if let Some(error) = &draft.error {
                <p id="kiosk-start-error" class="field__error" role="alert">{ error }</p>
            }
            <div class="kiosk-start__actions">
                <button id="kiosk-start-cancel" type="button" class="button button--ghost" onclick={cancel}>{ "Cancel" }</button>
                <button id="kiosk-start-submit" type="submit" class="button button--primary" disabled={draft.busy}>
                    { "Start sign-in" }
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_is_checked_and_typed_twice_before_the_engine_is_asked() {
        let draft = |pin: &str, again: &str| Draft {
            open: true,
            pin: pin.into(),
            again: again.into(),
            ..Draft::default()
        };
        assert_eq!(checked(&draft("2468", "2468")), Ok("2468".into()));
        assert!(checked(&draft("24", "24")).is_err_and(|e| e.contains("4 to 8 digits")));
        assert!(checked(&draft("2468", "2469")).is_err_and(|e| e.contains("differ")));
    }
}
