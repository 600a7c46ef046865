//! Open-house sign-in (kiosk mode): the whole window is the visitors' form, with large fields
//! and buttons, until the agent ends it with the PIN. It runs on the device alone, so it works
//! in a basement; each visitor reaches the server with the next sync.

use crate::components::field::TextField;
use crate::hooks::use_shell;
use crate::services::{commands, platform};
use crate::state::kiosk::{KioskAction, KioskScreen, Phase, VisitorField};
use crate::state::ShellAction;
use fieldstone_protocol::commands::EndKiosk;
use yew::platform::spawn_local;
use yew::prelude::*;

/// How long the thank-you stays before the form is empty again for the next visitor.
const THANKS_MS: u32 = 6_000;

fn label(field: VisitorField) -> &'static str {
    match field {
        VisitorField::GivenName => "First name",
        VisitorField::FamilyName => "Last name",
        VisitorField::Email => "Email",
        VisitorField::Phone => "Phone",
        VisitorField::Note => "What are you looking for?",
    }
}

#[component]
pub fn KioskPage() -> Html {
    let shell = use_shell();
    let screen = use_reducer(KioskScreen::default);

    {
        let screen = screen.dispatcher();
        use_effect_with((), move |()| {
            spawn_local(async move {
                screen.dispatch(KioskAction::Loaded(commands::kiosk().await));
            });
        });
    }
    // The thank-you makes way for the next visitor on its own.
    {
        let dispatcher = screen.dispatcher();
        let seq = screen.thanks_seq;
        let thanking = matches!(screen.phase, Phase::Thanks(_));
        use_effect_with((seq, thanking), move |&(seq, thanking)| {
            let timer = thanking.then(|| {
                platform::after(THANKS_MS, move || {
                    dispatcher.dispatch(KioskAction::Next(seq))
                })
            });
            move || drop(timer)
        });
    }
    // Focus follows the screen: the first name for a new visitor, the PIN when leaving.
    use_effect_with(std::mem::discriminant(&screen.phase), {
        let leaving = screen.phase == Phase::Leaving;
        let form = screen.phase == Phase::Form;
        move |_| {
            if leaving {
                platform::focus("kiosk-pin");
            } else if form {
                platform::focus("kiosk-given_name");
            }
        }
    });

    let submit = {
        let screen = screen.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if screen.phase != Phase::Form {
                return;
            }
            let visitor = screen.visitor.clone();
            screen.dispatch(KioskAction::Submit);
            let dispatcher = screen.dispatcher();
            spawn_local(async move {
                dispatcher.dispatch(KioskAction::SignedIn(
                    commands::kiosk_sign_in(&visitor).await,
                ));
            });
        })
    };
    let submit_pin = {
        let (screen, shell) = (screen.clone(), shell.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if screen.phase != Phase::Leaving {
                return;
            }
            let request = EndKiosk {
                pin: screen.pin.clone(),
            };
            screen.dispatch(KioskAction::SubmitPin);
            let (dispatcher, shell) = (screen.dispatcher(), shell.clone());
            spawn_local(async move {
                let answer = KioskAction::PinChecked(commands::end_kiosk(&request).await);
                if let Some(listing) = KioskScreen::ended(&answer) {
                    shell.dispatch(ShellAction::KioskOff(listing));
                }
                dispatcher.dispatch(answer);
            });
        })
    };
    let on = |action: fn(String) -> KioskAction| {
        let dispatcher = screen.dispatcher();
        Callback::from(move |text: String| dispatcher.dispatch(action(text)))
    };
    let place = screen
        .kiosk
        .as_ref()
        .map(|k| k.place.clone())
        .unwrap_or_default();
    let visitors = screen.kiosk.as_ref().map_or(0, |k| k.visitors);

    let body = match &screen.phase {
        Phase::Loading => html! { <p class="kiosk__lead">{ "Opening the sign-in form…" }</p> },
        Phase::Thanks(signed) => {
            let next = {
                let (dispatcher, seq) = (screen.dispatcher(), screen.thanks_seq);
                Callback::from(move |_: MouseEvent| dispatcher.dispatch(KioskAction::Next(seq)))
            };
            html! {
                <div id="kiosk-thanks" class="kiosk__thanks" role="status">
                    <h2 class="kiosk__title">{ format!("Thank you, {}!", signed.given_name) }</h2>
                    <p class="kiosk__lead">
                        { if signed.returning { "Welcome back — enjoy the home." } else { "You're signed in — enjoy the home." } }
                    </p>
                    <button id="kiosk-next" type="button" class="button button--primary kiosk__button" onclick={next}>
                        { "Next visitor" }
                    </button>
                </div>
            }
        }
        Phase::Leaving | Phase::Checking => {
            let cancel = screen
                .dispatcher()
                .to_callback()
                .reform(|_: MouseEvent| KioskAction::CancelLeave);
            let pin_input = {
                let dispatcher = screen.dispatcher();
                Callback::from(move |event: InputEvent| {
                    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                    dispatcher.dispatch(KioskAction::Pin(input.value()));
                })
            };
            html! {
                <form id="kiosk-leave" class="kiosk__form kiosk__form--pin" onsubmit={submit_pin} novalidate=true>
                    <h2 class="kiosk__title">{ "End visitor sign-in" }</h2>
                    <p class="kiosk__lead">{ "For the agent: enter the PIN you chose when you started." }</p>
                    <div class="field">
                        <label class="field__label" for="kiosk-pin">{ "PIN" }</label>
                        <input id="kiosk-pin" class="field__control kiosk__pin"
                            type="password" inputmode="numeric" autocomplete="off" maxlength="8"
                            value={screen.pin.clone()} oninput={pin_input}
                            aria-invalid={screen.pin_error.is_some().then_some("true")}
                            aria-describedby={screen.pin_error.is_some().then_some("kiosk-pin-error")} />
                        if let Some(error) = &screen.pin_error {
                            <p id="kiosk-pin-error" class="field__error" role="alert">{ error }</p>
                        }
                    </div>
                    <div class="kiosk__actions">
                        <button id="kiosk-pin-cancel" type="button" class="button button--secondary kiosk__button" onclick={cancel}>
                            { "Back to the form" }
                        </button>
                        <button id="kiosk-pin-submit" type="submit" class="button button--primary kiosk__button"
                            disabled={screen.phase == Phase::Checking}>
                            { "End sign-in" }
                        </button>
                    </div>
                </form>
            }
        }
        Phase::Form | Phase::Saving => {
            let consent = {
                let dispatcher = screen.dispatcher();
                Callback::from(move |event: Event| {
                    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                    dispatcher.dispatch(KioskAction::Consent(input.checked()));
                })
            };
            let consent_text = screen
                .kiosk
                .as_ref()
                .map(|k| k.consent_text.clone())
                .unwrap_or_default();
            let field = |field: VisitorField, kind: &'static str, mode: Option<&'static str>| {
                let setter = match field {
                    VisitorField::GivenName => on(|t| KioskAction::Set(VisitorField::GivenName, t)),
                    VisitorField::FamilyName => {
                        on(|t| KioskAction::Set(VisitorField::FamilyName, t))
                    }
                    VisitorField::Email => on(|t| KioskAction::Set(VisitorField::Email, t)),
                    VisitorField::Phone => on(|t| KioskAction::Set(VisitorField::Phone, t)),
                    VisitorField::Note => on(|t| KioskAction::Set(VisitorField::Note, t)),
                };
                html! {
                    <TextField
                        id={format!("kiosk-{}", field.key())}
                        label={label(field)}
                        value={screen.value(field).to_owned()}
                        error={screen.error(field).map(|m| AttrValue::from(m.to_owned()))}
                        input_type={kind}
                        input_mode={mode.map(AttrValue::Static)}
                        autocomplete={match field { VisitorField::GivenName => "given-name", VisitorField::FamilyName => "family-name", VisitorField::Email => "email", VisitorField::Phone => "tel", VisitorField::Note => "off" }}
                        multiline={field == VisitorField::Note}
                        class={classes!("kiosk__field")}
                        on_input={setter}
                    />
                }
            };
            html! {
                <form id="kiosk-form" class="kiosk__form" onsubmit={submit} novalidate=true>
                    <h2 class="kiosk__title">{ "Welcome! Please sign in." }</h2>
                    if let Some(message) = &screen.message {
                        <p id="kiosk-message" class="banner banner--error" role="alert">{ message }</p>
                    }
                    <div class="kiosk__grid">
                        { field(VisitorField::GivenName, "text", None) }
                        { field(VisitorField::FamilyName, "text", None) }
                        { field(VisitorField::Email, "email", Some("email")) }
                        { field(VisitorField::Phone, "tel", Some("tel")) }
                    </div>
                    { field(VisitorField::Note, "text", None) }
                    <label class="kiosk__consent" for="kiosk-consent">
                        <input id="kiosk-consent" type="checkbox" class="kiosk__check"
                            checked={screen.visitor.consent} onchange={consent} />
                        <span id="kiosk-consent-text">{ consent_text }</span>
                    </label>
                    <button id="kiosk-submit" type="submit" class="button button--primary kiosk__button kiosk__submit"
                        disabled={screen.phase == Phase::Saving || screen.kiosk.is_none()}>
                        { if screen.phase == Phase::Saving { "Signing in…" } else { "Sign in" } }
                    </button>
                </form>
            }
        }
    };
    let leave = screen
        .dispatcher()
        .to_callback()
        .reform(|_: MouseEvent| KioskAction::Leave);
    let leaving = matches!(screen.phase, Phase::Leaving | Phase::Checking);

    html! {
        <div id="kiosk" class="kiosk">
            <header class="kiosk__head">
                <div>
                    <p class="kiosk__eyebrow">{ "Open house" }</p>
                    <h1 id="kiosk-place" class="kiosk__place">{ place }</h1>
                </div>
                <div class="kiosk__meta">
                    <span id="kiosk-count" class="kiosk__count tabular">
                        { if visitors == 1 { "1 visitor".to_owned() } else { format!("{visitors} visitors") } }
                    </span>
                    if !leaving {
                        <button id="kiosk-end" type="button" class="button button--ghost kiosk__end" onclick={leave}>
                            { "End" }
                        </button>
                    }
                </div>
            </header>
            <main class="kiosk__main">{ body }</main>
        </div>
    }
}
