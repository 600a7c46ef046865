//! A contact form being filled in and sent: the new-contact dialog and the detail screen's
//! editor. The engine's verdict lands next to the fields it names; typing into a field clears
//! its message; a second submit while one is in flight is ignored.

use super::contact_draft::{ContactDraft, DraftEdit};
use super::contact_field::{ContactField, RowPart};
use super::form::{FieldPath, FormErrors};
use super::record_form::{self, Form, FormRecord};
use fieldstone_model::contact::CUSTOM_FIELDS_MAX;
use fieldstone_model::{ConsentChannel, Contact, ContactInput};

/// Which fields a form shows inputs for; engine messages about other fields go to its banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormScope {
    /// The quick dialog: names, one email, one phone, kind, stage, source, tags.
    Quick,
    /// Every field.
    Full,
}

impl FormScope {
    /// Whether the form has a place for the engine's message about `path`.
    pub fn shows(self, path: &str) -> bool {
        use ContactField as F;
        match self {
            FormScope::Quick => matches!(
                ContactField::parse(path),
                Some(
                    F::GivenName
                        | F::FamilyName
                        | F::Email(0, RowPart::Value)
                        | F::Phone(0, RowPart::Value)
                        | F::Kind
                        | F::Stage
                        | F::Source
                        | F::Tags
                        | F::CustomFields
                        | F::CustomKey(_)
                        | F::CustomValue(_)
                )
            ),
            FormScope::Full => true,
        }
    }

    /// Inputs in the order the form shows them: where focus goes after a refused submit.
    pub fn order(self, draft: &ContactDraft) -> Vec<ContactField> {
        use ContactField as F;
        let (emails, phones) = match self {
            FormScope::Quick => (1, 1),
            FormScope::Full => (draft.emails.len(), draft.phones.len()),
        };
        let mut order = vec![F::GivenName, F::FamilyName];
        order.extend((0..emails).map(|i| F::Email(i, RowPart::Value)));
        order.extend((0..phones).map(|i| F::Phone(i, RowPart::Value)));
        order.extend([
            F::Instagram,
            F::Whatsapp,
            F::Tags,
            F::SourceDetail,
            F::BudgetMin,
            F::BudgetMax,
            F::Areas,
            F::BedroomsMin,
            F::BathroomsMin,
            F::MoveIn,
            F::MustHaves,
        ]);
        order.extend(ConsentChannel::ALL.map(F::ConsentSource));
        for i in 0..draft.custom_fields.len() {
            order.extend([F::CustomKey(i), F::CustomValue(i)]);
        }
        order.retain(|field| self.shows(&field.path()));
        order
    }
}

/// The contact form: the generic form reducer over a [`ContactDraft`], showing the inputs of
/// its [`FormScope`].
pub type ContactForm = Form<ContactDraft>;
pub type FormAction = record_form::FormAction<ContactDraft>;

impl FormRecord for ContactDraft {
    type Setup = FormScope;
    type Edit = DraftEdit;
    type Input = ContactInput;
    type Saved = Contact;

    fn apply(&mut self, edit: DraftEdit) -> bool {
        ContactDraft::apply(self, edit)
    }

    fn stale_paths(edit: &DraftEdit) -> Vec<String> {
        match edit {
            // The rows after a removed one move up: their messages no longer point at them.
            DraftEdit::RemoveCustom(i) => (*i..=CUSTOM_FIELDS_MAX)
                .flat_map(|j| [ContactField::CustomKey(j), ContactField::CustomValue(j)])
                .map(FieldPath::path)
                .chain([ContactField::CustomFields.path()])
                .collect(),
            // A new type makes the value's message stale too.
            DraftEdit::Set(ContactField::CustomType(i), _) => {
                vec![ContactField::CustomValue(*i).path()]
            }
            edit => vec![edit.field().path()],
        }
    }

    fn to_input(&mut self, _: &FormScope) -> Result<ContactInput, FormErrors> {
        self.drop_blank_custom();
        ContactDraft::to_input(self)
    }

    fn from_saved(contact: &Contact, _: &FormScope) -> Self {
        ContactDraft::from_contact(contact)
    }

    fn shows(&self, scope: &FormScope, path: &str) -> bool {
        scope.shows(path)
    }

