//! The Settings screen's "Region and format" card: the agent's locale as a one-record form of
//! the generic form reducer ([`Form`]), with what the card says around it: whether the
//! preferences follow the agent to their other devices, a preview of the format being chosen
//! and the currencies offered. The engine checks the locale (a currency code it does not know
//! comes back on `currency`); the card only offers choices.

use super::form::{table_path, FieldPath};
use super::record_form::{Form, FormAction, FormRecord, Submits};
use fieldstone_model::{AreaUnit, DateOrder, Locale, NumberStyle};
use fieldstone_protocol::commands::{CommandError, Preferences};
use std::rc::Rc;
use yew::Reducible;

/// The card's inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocaleField {
    DateOrder,
    NumberStyle,
    Currency,
    AreaUnit,
}

/// Each input's engine path (`Locale`'s field names), in the order the card shows them.
const FIELDS: [(LocaleField, &str); 4] = [
    (LocaleField::DateOrder, "date_order"),
    (LocaleField::NumberStyle, "number_style"),
    (LocaleField::Currency, "currency"),
    (LocaleField::AreaUnit, "area_unit"),
];

/// The element ids' prefix: `locale-currency`, `locale-date-order`...
pub const LOCALE_INPUT_PREFIX: &str = "locale";

impl FieldPath for LocaleField {
    fn path(self) -> String {
        table_path(&FIELDS, self)
    }
}

/// The currencies offered first: those agents using the app work in most.
pub const COMMON_CURRENCIES: [(&str, &str); 10] = [
    ("USD", "US dollar"),
    ("EUR", "Euro"),
    ("GBP", "Pound sterling"),
    ("CAD", "Canadian dollar"),
    ("AUD", "Australian dollar"),
    ("HKD", "Hong Kong dollar"),
    ("SGD", "Singapore dollar"),
    ("CHF", "Swiss franc"),
    ("JPY", "Japanese yen"),
    ("INR", "Indian rupee"),
];

/// `(code, label)` for the currency select: the common ones, and `current` first when it is
/// another (set on another device, or before this list grew), so the select never shows a
/// currency the agent did not choose.
pub fn currency_options(current: &str) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = COMMON_CURRENCIES
        .iter()
        .map(|(code, name)| ((*code).to_owned(), format!("{code} — {name}")))
        .collect();
    if !current.is_empty() && !COMMON_CURRENCIES.iter().any(|(code, _)| *code == current) {
        options.insert(0, (current.to_owned(), current.to_owned()));
    }
    options
}

/// The locale as chosen on the card.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocaleDraft(pub Locale);

/// One choice made on the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocaleEdit {
    DateOrder(DateOrder),
    NumberStyle(NumberStyle),
    Currency(String),
    AreaUnit(AreaUnit),
}

impl LocaleEdit {
    fn field(&self) -> LocaleField {
        match self {
            LocaleEdit::DateOrder(_) => LocaleField::DateOrder,
            LocaleEdit::NumberStyle(_) => LocaleField::NumberStyle,
            LocaleEdit::Currency(_) => LocaleField::Currency,
            LocaleEdit::AreaUnit(_) => LocaleField::AreaUnit,
        }
    }
}

impl FormRecord for LocaleDraft {
    type Setup = ();
    type Edit = LocaleEdit;
    type Input = Locale;
    type Saved = Preferences;

    fn apply(&mut self, edit: LocaleEdit) -> bool {
        let before = self.0.clone();
        let locale = &mut self.0;
        match edit {
            LocaleEdit::DateOrder(order) => locale.date_order = order,
            LocaleEdit::NumberStyle(style) => locale.number_style = style,
            LocaleEdit::Currency(code) => locale.currency = code,
            LocaleEdit::AreaUnit(unit) => locale.area_unit = unit,
        }
        self.0 != before
    }

    fn stale_paths(edit: &LocaleEdit) -> Vec<String> {
        vec![edit.field().path()]
    }

    fn to_input(&mut self, (): &()) -> Result<Locale, super::form::FormErrors> {
        // Every input is a choice; whether the currency is one the engine knows is its call.
        Ok(self.0.clone())
    }

    fn from_saved(saved: &Preferences, (): &()) -> Self {
        LocaleDraft(saved.locale.clone())
    }

    fn shows(&self, (): &(), path: &str) -> bool {
        FIELDS.iter().any(|(_, p)| *p == path)
    }

    fn order(&self, (): &()) -> Vec<String> {
        FIELDS.iter().map(|(_, p)| (*p).to_owned()).collect()
    }
}

