//! What a contact's Call button does, as a reducer: it asks the shell (`place_call`), which
//! says whether the server is ringing the agent's phone, refused with a rule's reason, or the
//! device should dial as before. One request at a time; an answer is matched to the press it
//! belongs to, so a late one never overwrites a newer press. A dial is numbered too, so the
//! screen hands each `tel:` link to the OS exactly once and then offers to log the call — but
//! never for a call the server placed: that one reaches the timeline by sync.

use fieldstone_protocol::calls::{CallPlaced, PlaceCall};
use std::rc::Rc;
use yew::Reducible;

/// The line under the buttons after a press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallNotice {
    /// The server is ringing the agent's phone.
    Ringing(String),
    /// The server refused (consent, do-not-call, calling hours, minutes): nothing rang.
    Refused(String),
    /// Dialled from the device; why the server did not place it.
    Hint(String),
}

impl CallNotice {
    pub fn text(&self) -> &str {
        match self {
            CallNotice::Ringing(text) | CallNotice::Refused(text) | CallNotice::Hint(text) => text,
        }
    }

    /// For styles and tests.
    pub fn key(&self) -> &'static str {
        match self {
            CallNotice::Ringing(_) => "ringing",
            CallNotice::Refused(_) => "refused",
            CallNotice::Hint(_) => "hint",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallFlow {
    seq: u64,
    /// The request to send, numbered: the screen sends it when this changes.
    pub run: Option<(u64, PlaceCall)>,
    /// A `tel:` link to hand to the OS now, numbered so it is handed over once.
    pub dial: Option<u64>,
    pub notice: Option<CallNotice>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CallAction {
    Press(PlaceCall),
    /// The shell's answer to press `seq` (an error's message when the command failed).
    Answered {
        seq: u64,
        result: Result<CallPlaced, String>,
    },
    Dismiss,
}

impl CallFlow {
    /// A press is being answered: the button waits.
    pub fn asking(&self) -> bool {
        self.run.is_some()
    }
}

impl Reducible for CallFlow {
    type Action = CallAction;

    fn reduce(self: Rc<Self>, action: CallAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            // A second press while the first is asked would ring twice.
            CallAction::Press(_) if self.asking() => return self,
            CallAction::Press(request) => {
                next.seq += 1;
                next.run = Some((next.seq, request));
                next.notice = None;
            }
            CallAction::Answered { seq, .. } if self.run.as_ref().map(|(s, _)| *s) != Some(seq) => {
                return self;
            }
            CallAction::Answered { seq, result } => {
                next.run = None;
                match result {
                    Ok(CallPlaced::Ringing { message }) => {
                        next.notice = Some(CallNotice::Ringing(message))
                    }
                    Ok(CallPlaced::Refused { reason }) => {
                        next.notice = Some(CallNotice::Refused(reason))
                    }
                    Ok(CallPlaced::Dial { hint }) => {
                        next.dial = Some(seq);
                        next.notice = hint.map(CallNotice::Hint);
                    }
                    // The shell could not decide: the device can still dial.
                    Err(message) => {
                        next.dial = Some(seq);
                        next.notice = Some(CallNotice::Hint(message));
                    }
                }
            }
            CallAction::Dismiss if self.notice.is_none() => return self,
            CallAction::Dismiss => next.notice = None,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::ContactId;

    fn press() -> CallAction {
        let contact: ContactId = "00000000-0000-4000-8000-000000000001".parse().expect("id");
        CallAction::Press(PlaceCall {
            contact,
            to: "+15555550123".into(),
        })
    }

    fn apply(state: Rc<CallFlow>, actions: Vec<CallAction>) -> Rc<CallFlow> {
        actions.into_iter().fold(state, Reducible::reduce)
    }

    fn seq(state: &CallFlow) -> u64 {
        state.run.as_ref().map(|(s, _)| *s).expect("asking")
    }

    #[test]
    fn a_call_the_server_places_rings_and_dials_nothing() {
        let asking = apply(Rc::default(), vec![press()]);
        assert!(asking.asking());
        let seq = seq(&asking);
        // A second press while asking does not ask again.
        let again = apply(Rc::clone(&asking), vec![press()]);
        assert_eq!(again.run, asking.run);
        let ringing = apply(
            asking,
            vec![CallAction::Answered {
                seq,
                result: Ok(CallPlaced::Ringing {
                    message: "Ringing your phone… answer it and we'll connect Lena Park.".into(),
                }),
            }],
        );
        assert!(!ringing.asking());
        assert_eq!(ringing.dial, None, "no tel: link, so no log prompt either");
        assert_eq!(
            ringing.notice,
            Some(CallNotice::Ringing(
                "Ringing your phone… answer it and we'll connect Lena Park.".into()
            ))
        );
    }

    #[test]
    fn a_refusal_says_the_rule_and_dials_nothing() {
        let asking = apply(Rc::default(), vec![press()]);
        let seq = seq(&asking);
        let refused = apply(
            asking,
            vec![CallAction::Answered {
                seq,
                result: Ok(CallPlaced::Refused {
                    reason: "+15555550123 is on your organisation's do-not-call list.".into(),
                }),
            }],
        );
        assert_eq!(refused.dial, None);
        assert_eq!(
            refused.notice.as_ref().map(CallNotice::key),
            Some("refused")
        );
    }

    #[test]
    fn a_fallback_dials_once_per_press_with_its_hint() {
        let asking = apply(Rc::default(), vec![press()]);
        let first = seq(&asking);
        let dial = apply(
            asking,
            vec![CallAction::Answered {
                seq: first,
                result: Ok(CallPlaced::Dial {
                    hint: Some(
                        "Set your phone in Settings to have Fieldstone call you first.".into(),
                    ),
                }),
            }],
        );
        assert_eq!(dial.dial, Some(first));
        assert_eq!(dial.notice.as_ref().map(CallNotice::key), Some("hint"));
        // Local only: no hint, still a dial; each press its own number.
        let asking = apply(dial, vec![press()]);
        let second = seq(&asking);
        assert_ne!(second, first);
        assert_eq!(asking.notice, None, "a new press clears the last line");
        let quiet = apply(
            asking,
            vec![CallAction::Answered {
                seq: second,
                result: Ok(CallPlaced::Dial { hint: None }),
            }],
        );
        assert_eq!(quiet.dial, Some(second));
        assert_eq!(quiet.notice, None);
        // The command itself failing still lets the agent call.
        let asking = apply(quiet, vec![press()]);
        let third = seq(&asking);
        let failed = apply(
            asking,
            vec![CallAction::Answered {
                seq: third,
                result: Err("The operation did not finish.".into()),
            }],
        );
        assert_eq!(failed.dial, Some(third));
    }

    #[test]
    fn a_late_answer_to_an_older_press_changes_nothing() {
        let asking = apply(Rc::default(), vec![press()]);
        let seq = seq(&asking);
        let stale = apply(
            Rc::clone(&asking),
            vec![CallAction::Answered {
                seq: seq + 1,
                result: Ok(CallPlaced::Dial { hint: None }),
            }],
        );
        assert_eq!(stale, asking);
        let done = apply(
            asking,
            vec![
                CallAction::Answered {
                    seq,
                    result: Ok(CallPlaced::Refused {
                        reason: "Outside calling hours.".into(),
                    }),
                },
                // Answered twice (a retried effect): the second is stale now.
                CallAction::Answered {
                    seq,
                    result: Ok(CallPlaced::Dial { hint: None }),
                },
            ],
        );
        assert_eq!(done.dial, None);
        let dismissed = apply(done, vec![CallAction::Dismiss]);
        assert_eq!(dismissed.notice, None);
    }
}
