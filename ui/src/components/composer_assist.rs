//! "Draft with AI" and "Enhance" in the composer's Email and Text tabs. A draft fills the
//! subject and message as a preview to edit (nothing is sent until Send), labelled "AI draft" or,
//! when the server could not ask a model, "Template" with the reason. Enhance shows the text
//! and its rewrite side by side (stacked on a phone) until "Use this" or "Keep mine". Only the
//! button asked waits; errors are said beside it.

use crate::components::field::SelectField;
use crate::services::commands;
use crate::state::message_draft::assist::{
    draft_fields, instructions_count, rewrite_field, Assist, AssistAction,
};
use fieldstone_model::drafting::{DraftSource, Tone, INSTRUCTIONS_MAX_CHARS};
use fieldstone_model::{Choice, ContactId, MessageChannel, TaskKind};
use web_sys::HtmlTextAreaElement;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct AssistProps {
    /// Who a draft is for; without one, only Enhance is offered.
    #[prop_or_default]
    pub contact: Option<ContactId>,
    pub channel: MessageChannel,
    /// The tab's text as it is now (what Enhance rewrites).
    pub text: AttrValue,
    /// (input name, value): how a draft or a rewrite goes into the fields.
    pub on_set: Callback<(String, String)>,
    /// Where the assistant starts (the page starts it empty).
    #[prop_or_default]
    pub initial: Assist,
    /// The subject and message fields, between Draft with AI and Enhance.
    #[prop_or_default]
    pub children: Html,
}

fn busy_button(
    id: &'static str,
    busy: bool,
    label: &'static str,
    busy_label: &'static str,
    onclick: Callback<MouseEvent>,
) -> Html {
    html! {
        <button
            {id}
            type="button"
            class={classes!("button", "button--secondary", "assist__ask", busy.then_some("button--busy"))}
            disabled={busy}
            aria-busy={busy.then_some("true")}
            {onclick}
        >
            <span class="button__spinner" aria-hidden="true"></span>
            { if busy { busy_label } else { label } }
        </button>
    }
}

/// The Draft with AI controls: the follow-up step, instructions with their count, the button.
fn draft_controls(state: &UseReducerHandle<Assist>, on_draft: Callback<MouseEvent>) -> Html {
    let (count, over) = instructions_count(&state.instructions);
    let steps: Vec<(AttrValue, AttrValue)> = TaskKind::FOLLOW_UPS
        .iter()
        .map(|k| (AttrValue::Static(k.as_str()), AttrValue::Static(k.label())))
        .collect();
    let on_kind = {
        let state = state.clone();
        Callback::from(move |value: String| {
            if let Some(kind) = TaskKind::FOLLOW_UPS
                .into_iter()
                .find(|k| k.as_str() == value)
            {
                state.dispatch(AssistAction::Kind(kind));
            }
        })
    };
    let on_instructions = {
        let state = state.clone();
        Callback::from(move |event: InputEvent| {
            let value = event.target_unchecked_into::<HtmlTextAreaElement>().value();
            state.dispatch(AssistAction::Instructions(value));
        })
    };
    html! {
        <fieldset id="composer-draft-ai" class="assist">
            <legend class="assist__legend">{ "Draft with AI" }</legend>
            <div class="assist__row">
                <SelectField
                    id="composer-draft-kind"
                    label="Follow-up step"
                    value={state.kind.as_str()}
                    options={steps}
                    on_change={on_kind}
                />
                { busy_button("composer-draft-ask", state.drafting, "Draft with AI", "Drafting…", on_draft) }
            </div>
            <div class={classes!("field", "field--wide", over.then_some("field--invalid"))}>
                <label class="field__label" for="composer-draft-instructions">
                    { "Instructions" }
                    <span class="field__hint">{ " (optional)" }</span>
                </label>
                <textarea
                    id="composer-draft-instructions"
                    class="field__control field__control--multiline assist__instructions"
                    rows="2"
                    placeholder="What should it say? e.g. mention Saturday's open house"
                    aria-describedby="composer-draft-count"
                    aria-invalid={over.then_some("true")}
                    value={state.instructions.clone()}
                    oninput={on_instructions}
                />
                <p id="composer-draft-count" class={classes!("composer__count", over.then_some("composer__count--over"))} aria-live="polite" data-max={INSTRUCTIONS_MAX_CHARS.to_string()}>
                    { count }
                </p>
            </div>
        </fieldset>
    }
}

