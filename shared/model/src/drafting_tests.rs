use super::*;
use crate::choice::assert_choice_names;
use crate::contact::{ContactInput, EmailEntry, PhoneEntry, Preferences};
use crate::listing::PropertyType;
use crate::message::SUBJECT_MAX_CHARS;
use crate::test_support::{assert_json_round_trip, at, user, uuid};

fn lena() -> Contact {
    let input = ContactInput {
        given_name: "Lena".into(),
        family_name: "Park".into(),
        emails: vec![EmailEntry {
            address: "lena.secret@example.com".into(),
            label: Default::default(),
            primary: true,
        }],
        phones: vec![PhoneEntry {
            number: "+1 555 010 9999".into(),
            label: Default::default(),
            primary: true,
        }],
        source_detail: Some("Zillow ad 4411".into()),
        tags: vec!["vip-secret-tag".into()],
        stage: Stage::Qualified,
        preferences: Preferences {
            budget_min: Some(400_000),
            budget_max: Some(550_000),
            areas: vec!["Riverside".into(), "Oak Park".into()],
            property_types: [PropertyType::House, PropertyType::Condo].into(),
            bedrooms_min: Some(3),
            must_haves: vec!["garden".into()],
            ..Preferences::default()
        },
        ..ContactInput::default()
    };
    Contact::create(
        ContactId::from_uuid(uuid(7)),
        input.validate().expect("valid"),
        user(1),
        at(2025, 3, 1, 9, 0),
    )
}

fn request(kind: TaskKind, instructions: Option<&str>) -> DraftRequest {
    DraftRequest {
        contact: ContactId::from_uuid(uuid(7)),
        kind,
        instructions: instructions.map(str::to_owned),
        notes: None,
    }
}

#[test]
fn choices_are_consistent() {
    assert_choice_names::<Tone>();
    assert_choice_names::<DraftSource>();
    assert_eq!(Tone::ALL.len(), 6);
    assert_eq!(Tone::Persuasive.as_str(), "persuasive");
}

#[test]
fn the_prompt_carries_only_the_allowed_facts() {
    let contact = lena();
    let facts = DraftFacts::of(&contact, Some("Wants   a yard for the dog.\nCall after 6."));
    assert_eq!(facts.first_name, "Lena");
    assert_eq!(facts.full_name, "Lena Park");
    let prompt = draft_prompt(TaskKind::Week1, &facts, Some("Mention the open house"));
    assert_eq!(prompt.len(), 2);
    assert_eq!(prompt[0].role, ChatRole::System);
    let user = &prompt[1].content;
    for wanted in [
        "Week 1 market insights and showings",
        "first name: Lena",
        "full name: Lena Park",
        "stage: Qualified",
        "buying; house or condo; in Riverside, Oak Park; 3+ bedrooms; budget 400,000–550,000; must have garden",
        "Wants a yard for the dog. Call after 6.",
        "instructions: Mention the open house",
    ] {
        assert!(user.contains(wanted), "missing {wanted:?} in {user}");
    }
    let whole: String = prompt.iter().map(|m| m.content.as_str()).collect();
    for private in [
        "lena.secret@example.com",
        "555",
        "Zillow ad",
        "vip-secret-tag",
        &contact.id.to_string(),
        &contact.owner.to_string(),
    ] {
        assert!(!whole.contains(private), "{private:?} leaked: {whole}");
    }
}

#[test]
fn a_nameless_contact_is_not_named_by_its_email() {
    let mut contact = lena();
    contact.given_name.clear();
    contact.family_name.clear();
    let facts = DraftFacts::of(&contact, None);
    assert_eq!(
        facts.full_name, "",
        "never the display name's email fallback"
    );
    let prompt = draft_prompt(TaskKind::Day1, &facts, None);
    assert!(prompt[1].content.contains("first name: (not known)"));
    assert!(!prompt[1].content.contains("instructions"));
    assert!(!prompt[1].content.contains("notes"));
}

#[test]
fn notes_are_cut_to_a_short_excerpt() {
    let long = "word ".repeat(400);
    let facts = DraftFacts::of(&lena(), Some(&long));
    let notes = facts.notes.expect("excerpt");
    assert!(
        notes.chars().count() <= NOTES_EXCERPT_MAX_CHARS,
        "{}",
        notes.len()
    );
    assert!(notes.ends_with("word…"), "{notes}");
    assert_eq!(excerpt("  short\n note ", 50), "short note");
    assert_eq!(DraftFacts::of(&lena(), Some("   ")).notes, None);
}