/// The card: the preferences as read, and the form editing their locale.
#[derive(Debug, Clone, PartialEq)]
pub struct LocaleSettings {
    /// `None` while reading; the reason when they could not be read (and never were).
    pub loaded: Option<Result<(), String>>,
    /// They follow the agent to their other devices (signed in, not a viewer).
    pub follows_you: bool,
    /// The locale as stored: Save is offered when the draft differs from it.
    pub stored: Locale,
    pub form: Form<LocaleDraft>,
    /// Grows with every read asked for (the first, or Retry).
    pub read_seq: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LocaleSettingsAction {
    /// The preferences as read (at first, again after Retry, or when changes arrived).
    Loaded(Result<Preferences, CommandError>),
    /// Read them again after a failure.
    Retry,
    Form(FormAction<LocaleDraft>),
}

impl Default for LocaleSettings {
    fn default() -> Self {
        LocaleSettings {
            loaded: None,
            follows_you: false,
            stored: Locale::default(),
            form: Form::default(),
            read_seq: 1,
        }
    }
}

impl LocaleSettings {
    pub fn apply(&mut self, action: LocaleSettingsAction) {
        match action {
            LocaleSettingsAction::Loaded(Ok(preferences)) => {
                self.loaded = Some(Ok(()));
                self.follows_you = preferences.follows_you;
                self.stored = preferences.locale.clone();
                // A locale set elsewhere shows, unless the agent is choosing one here: their
                // choices are kept (Save then sends them, over the other).
                if !self.form.dirty && !self.form.submitting {
                    self.form
                        .apply(FormAction::Reset(Box::new(LocaleDraft(preferences.locale))));
                }
            }
            LocaleSettingsAction::Loaded(Err(error)) => {
                // A failed re-read keeps the card as it was; only a first read shows why.
                if !matches!(self.loaded, Some(Ok(()))) {
                    self.loaded = Some(Err(error.message));
                }
            }
            LocaleSettingsAction::Retry => {
                self.loaded = None;
                self.read_seq += 1;
            }
            LocaleSettingsAction::Form(action) => {
                if let FormAction::Saved(preferences) = &action {
                    self.follows_you = preferences.follows_you;
                    self.stored = preferences.locale.clone();
                }
                self.form.apply(action);
            }
        }
    }

    /// The locale being chosen.
    pub fn draft(&self) -> &Locale {
        &self.form.draft.0
    }

    /// Save is offered: something differs from what is stored, and nothing is being sent.
    pub fn can_save(&self) -> bool {
        *self.draft() != self.stored && !self.form.submitting
    }

    /// "Saved" shows after a save until something is chosen again.
    pub fn shows_saved(&self) -> bool {
        self.form.saved.is_some() && !self.can_save() && !self.form.submitting
    }

    /// The engine's message about `field`.
    pub fn error(&self, field: LocaleField) -> Option<&str> {
        self.form.errors.of(field)
    }

    /// A day, a price and a floor area as the draft would show them:
    /// "Tue 3 Nov 2026 · $425,000 · 1,850 sq ft".
    pub fn preview(&self) -> String {
        let locale = self.draft();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap_or_default();
        let currency = locale.currency.trim().to_uppercase();
        format!(
            "{} · {} · {}",
            locale.date(day, true),
            locale.money(425_000, &currency),
            locale.area(1850, AreaUnit::SquareFeet)
        )
    }

    /// Where these preferences live, in one sentence.
    pub fn where_kept(&self) -> &'static str {
        if self.follows_you {
            "These follow you: every device you sign in on shows dates, money and areas this way."
        } else {
            "These stay on this device. Signed in as an agent, they follow you to your other devices."
        }
    }
}

impl Reducible for LocaleSettings {
    type Action = LocaleSettingsAction;

    fn reduce(self: Rc<Self>, action: LocaleSettingsAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}

impl Submits for LocaleSettings {
    type Input = Locale;
    type Saved = Preferences;

    fn submit_seq(&self) -> u64 {
        self.form.submit_seq
    }

    fn submitted(&self) -> Option<Locale> {
        self.form.submitted.clone()
    }