/// The label over a filled draft: an AI draft, or a template with the reason.
fn draft_label(state: &Assist, text: &str) -> Html {
    let Some(draft) = &state.draft else {
        return Html::default();
    };
    if text.trim().is_empty() {
        // Sent or cleared: nothing is a preview any more.
        return Html::default();
    }
    let template = draft.source == DraftSource::Template;
    html! {
        <div id="composer-draft-preview" class={classes!("assist__preview", template.then_some("assist__preview--template"))} role="status" data-source={draft.source.as_str()}>
            <span id="composer-draft-label" class={classes!("assist__badge", if template { "assist__badge--template" } else { "assist__badge--ai" })}>
                { state.draft_label().unwrap_or_default() }
            </span>
            <p class="assist__note">
                if let Some(notice) = &draft.notice {
                    <span id="composer-draft-notice">{ notice.clone() }</span>{ " " }
                }
                { "A preview: edit it below. Nothing is sent until you press Send." }
            </p>
        </div>
    }
}

/// Enhance: the tone and the button, then the before and after with the choice.
fn enhance(
    state: &UseReducerHandle<Assist>,
    channel: MessageChannel,
    on_enhance: Callback<MouseEvent>,
    on_set: &Callback<(String, String)>,
) -> Html {
    let on_tone = {
        let state = state.clone();
        Callback::from(move |value: String| {
            if let Some(tone) = Tone::all().iter().copied().find(|t| t.as_str() == value) {
                state.dispatch(AssistAction::Tone(tone));
            }
        })
    };
    let tones: Vec<(AttrValue, AttrValue)> = Tone::all()
        .iter()
        .map(|t| (AttrValue::Static(t.as_str()), AttrValue::Static(t.label())))
        .collect();
    let busy = state.enhancing == Some(channel);
    let compare = state.enhanced_in(channel).map(|enhanced| {
        let on_use = {
            let state = state.clone();
            let on_set = on_set.clone();
            let (name, value) = rewrite_field(channel, enhanced);
            Callback::from(move |_: MouseEvent| {
                on_set.emit((name.to_owned(), value.clone()));
                state.dispatch(AssistAction::Settled);
            })
        };
        let on_keep = {
            let state = state.clone();
            Callback::from(move |_: MouseEvent| state.dispatch(AssistAction::Settled))
        };
        let template = enhanced.source == DraftSource::Template;
        html! {
            <div id="composer-enhance-compare" class="assist__compare" role="group" aria-label="Your text and the rewrite" data-source={enhanced.source.as_str()}>
                if let Some(notice) = &enhanced.notice {
                    <p id="composer-enhance-notice" class="assist__note assist__note--wide" role="status">{ notice.clone() }</p>
                }
                <div class="assist__side">
                    <h3 class="assist__side-title">{ "Yours" }</h3>
                    <p id="composer-enhance-before" class="assist__text">{ enhanced.original.clone() }</p>
                </div>
                <div class="assist__side assist__side--after">
                    <h3 class="assist__side-title">
                        { format!("{} rewrite", state.tone.label()) }
                        <span class={classes!("assist__badge", if template { "assist__badge--template" } else { "assist__badge--ai" })}>
                            { if template { "Unchanged" } else { "AI" } }
                        </span>
                    </h3>
                    <p id="composer-enhance-after" class="assist__text">{ enhanced.rewrite.clone() }</p>
                </div>
                <div class="assist__choice">
                    <button id="composer-enhance-use" type="button" class="button button--primary" onclick={on_use} disabled={template}>
                        { "Use this" }
                    </button>
                    <button id="composer-enhance-keep" type="button" class="button button--secondary" onclick={on_keep}>
                        { "Keep mine" }
                    </button>
                </div>
            </div>
        }
    });
    html! {
        <div id={format!("composer-enhance-{}", channel_key(channel))} class="assist assist--enhance">
            <div class="assist__row">
                <SelectField
                    id={format!("composer-enhance-tone-{}", channel_key(channel))}
                    label="Tone"
                    value={state.tone.as_str()}
                    options={tones}
                    on_change={on_tone}
                />
                { busy_button(if channel == MessageChannel::Email { "composer-enhance-ask-email" } else { "composer-enhance-ask-text" }, busy, "Enhance", "Enhancing…", on_enhance) }
            </div>
            { compare.unwrap_or_default() }
        </div>
    }
}