    fn order(&self, scope: &FormScope) -> Vec<String> {
        scope.order(self).into_iter().map(FieldPath::path).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::FieldError;
    use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
    use std::rc::Rc;
    use yew::Reducible;

    fn reduce_all(
        scope: FormScope,
        actions: impl IntoIterator<Item = FormAction>,
    ) -> Rc<ContactForm> {
        actions.into_iter().fold(
            Rc::new(ContactForm::new(scope, ContactDraft::default())),
            |state, action| state.reduce(action),
        )
    }

    fn set(path: &str, value: &str) -> FormAction {
        let field = ContactField::parse(path).expect("a contact field");
        FormAction::Edit(DraftEdit::Set(field, value.into()))
    }

    fn refused(fields: &[(&str, &str)]) -> FormAction {
        FormAction::Failed(CommandError {
            code: CommandErrorCode::Validation,
            message: "Check the highlighted fields.".into(),
            fields: fields
                .iter()
                .map(|(field, message)| FieldError {
                    field: (*field).into(),
                    message: (*message).into(),
                })
                .collect(),
            detail: None,
        })
    }

    #[test]
    fn submit_sends_the_input_once() {
        let state = reduce_all(
            FormScope::Quick,
            [set("given_name", "Ada"), FormAction::Submit],
        );
        assert!(state.submitting && state.dirty);
        assert_eq!(state.submit_seq, 1);
        assert_eq!(
            state.submitted.as_ref().map(|i| i.given_name.as_str()),
            Some("Ada")
        );
        let again = Rc::clone(&state).reduce(FormAction::Submit);
        assert!(Rc::ptr_eq(&state, &again));
    }

    #[test]
    fn the_engines_messages_go_next_to_shown_fields_and_focus_the_first() {
        let state = reduce_all(
            FormScope::Quick,
            [
                set("emails.0.address", "ada@"),
                FormAction::Submit,
                refused(&[
                    ("emails.0.address", "\"ada@\" is not an email address."),
                    ("given_name", "Enter a given or family name."),
                    ("preferences.budget_max", "Too much."),
                ]),
            ],
        );
        assert!(!state.submitting);
        assert!(state.errors.get("emails.0.address").is_some());
        assert!(state.errors.get("given_name").is_some());
        assert_eq!(
            state.errors.banner.as_deref(),
            Some("Too much."),
            "not in the quick form"
        );
        assert_eq!(
            state.focus.as_ref().map(|f| f.path.as_str()),
            Some("given_name")
        );
        assert_eq!(
            state.draft.value(ContactField::Email(0, RowPart::Value)),
            "ada@",
            "kept as typed"
        );

        let state = state.reduce(set("emails.0.address", "ada@example.com"));
        assert_eq!(state.errors.get("emails.0.address"), None);
        assert!(state.errors.get("given_name").is_some());
        let same = Rc::clone(&state).reduce(set("emails.0.address", "ada@example.com"));
        assert!(Rc::ptr_eq(&state, &same));
    }

    #[test]
    fn text_in_a_number_field_is_caught_before_sending() {
        let state = reduce_all(
            FormScope::Full,
            [set("preferences.budget_min", "a lot"), FormAction::Submit],
        );
        assert!(!state.submitting);
        assert_eq!(state.submit_seq, 0);
        assert!(state.errors.get("preferences.budget_min").is_some());
        assert_eq!(
            state.focus.as_ref().map(|f| f.path.as_str()),
            Some("preferences.budget_min")
        );
    }

    #[test]
    fn custom_fields_are_sent_typed_and_refusals_land_on_their_row() {
        let state = reduce_all(
            FormScope::Quick,
            [
                set("given_name", "Ada"),
                // Left blank: dropped on submit, so the engine's indexes name the rows shown.
                FormAction::Edit(DraftEdit::AddCustom),
                FormAction::Edit(DraftEdit::AddCustom),
                set("custom_fields.1.key", "a.b"),
                set("custom_fields.1.value", "x"),
                FormAction::Edit(DraftEdit::AddCustom),
                set("custom_fields.2.key", "Deposit"),
                set("custom_fields.2.type", "number"),
                set("custom_fields.2.value", "10.5"),
                FormAction::Submit,
            ],
        );
        let sent = state.submitted.as_ref().expect("sent");
        assert_eq!(sent.custom_fields.len(), 2);
        assert_eq!(sent.custom_fields[0].key, "a.b");
        assert_eq!(
            sent.custom_fields[1].value,
            fieldstone_model::CustomValue::Number(10.5)
        );
        assert_eq!(state.draft.custom_fields.len(), 2, "the blank row went");
        let state = state.reduce(refused(&[(
            "custom_fields.0.key",
            "A field name cannot contain a full stop (.).",
        )]));
        assert_eq!(
            state.errors.get("custom_fields.0.key"),
            Some("A field name cannot contain a full stop (.).")
        );
        assert_eq!(
            state.errors.banner, None,
            "shown on the row, not the banner"
        );
        assert_eq!(
            state.focus.as_ref().map(|f| f.path.as_str()),
            Some("custom_fields.0.key")
        );
        let state = state.reduce(set("custom_fields.0.key", "ab"));
        assert_eq!(state.errors.get("custom_fields.0.key"), None);
    }

    #[test]
    fn a_custom_number_that_is_not_one_is_caught_on_its_row() {
        let state = reduce_all(
            FormScope::Full,
            [
                set("given_name", "Ada"),
                FormAction::Edit(DraftEdit::AddCustom),
                set("custom_fields.0.key", "Deposit"),
                set("custom_fields.0.type", "number"),
                set("custom_fields.0.value", "ten"),
                FormAction::Submit,
            ],
        );
        assert_eq!(state.submit_seq, 0);
        assert!(state.errors.get("custom_fields.0.value").is_some());
        // Removing the row takes its message with it.
        let state = state.reduce(FormAction::Edit(DraftEdit::RemoveCustom(0)));
        assert!(state.errors.is_empty(), "{:?}", state.errors);
        assert!(state.draft.custom_fields.is_empty());
    }

    #[test]
    fn a_storage_failure_is_a_banner_and_keeps_the_draft() {
        let state = reduce_all(
            FormScope::Full,
            [
                set("given_name", "Ada"),
                FormAction::Submit,
                FormAction::Failed(CommandError::new(CommandErrorCode::Storage, "Disk full.")),
            ],
        );
        assert_eq!(state.errors.banner.as_deref(), Some("Disk full."));
        assert_eq!(state.draft.given_name, "Ada");
        assert!(state.dirty);
    }
}
