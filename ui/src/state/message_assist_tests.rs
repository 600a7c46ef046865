//! Draft with AI and Enhance: the answer fills the fields as a preview, a template says it is
//! one, a rewrite is used or not as the agent chooses, instructions stay within the limit.

use super::*;
use crate::state::contacts::tests::contact_id;
use crate::state::message_draft::MessageDraft;
use fieldstone_model::drafting::Fallback;

fn fill(message: &mut MessageDraft, draft: &Draft) {
    for (name, value) in draft_fields(draft) {
        assert!(message.set(name, value));
    }
}

fn use_rewrite(message: &mut MessageDraft, channel: MessageChannel, enhanced: &Enhanced) {
    let (name, value) = rewrite_field(channel, enhanced);
    assert!(message.set(name, value));
}

fn reduce(state: Assist, action: AssistAction) -> Assist {
    (*Rc::new(state).reduce(action)).clone()
}

#[test]
fn a_draft_fills_subject_and_message_as_a_preview_labelled_ai() {
    let mut assist = reduce(Assist::default(), AssistAction::Drafting);
    assert!(assist.drafting);
    let draft = Draft {
        subject: "Good to meet you".into(),
        body: "Hi Ada,\n\nThank you for today.\n\nSam".into(),
        source: DraftSource::Ai,
        notice: None,
    };
    let mut message = MessageDraft {
        email_to: "ada@work.example".into(),
        ..MessageDraft::default()
    };
    fill(&mut message, &draft);
    assist = reduce(assist, AssistAction::Drafted(Ok(draft)));
    assert!(!assist.drafting);
    assert_eq!(message.subject, "Good to meet you");
    assert!(message.email_body.starts_with("Hi Ada,"));
    assert_eq!(message.email_to, "ada@work.example", "the To stays");
    assert_eq!(assist.draft_label(), Some("AI draft"));
    // The preview is the agent's to edit.
    message.set("subject", "Lovely to meet you".into());
    assert_eq!(message.subject, "Lovely to meet you");
}

#[test]
fn a_template_is_labelled_template_with_its_notice_never_ai() {
    let draft = Draft::template(TaskKind::Day3, "Ada", "Sam", Fallback::NotConfigured);
    let assist = reduce(
        reduce(Assist::default(), AssistAction::Drafting),
        AssistAction::Drafted(Ok(draft)),
    );
    assert_eq!(assist.draft_label(), Some("Template"));
    let notice = assist
        .draft
        .as_ref()
        .and_then(|d| d.notice.clone())
        .expect("a notice");
    assert!(notice.contains("this is a template"), "{notice}");
}

#[test]
fn a_failed_draft_is_an_error_and_the_fields_are_untouched() {
    let assist = reduce(
        reduce(Assist::default(), AssistAction::Drafting),
        AssistAction::Drafted(Err("The server did not answer.".into())),
    );
    assert!(!assist.drafting);
    assert_eq!(assist.error.as_deref(), Some("The server did not answer."));
    assert_eq!(assist.draft_label(), None);
}

#[test]
fn the_draft_is_for_day_1_unless_another_step_is_chosen() {
    let assist = Assist::default();
    let request = assist.draft_request(contact_id(1)).expect("valid");
    assert_eq!(request.kind, TaskKind::Day1);
    assert_eq!(
        request.instructions, None,
        "blank instructions are not sent"
    );
    let assist = reduce(assist, AssistAction::Kind(TaskKind::Week2));
    let assist = reduce(
        assist,
        AssistAction::Instructions("Mention the open house".into()),
    );
    let request = assist.draft_request(contact_id(1)).expect("valid");
    assert_eq!(request.kind, TaskKind::Week2);
    assert_eq!(
        request.instructions.as_deref(),
        Some("Mention the open house")
    );
}

#[test]
fn instructions_are_counted_and_refused_past_500_characters() {
    assert_eq!(
        instructions_count(""),
        ("0 / 500 characters".to_owned(), false)
    );
    let at_limit = "a".repeat(500);
    assert_eq!(
        instructions_count(&at_limit),
        ("500 / 500 characters".to_owned(), false)
    );
    let assist = reduce(Assist::default(), AssistAction::Instructions(at_limit));
    assert!(assist.draft_request(contact_id(1)).is_ok());

    let over = "é".repeat(501);
    let (count, too_long) = instructions_count(&over);
    assert!(too_long);
    assert_eq!(count, "501 / 500 characters: 1 over the limit");
    let assist = reduce(assist, AssistAction::Instructions(over));
    let refused = assist.draft_request(contact_id(1)).expect_err("too long");
    assert!(!refused.is_empty());
}

#[test]
fn enhance_shows_before_and_after_in_its_tab_and_use_this_takes_the_rewrite() {
    let mut message = MessageDraft {
        sms_body: "see u at 5".into(),
        ..MessageDraft::default()
    };
    let assist = reduce(Assist::default(), AssistAction::Tone(Tone::Friendly));
    let request = assist.enhance_request(&message.sms_body).expect("valid");
    assert_eq!(request.tone, Tone::Friendly);
    let assist = reduce(assist, AssistAction::Enhancing(MessageChannel::Sms));
    assert_eq!(assist.enhancing, Some(MessageChannel::Sms));
    let enhanced = Enhanced::ai(
        "see u at 5".into(),
        "See you at 5 — looking forward to it!".into(),
    );
    let assist = reduce(
        assist,
        AssistAction::Enhanced(MessageChannel::Sms, Ok(enhanced.clone())),
    );
    assert_eq!(assist.enhancing, None);
    assert_eq!(assist.enhanced_in(MessageChannel::Sms), Some(&enhanced));
    assert_eq!(
        assist.enhanced_in(MessageChannel::Email),
        None,
        "not in the other tab"
    );

    use_rewrite(&mut message, MessageChannel::Sms, &enhanced);
    let assist = reduce(assist, AssistAction::Settled);
    assert_eq!(message.sms_body, "See you at 5 — looking forward to it!");
    assert_eq!(assist.enhanced_in(MessageChannel::Sms), None);
}

#[test]
fn keep_mine_leaves_the_text_as_written() {
    let message = MessageDraft {
        email_body: "Hi Ada, the house is great.".into(),
        ..MessageDraft::default()
    };
    let enhanced = Enhanced::ai(message.email_body.clone(), "Dear Ada, …".into());
    let assist = reduce(
        Assist::default(),
        AssistAction::Enhanced(MessageChannel::Email, Ok(enhanced)),
    );
    let assist = reduce(assist, AssistAction::Settled);
    assert_eq!(message.email_body, "Hi Ada, the house is great.");
    assert_eq!(assist.enhanced, None);
}

#[test]
fn nothing_written_is_not_enhanced() {
    let assist = Assist::default();
    assert!(assist.enhance_request("   ").is_err());
}
