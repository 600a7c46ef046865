//! The contact's header: who it is, how warm (the lead score with every point's reason, and the
//! agent's own model once there is one: `super::score`; beside it the agent's own priority), the
//! primary phone and email, what they agreed to be reached by (consent per channel), the next
//! task, the last touch ("Never contacted" stands out) and the buttons that reach them.

use super::contact_actions::ContactActions;
use super::icons::{icon, Icon};
use super::score::ScoreExplain;
use crate::state::format::{relative, Local};
use crate::state::initials;
use chrono::{DateTime, Utc};
use fieldstone_model::score::Band;
use fieldstone_model::{Consent, ConsentChannel, ConsentStatus, Contact};
use fieldstone_protocol::views::{ContactScore, TaskSummary};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ContactHeadProps {
    pub contact: Contact,
    pub next_task: Option<TaskSummary>,
    /// The engine's lead score (rule and, once the agent has one, their model); `None` from an
    /// older engine, and then no score is shown rather than one the UI made up.
    #[prop_or_default]
    pub score: Option<ContactScore>,
    pub now: DateTime<Utc>,
    pub local: Local,
    /// An interaction was logged from the header's buttons.
    pub on_logged: Callback<()>,
    /// Beside the name: the Share button (which asks the server, so the page brings it).
    #[prop_or_default]
    pub share: Html,
}

/// "Email: agreed", "Texts: refused", "Calls: not asked".
pub fn consent_line(channel: ConsentChannel, consent: &Consent) -> String {
    let what = match channel {
        ConsentChannel::Email => "Email",
        ConsentChannel::Sms => "Texts",
        ConsentChannel::Call => "Calls",
    };
    format!("{what}: {}", consent.status.label().to_lowercase())
}

/// One pill per channel; where the answer came from is its tooltip.
fn consents(contact: &Contact) -> Html {
    html! {
        <p id="contact-consent" class="detail-head__consent" aria-label="Consent to be contacted">
            for channel in ConsentChannel::ALL {
                { {
                    let consent = contact.consent.get(channel);
                    let status = consent.status;
                    let title = match (&consent.source, status) {
                        (_, ConsentStatus::Unknown) => "Not asked yet: one-to-one messages may go; marketing texts may not.".to_owned(),
                        (Some(source), _) => format!("{}: {source}", status.label()),
                        (None, _) => status.label().to_owned(),
                    };
                    html! {
                        <span
                            class={classes!("consent-pill", format!("consent-pill--{}", status.as_str()))}
                            data-channel={channel.as_str()}
                            data-status={status.as_str()}
                            {title}
                        >
                            { consent_line(channel, consent) }
                        </span>
                    }
                } }
            }
        </p>
    }
}

/// "28 / 100 · cold" (seed 003's bands: hot from 80, warm from 50).
pub fn score_line(score: u8) -> String {
    format!("{score} / 100 · {}", Band::of(score).word())
}

#[component]
pub fn ContactHead(props: &ContactHeadProps) -> Html {
    // Its dates, money and counts are in the agent's locale: shown again when it changes.
    crate::hooks::use_locale_changes();
    let contact = &props.contact;
    let name = contact.display_name();
    let stage = contact.stage.as_str();
    let phone = contact.primary_phone().map(|p| p.number.clone());
    let email = contact.primary_email().map(|e| e.address.clone());
    let next = match &props.next_task {
        Some(task) => {
            let due = task
                .due_at
                .map(|at| {
                    let overdue = at < props.now;
                    html! {
                        <span class={classes!("detail-head__due", overdue.then_some("detail-head__due--late"))}>
                            { if overdue { format!(" · overdue since {}", props.local.when(at, props.now)) } else { format!(" · {}", props.local.when(at, props.now)) } }
                        </span>
                    }
                })
                .unwrap_or_default();
            html! { <><span class="detail-head__label">{ "Next: " }</span>{ &task.title }{ due }</> }
        }
        None => html! { <span class="muted">{ "No task planned" }</span> },
    };
    html! {
        <section class="card detail-head">
            <span class={classes!("avatar", "avatar--large", format!("avatar--{stage}"))} aria-hidden="true">
                { initials(&name) }
            </span>
            <div class="detail-head__main">
                <div class="detail-head__title">
                    <h2 id="contact-name" class="detail-head__name">{ &name }</h2>
                    { props.share.clone() }
                </div>
                <p class="detail-head__facts">
                    <span id="contact-stage" class={classes!("stage-pill", format!("stage-pill--{stage}"))} data-stage={stage}>
                        { contact.stage.label() }
                    </span>
                    <span class="detail-head__fact">{ contact.kind.label() }</span>
                    if let Some(score) = &props.score {
                        <ScoreExplain score={score.clone()} />
                    }
                    <span id="contact-priority" class={classes!("priority", format!("priority--{}", contact.priority.as_str()))} title="How urgent you have marked them">
                        { format!("{} priority", contact.priority.label()) }
                    </span>
                </p>
                <p class="detail-head__reach">
                    if let Some(phone) = &phone {
                        <span id="contact-phone" class="detail-head__reach-item tabular">{ icon(Icon::Phone) }{ phone }</span>
                    }
                    if let Some(email) = &email {
                        <span id="contact-email" class="detail-head__reach-item">{ icon(Icon::Mail) }{ email }</span>
                    }
                    if phone.is_none() && email.is_none() {
                        <span class="muted">{ "No phone or email yet: add one under Details." }</span>
                    }
                </p>
                { consents(contact) }
                <p class="detail-head__facts">
                    if contact.last_contacted_at.is_none() {
                        <span id="contact-last-touch" class="detail-head__never">{ "Never contacted" }</span>
                    } else {
                        <span id="contact-last-touch">{ format!("Last touch {}", relative(contact.last_contacted_at, props.now)) }</span>
                    }
                    <span id="contact-next-task" class="detail-head__next">{ next }</span>
                </p>
            </div>
            <ContactActions
                contact={contact.id}
                name={AttrValue::from(name.clone())}
                phone={phone.map(AttrValue::from)}
                email={email.map(AttrValue::from)}
                class="detail-head__actions"
                on_logged={props.on_logged.clone()}
            />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::{consent_line, score_line};
    use fieldstone_model::{Consent, ConsentChannel};

    #[test]
    fn the_score_reads_out_of_a_hundred_with_its_band() {
        assert_eq!(score_line(28), "28 / 100 · cold");
        assert_eq!(score_line(55), "55 / 100 · warm");
        assert_eq!(score_line(90), "90 / 100 · hot");
        assert_eq!(
            score_line(79),
            "79 / 100 · warm",
            "hot starts at 80, not 70"
        );
        assert_eq!(
            score_line(49),
            "49 / 100 · cold",
            "warm starts at 50, not 40"
        );
    }

    #[test]
    fn consent_reads_per_channel() {
        assert_eq!(
            consent_line(ConsentChannel::Sms, &Consent::default()),
            "Texts: not asked"
        );
        let at = chrono::DateTime::UNIX_EPOCH;
        assert_eq!(
            consent_line(ConsentChannel::Email, &Consent::denied("unsubscribed", at)),
            "Email: refused"
        );
    }
}