const fn channel_key(channel: MessageChannel) -> &'static str {
    match channel {
        MessageChannel::Email => "email",
        MessageChannel::Sms => "text",
    }
}

/// Draft with AI (Email tab only) above the fields it fills, Enhance below them.
#[component]
pub fn MessageAssist(props: &AssistProps) -> Html {
    let initial = props.initial.clone();
    let state = use_reducer(move || initial);
    let on_draft = {
        let state = state.clone();
        let on_set = props.on_set.clone();
        let contact = props.contact;
        Callback::from(move |_: MouseEvent| {
            let Some(contact) = contact else { return };
            match state.draft_request(contact) {
                Err(message) => state.dispatch(AssistAction::Refused(message)),
                Ok(request) => {
                    state.dispatch(AssistAction::Drafting);
                    let state = state.clone();
                    let on_set = on_set.clone();
                    spawn_local(async move {
                        match commands::draft_email(&request).await {
                            Ok(draft) => {
                                for (name, value) in draft_fields(&draft) {
                                    on_set.emit((name.to_owned(), value));
                                }
                                state.dispatch(AssistAction::Drafted(Ok(draft)));
                            }
                            Err(error) => state.dispatch(AssistAction::Drafted(Err(error.message))),
                        }
                    });
                }
            }
        })
    };
    let on_enhance = {
        let state = state.clone();
        let text = props.text.clone();
        let channel = props.channel;
        Callback::from(move |_: MouseEvent| match state.enhance_request(&text) {
            Err(message) => state.dispatch(AssistAction::Refused(message)),
            Ok(request) => {
                state.dispatch(AssistAction::Enhancing(channel));
                let state = state.clone();
                spawn_local(async move {
                    let result = commands::enhance_text(&request)
                        .await
                        .map_err(|e| e.message);
                    state.dispatch(AssistAction::Enhanced(channel, result));
                });
            }
        })
    };
    let drafts = props.channel == MessageChannel::Email && props.contact.is_some();
    html! {
        <div class="assist-panel">
            if drafts {
                { draft_controls(&state, on_draft) }
                { draft_label(&state, &props.text) }
            }
            { props.children.clone() }
            { enhance(&state, props.channel, on_enhance, &props.on_set) }
            if let Some(error) = &state.error {
                <p id="composer-assist-error" class="field__error assist__error" role="alert">{ error.clone() }</p>
            }
        </div>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::{AssistProps, MessageAssist};
    use crate::state::contacts::tests::contact_id;
    use crate::state::message_draft::assist::Assist;
    use fieldstone_model::drafting::{Draft, Enhanced, Fallback, Tone};
    use fieldstone_model::{MessageChannel, TaskKind};
    use yew::prelude::*;
    use yew::ServerRenderer;

    async fn render(channel: MessageChannel, text: &'static str, initial: Assist) -> String {
        ServerRenderer::<MessageAssist>::with_props(move || AssistProps {
            contact: Some(contact_id(1)),
            channel,
            text: AttrValue::Static(text),
            on_set: Callback::noop(),
            initial,
            children: Html::default(),
        })
        .hydratable(false)
        .render()
        .await
    }

    #[tokio::test]
    async fn the_email_tab_offers_a_draft_for_day_1_with_counted_instructions() {
        let html = render(MessageChannel::Email, "", Assist::default()).await;
        assert!(html.contains(r#"id="composer-draft-ai""#), "{html}");
        assert!(html.contains(r#"id="composer-draft-kind""#));
        assert!(html.contains(r#"<option value="day_1" selected"#), "{html}");
        assert!(
            !html.contains(r#"value="custom""#),
            "only the follow-up steps"
        );
        assert!(html.contains("0 / 500 characters"));
        assert!(html.contains("Draft with AI"));
        assert!(html.contains(r#"id="composer-enhance-ask-email""#));
        assert!(
            !html.contains("composer-draft-preview"),
            "nothing drafted yet"
        );
    }

    #[tokio::test]
    async fn the_text_tab_enhances_but_does_not_draft() {
        let html = render(MessageChannel::Sms, "see u at 5", Assist::default()).await;
        assert!(!html.contains("composer-draft-ai"), "{html}");
        assert!(html.contains(r#"id="composer-enhance-tone-text""#));
        assert!(html.contains(r#"id="composer-enhance-ask-text""#));
    }

    #[tokio::test]
    async fn waiting_for_a_draft_is_on_its_button_only() {
        let assist = Assist {
            drafting: true,
            ..Assist::default()
        };
        let html = render(MessageChannel::Email, "", assist).await;
        assert!(html.contains("Drafting…"), "{html}");
        assert!(html.contains(r#"aria-busy="true""#));
        assert_eq!(
            html.matches(r#"aria-busy="true""#).count(),
            1,
            "Enhance still works"
        );
    }

    #[tokio::test]
    async fn a_template_is_labelled_template_with_its_notice() {
        let assist = Assist {
            kind: TaskKind::Day3,
            draft: Some(Draft::template(
                TaskKind::Day3,
                "Ada",
                "Sam",
                Fallback::NotConfigured,
            )),
            ..Assist::default()
        };
        let html = render(MessageChannel::Email, "Hi Ada,", assist).await;
        assert!(html.contains(r#"data-source="template""#), "{html}");
        assert!(html.contains(">Template</span>"), "{html}");
        assert!(html.contains("server — this is a template."), "{html}");
        assert!(!html.contains("AI draft"));
        assert!(html.contains("Nothing is sent until you press Send."));
    }

    #[tokio::test]
    async fn an_ai_draft_is_labelled_ai_draft() {
        let assist = Assist {
            draft: Some(Draft {
                subject: "Good to meet you".into(),
                body: "Hi Ada".into(),
                source: fieldstone_model::drafting::DraftSource::Ai,
                notice: None,
            }),
            ..Assist::default()
        };
        let html = render(MessageChannel::Email, "Hi Ada", assist).await;
        assert!(html.contains(">AI draft</span>"), "{html}");
        assert!(!html.contains("composer-draft-notice"));
    }

    #[tokio::test]
    async fn enhance_shows_before_and_after_with_use_this_and_keep_mine() {
        let assist = Assist {
            tone: Tone::Friendly,
            enhanced: Some((
                MessageChannel::Sms,
                Enhanced::ai("see u at 5".into(), "See you at 5 — can't wait!".into()),
            )),
            ..Assist::default()
        };
        let html = render(MessageChannel::Sms, "see u at 5", assist).await;
        assert!(html.contains(r#"id="composer-enhance-compare""#), "{html}");
        assert!(
            html.contains(r#"id="composer-enhance-before" class="assist__text">see u at 5"#),
            "{html}"
        );
        assert!(html.contains("Friendly rewrite"));
        assert!(html.contains(r#"id="composer-enhance-use""#));
        assert!(html.contains(r#"id="composer-enhance-keep""#));
    }

    #[tokio::test]
    async fn an_error_is_said_inline() {
        let assist = Assist {
            error: Some("Write something first, then enhance it.".into()),
            ..Assist::default()
        };
        let html = render(MessageChannel::Email, "", assist).await;
        assert!(html.contains(r#"id="composer-assist-error""#), "{html}");
        assert!(html.contains(r#"role="alert""#));
    }
}
