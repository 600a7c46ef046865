use super::*;
use crate::contact::{Consent, Consents};
use crate::test_support::at;

fn consents(email: ConsentStatus, sms: ConsentStatus) -> Consents {
    let mut c = Consents::default();
    let with = |status| match status {
        ConsentStatus::Granted => Consent::granted("web form opt-in", at(2026, 1, 5, 9, 0)),
        ConsentStatus::Denied => Consent::denied("replied STOP", at(2026, 1, 5, 9, 0)),
        ConsentStatus::Unknown => Consent::default(),
    };
    c.set(ConsentChannel::Email, with(email));
    c.set(ConsentChannel::Sms, with(sms));
    c
}

fn rule(result: Result<(), Refusal>) -> Option<String> {
    result.err().map(|r| r.rule)
}

#[test]
fn a_one_to_one_message_needs_only_that_the_contact_has_not_said_no() {
    use ConsentStatus::*;
    use MessageChannel::*;
    use MessagePurpose::*;
    let unknown = consents(Unknown, Unknown);
    for rules in [ConsentRules::us(), ConsentRules::opt_in()] {
        for channel in [Email, Sms] {
            for purpose in [OneToOne, Transactional] {
                assert_eq!(
                    rule(check_consent(&unknown, channel, purpose, &rules)),
                    None
                );
            }
        }
    }
    let refused = consents(Denied, Denied);
    let error = check_consent(&refused, Sms, OneToOne, &ConsentRules::us()).expect_err("no");
    assert_eq!(error.rule, "consent_revoked");
    assert_eq!(
        error.reason,
        "The contact said no to text messages (replied STOP)."
    );
}

#[test]
fn us_marketing_email_is_opt_out_and_marketing_texts_need_a_yes() {
    use ConsentStatus::*;
    use MessageChannel::*;
    let us = ConsentRules::us();
    let imported = consents(Unknown, Unknown);
    // Imported with unknown consent: emailed one to one and in a campaign, not texted one.
    assert_eq!(
        rule(check_consent(
            &imported,
            Email,
            MessagePurpose::Marketing,
            &us
        )),
        None
    );
    let error = check_consent(&imported, Sms, MessagePurpose::Marketing, &us).expect_err("no");
    assert_eq!(error.rule, "consent_missing");
    assert!(error.reason.contains("\"not asked\""), "{}", error.reason);
    let agreed = consents(Unknown, Granted);
    assert_eq!(
        rule(check_consent(&agreed, Sms, MessagePurpose::Marketing, &us)),
        None
    );
}

#[test]
fn opt_in_rules_need_a_yes_for_all_marketing() {
    use ConsentStatus::*;
    use MessageChannel::*;
    let rules = ConsentRules::opt_in();
    assert_eq!(
        rule(check_consent(
            &consents(Unknown, Unknown),
            Email,
            MessagePurpose::Marketing,
            &rules
        )),
        Some("consent_missing".into())
    );
    assert_eq!(
        rule(check_consent(
            &consents(Granted, Unknown),
            Email,
            MessagePurpose::Marketing,
            &rules
        )),
        None
    );
}

#[test]
fn the_do_not_call_list_matches_numbers_whatever_their_format() {
    let list = [dnc_key("+1 (555) 010-2030")];
    let listed = || list.iter().map(String::as_str);
    assert_eq!(dnc_key("+1 555.010.2030"), "+15550102030");
    assert_eq!(
        rule(check_do_not_call(
            MessageChannel::Sms,
            "+1 555 010 2030",
            listed()
        )),
        Some("do_not_call".into())
    );
    assert_eq!(
        rule(check_do_not_call(
            MessageChannel::Sms,
            "+1 555 010 2031",
            listed()
        )),
        None
    );
    // Without the country code it is another key: lists are kept as numbers were given.
    assert_eq!(
        rule(check_do_not_call(
            MessageChannel::Sms,
            "555 010 2030",
            listed()
        )),
        None
    );
    assert_eq!(
        rule(check_do_not_call(
            MessageChannel::Email,
            "+1 555 010 2030",
            listed()
        )),
        None
    );
}

#[test]
fn texts_wait_for_daytime_in_the_recipients_zone() {
    let chicago = chrono_tz::America::Chicago;
    // 03:00 UTC on 7 December is 21:00 in Chicago (UTC-6): the first minute of quiet.
    let error =
        check_quiet_hours(MessageChannel::Sms, at(2026, 12, 7, 3, 0), chicago).expect_err("quiet");
    assert_eq!(error.rule, "quiet_hours");
    assert_eq!(
        error.reason,
        "It is 21:00 for the recipient (America/Chicago); texts go out between 8:00 and 21:00 \
         their time."
    );
    // 02:59 UTC is 20:59 there: still fine.
    assert!(check_quiet_hours(MessageChannel::Sms, at(2026, 12, 7, 2, 59), chicago).is_ok());
    // 14:00 UTC is 08:00 there: the first minute allowed; 13:59 is not.
    assert!(check_quiet_hours(MessageChannel::Sms, at(2026, 12, 7, 14, 0), chicago).is_ok());
    assert!(check_quiet_hours(MessageChannel::Sms, at(2026, 12, 7, 13, 59), chicago).is_err());
    // The same instant is daytime in Berlin, and email has no quiet hours.
    let berlin = chrono_tz::Europe::Berlin;
    assert!(check_quiet_hours(MessageChannel::Sms, at(2026, 12, 7, 3, 0), berlin).is_err());
    assert!(check_quiet_hours(MessageChannel::Sms, at(2026, 12, 7, 9, 0), berlin).is_ok());
    assert!(check_quiet_hours(MessageChannel::Email, at(2026, 12, 7, 3, 0), chicago).is_ok());
}

#[test]
fn summer_time_is_the_zones_own() {
    // 22:30 UTC on 1 July is 17:30 in Chicago (UTC-5 in summer): fine; the same UTC time in
    // January (UTC-6) is 16:30, also fine; 01:30 UTC in July is 20:30 there, still fine.
    let chicago = chrono_tz::America::Chicago;
    assert!(check_quiet_hours(MessageChannel::Sms, at(2026, 7, 2, 1, 30), chicago).is_ok());
    // 02:00 UTC in July is 21:00 in Chicago; in January it is 20:00.
    assert!(check_quiet_hours(MessageChannel::Sms, at(2026, 7, 2, 2, 0), chicago).is_err());
    assert!(check_quiet_hours(MessageChannel::Sms, at(2026, 1, 8, 2, 0), chicago).is_ok());
}