#[test]
fn instructions_are_limited_to_500_characters() {
    let ok = "x".repeat(INSTRUCTIONS_MAX_CHARS);
    let valid = request(TaskKind::Day3, Some(&format!("  {ok}  ")))
        .validate()
        .expect("500 is fine");
    assert_eq!(valid.instructions.as_deref(), Some(ok.as_str()));
    let long = "x".repeat(INSTRUCTIONS_MAX_CHARS + 1);
    let errors = request(TaskKind::Day3, Some(&long))
        .validate()
        .expect_err("too long");
    assert_eq!(errors.fields(), ["instructions"]);
    assert_eq!(
        errors.for_field("instructions"),
        Some("Custom instructions can be at most 500 characters.")
    );
    let blank = request(TaskKind::Day3, Some("   "))
        .validate()
        .expect("blank");
    assert_eq!(blank.instructions, None);
}

#[test]
fn a_custom_task_is_not_a_follow_up_step_to_draft() {
    let errors = request(TaskKind::Custom, None)
        .validate()
        .expect_err("custom");
    assert_eq!(errors.fields(), ["kind"]);
    for kind in TaskKind::FOLLOW_UPS {
        assert!(request(kind, None).validate().is_ok(), "{kind:?}");
    }
}

#[test]
fn enhance_requests_need_text_within_the_limit() {
    let ok = EnhanceRequest {
        text: "  Hi, the house is nice.  ".into(),
        tone: Tone::Formal,
    };
    assert_eq!(ok.validate().expect("valid").text, "Hi, the house is nice.");
    let empty = EnhanceRequest {
        text: " ".into(),
        tone: Tone::Formal,
    };
    assert_eq!(empty.validate().expect_err("empty").fields(), ["text"]);
    let long = EnhanceRequest {
        text: "x".repeat(ENHANCE_TEXT_MAX_CHARS + 1),
        tone: Tone::Casual,
    };
    assert!(long
        .validate()
        .expect_err("long")
        .for_field("text")
        .is_some_and(|m| m.contains("10000")));
    let prompt = enhance_prompt("See you at 5.", Tone::Urgent);
    assert!(prompt[1].content.contains("Tone: Urgent"));
    assert!(prompt[1].content.ends_with("See you at 5."));
}