    fn answered(outcome: Result<Preferences, CommandError>) -> LocaleSettingsAction {
        LocaleSettingsAction::Form(FormAction::answer(outcome))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::FieldError;
    use fieldstone_protocol::commands::CommandErrorCode;

    fn preferences(locale: Locale, follows_you: bool) -> Preferences {
        Preferences {
            locale,
            smart_lists: Vec::new(),
            follows_you,
            agent_phone: None,
            time_zone: "UTC".into(),
            time_zone_chosen: false,
            weekly_report: true,
            calendar_feed: false,
        }
    }

    fn euro() -> Locale {
        Locale {
            date_order: DateOrder::MonthDayYear,
            number_style: NumberStyle::DotComma,
            currency: "EUR".into(),
            area_unit: AreaUnit::SquareMetres,
        }
    }

    fn loaded(follows_you: bool) -> LocaleSettings {
        let mut card = LocaleSettings::default();
        card.apply(LocaleSettingsAction::Loaded(Ok(preferences(
            Locale::default(),
            follows_you,
        ))));
        card
    }

    fn edit(card: &mut LocaleSettings, edit: LocaleEdit) {
        card.apply(LocaleSettingsAction::Form(FormAction::Edit(edit)));
    }

    #[test]
    fn save_is_offered_only_for_a_change_and_sends_the_chosen_locale() {
        let mut card = loaded(true);
        assert_eq!(card.loaded, Some(Ok(())));
        assert!(!card.can_save());
        assert_eq!(card.preview(), "Tue 3 Nov 2026 · $425,000 · 1,850 sq ft");
        edit(&mut card, LocaleEdit::Currency("EUR".into()));
        assert!(card.can_save());
        edit(&mut card, LocaleEdit::Currency("USD".into()));
        assert!(!card.can_save(), "back to what is stored");
        edit(&mut card, LocaleEdit::DateOrder(DateOrder::MonthDayYear));
        edit(&mut card, LocaleEdit::NumberStyle(NumberStyle::DotComma));
        edit(&mut card, LocaleEdit::Currency("EUR".into()));
        edit(&mut card, LocaleEdit::AreaUnit(AreaUnit::SquareMetres));
        assert_eq!(card.preview(), "Tue Nov 3, 2026 · €425.000 · 172 m²");
        card.apply(LocaleSettingsAction::Form(FormAction::Submit));
        assert_eq!(card.submitted(), Some(euro()));
        assert!(!card.can_save(), "not twice");
        card.apply(LocaleSettings::answered(Ok(preferences(euro(), true))));
        assert_eq!(card.stored, euro());
        assert!(card.shows_saved());
        assert!(!card.can_save());
        edit(&mut card, LocaleEdit::AreaUnit(AreaUnit::SquareFeet));
        assert!(!card.shows_saved(), "a new choice hides Saved");
    }

    #[test]
    fn a_refused_currency_is_said_on_its_field_and_focused() {
        let mut card = loaded(false);
        edit(&mut card, LocaleEdit::Currency("XYZ".into()));
        card.apply(LocaleSettingsAction::Form(FormAction::Submit));
        let refusal = CommandError {
            code: CommandErrorCode::Validation,
            message: "Some fields need attention.".into(),
            fields: vec![FieldError {
                field: "currency".into(),
                message: "Use a three-letter currency code.".into(),
            }],
            detail: None,
        };
        card.apply(LocaleSettings::answered(Err(refusal)));
        assert_eq!(
            card.error(LocaleField::Currency),
            Some("Use a three-letter currency code.")
        );
        assert_eq!(card.form.errors.banner, None);
        let focus = card.form.focus.clone().expect("focus");
        assert_eq!(
            LocaleField::Currency.input_id(LOCALE_INPUT_PREFIX),
            "locale-currency"
        );
        assert_eq!(focus.path, "currency");
        assert!(card.can_save(), "the choice is kept to correct");
        edit(&mut card, LocaleEdit::Currency("EUR".into()));
        assert_eq!(card.error(LocaleField::Currency), None);
    }

    #[test]
    fn a_locale_from_another_device_shows_unless_one_is_being_chosen() {
        let mut card = loaded(true);
        card.apply(LocaleSettingsAction::Loaded(Ok(preferences(euro(), true))));
        assert_eq!(*card.draft(), euro());
        assert!(!card.can_save());
        edit(&mut card, LocaleEdit::Currency("GBP".into()));
        card.apply(LocaleSettingsAction::Loaded(Ok(preferences(
            Locale::default(),
            true,
        ))));
        assert_eq!(card.draft().currency, "GBP", "the agent's choice is kept");
        assert!(card.can_save());
    }

    #[test]
    fn reading_fails_then_retries_and_a_later_failure_keeps_the_card() {
        let mut card = LocaleSettings::default();
        let gone = CommandError::new(CommandErrorCode::Storage, "The disk is gone.");
        card.apply(LocaleSettingsAction::Loaded(Err(gone.clone())));
        assert_eq!(card.loaded, Some(Err("The disk is gone.".into())));
        card.apply(LocaleSettingsAction::Retry);
        assert_eq!((card.loaded.clone(), card.read_seq), (None, 2));
        let mut card = loaded(false);
        card.apply(LocaleSettingsAction::Loaded(Err(gone)));
        assert_eq!(card.loaded, Some(Ok(())));
    }

    #[test]
    fn the_sentence_says_where_they_are_kept_and_an_unusual_currency_is_offered() {
        assert!(loaded(true).where_kept().contains("follow you"));
        assert!(loaded(false).where_kept().contains("stay on this device"));
        let options = currency_options("NZD");
        assert_eq!(options[0], ("NZD".into(), "NZD".into()));
        assert_eq!(options.len(), 11);
        assert_eq!(currency_options("EUR").len(), 10);
    }
}