#[test]
fn a_json_answer_is_read() {
    let text =
        parse_draft(r#"{"subject": "Homes in Riverside", "body": "Hi Lena,\n\nThree homes fit."}"#)
            .expect("good");
    assert_eq!(text.subject, "Homes in Riverside");
    assert_eq!(text.body, "Hi Lena,\n\nThree homes fit.");
}

#[test]
fn a_fenced_answer_is_read() {
    let answer = "Here is your draft:\n```json\n{\"subject\": \"Checking in\", \"body\": \"Hi Lena\"}\n```\nGood luck!";
    let text = parse_draft(answer).expect("fenced");
    assert_eq!(text.subject, "Checking in");
    assert_eq!(text.body, "Hi Lena");
    let bare = "```\n{\"subject\": \"A\", \"body\": \"B\"}\n```";
    assert_eq!(parse_draft(bare).expect("bare fence").subject, "A");
}

#[test]
fn a_plain_text_answer_falls_back_to_a_subject_line() {
    let text = parse_draft("Subject: Great to meet you\n\nHi Lena,\nWelcome.").expect("plain");
    assert_eq!(text.subject, "Great to meet you");
    assert_eq!(text.body, "Hi Lena,\nWelcome.");
    let bold = parse_draft("**Subject:** Hello\nBody here").expect("bold");
    assert_eq!(bold.subject, "Hello");
    assert_eq!(
        parse_draft("Hi Lena,\nno subject line here"),
        Err(AnswerProblem::MissingSubject)
    );
}

#[test]
fn broken_answers_are_refused_with_their_reason() {
    assert_eq!(parse_draft("   "), Err(AnswerProblem::Empty));
    assert!(matches!(
        parse_draft("{\"subject\": \"cut sho"),
        Err(AnswerProblem::Malformed(_))
    ));
    assert_eq!(
        parse_draft(r#"{"subject": "Only a subject"}"#),
        Err(AnswerProblem::MissingBody)
    );
    assert_eq!(
        parse_draft(r#"{"body": "Only a body"}"#),
        Err(AnswerProblem::MissingSubject)
    );
    assert_eq!(
        parse_draft("Subject: Hello\n"),
        Err(AnswerProblem::MissingBody)
    );
    let long_subject = format!(
        r#"{{"subject": "{}", "body": "b"}}"#,
        "s".repeat(SUBJECT_MAX_CHARS + 1)
    );
    assert!(matches!(
        parse_draft(&long_subject),
        Err(AnswerProblem::OutOfLimits(why)) if why.contains("200")
    ));
    let two_line_subject = r#"{"subject": "one\ntwo", "body": "b"}"#;
    assert!(matches!(
        parse_draft(two_line_subject),
        Err(AnswerProblem::OutOfLimits(_))
    ));
    assert!(AnswerProblem::MissingBody.to_string().contains("no body"));
}

#[test]
fn rewrites_are_read_plain_fenced_or_as_json() {
    assert_eq!(
        parse_rewrite("  \"Hello there.\" ").expect("quoted"),
        "Hello there."
    );
    assert_eq!(parse_rewrite("```\nHello.\n```").expect("fenced"), "Hello.");
    assert_eq!(
        parse_rewrite(r#"{"rewrite": "Hello, friend."}"#).expect("json"),
        "Hello, friend."
    );
    assert_eq!(parse_rewrite(""), Err(AnswerProblem::Empty));
    assert!(matches!(
        parse_rewrite("{oops"),
        Err(AnswerProblem::Malformed(_))
    ));
}

#[test]
fn every_follow_up_has_a_personal_template_labelled_as_one() {
    for kind in TaskKind::FOLLOW_UPS {
        let draft = Draft::template(kind, "Lena", "Sam Rivera", Fallback::Offline);
        assert_eq!(draft.source, DraftSource::Template);
        assert_eq!(
            draft.notice.as_deref(),
            Some("AI needs a connection — this is a template.")
        );
        assert!(
            draft.body.starts_with("Hi Lena,"),
            "{kind:?}: {}",
            draft.body
        );
        assert!(draft.body.ends_with("Sam Rivera"), "{kind:?}");
        assert!(!draft.subject.is_empty() && draft.subject.chars().count() <= SUBJECT_MAX_CHARS);
        assert!(!follow_up_name(kind).is_empty() && !follow_up_brief(kind).is_empty());
    }
    let nameless = template(TaskKind::Day1, " ", "");
    assert!(nameless.body.starts_with("Hi there,"));
    assert!(nameless.body.ends_with("Your agent"));
    for why in [
        Fallback::Offline,
        Fallback::NotConfigured,
        Fallback::Disabled,
        Fallback::Timeout,
        Fallback::Failed,
    ] {
        assert!(why.draft_notice().ends_with("this is a template."));
        assert!(why.enhance_notice().ends_with("your text is unchanged."));
    }
}

#[test]
fn ai_drafts_are_signed_and_unlabelled() {
    let draft = Draft::ai(
        DraftText {
            subject: "Hello".into(),
            body: "Hi Lena,\n\nBest regards,".into(),
        },
        "Sam Rivera",
    );
    assert_eq!(draft.source, DraftSource::Ai);
    assert_eq!(draft.notice, None);
    assert_eq!(draft.body, "Hi Lena,\n\nBest regards,\nSam Rivera");
    assert_eq!(
        signed("Thanks,\nSam Rivera", "Sam Rivera"),
        "Thanks,\nSam Rivera"
    );
    assert_eq!(signed("Thanks,", " "), "Thanks,");
}

#[test]
fn unchanged_text_keeps_the_original_and_says_why() {
    let enhanced = Enhanced::unchanged("See you at 5.".into(), Fallback::NotConfigured);
    assert_eq!(enhanced.original, enhanced.rewrite);
    assert_eq!(enhanced.source, DraftSource::Template);
    assert!(enhanced.notice.is_some());
}

#[test]
fn wire_shapes_round_trip_and_omit_an_absent_notice() {
    let draft = Draft::ai(
        DraftText {
            subject: "s".into(),
            body: "b".into(),
        },
        "",
    );
    assert_json_round_trip(&draft);
    let json = serde_json::to_value(&draft).expect("json");
    assert_eq!(
        json,
        serde_json::json!({"subject": "s", "body": "b", "source": "ai"})
    );
    assert_json_round_trip(&Draft::template(TaskKind::Day3, "A", "B", Fallback::Failed));
    assert_json_round_trip(&request(TaskKind::Week2, Some("x")));
    assert_json_round_trip(&Enhanced::unchanged("t".into(), Fallback::Timeout));
    let minimal: DraftRequest = serde_json::from_value(serde_json::json!({
        "contact": ContactId::from_uuid(uuid(7)), "kind": "day_1"
    }))
    .expect("instructions and notes are optional");
    assert_eq!(minimal.instructions, None);
}
