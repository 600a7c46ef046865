//! The dialog that settles a conflicting edit: two devices set the same field at the same time,
//! both values were kept, and the person picks the one that stays.

use super::dialog::Dialog;
use fieldstone_model::{Choice, ContactKind, LeadSource, ListingStatus, Priority, Stage};
use fieldstone_protocol::views::FieldConflict;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ConflictDialogProps {
    pub conflict: FieldConflict,
    pub busy: bool,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    pub on_choose: Callback<String>,
    pub on_close: Callback<()>,
}

/// What people call a contact's field (`preferences.budget_max` → "Budget up to").
pub fn field_label(path: &str) -> String {
    let known = match path {
        "given_name" => "Given name",
        "family_name" => "Family name",
        "stage" => "Stage",
        "kind" => "Looking to",
        "priority" => "Priority",
        "source" => "Source",
        "source_detail" => "Source detail",
        "instagram" => "Instagram",
        "whatsapp" => "WhatsApp",
        "time_zone" => "Time zone",
        "assigned_agent" => "Assigned agent",
        "preferences.budget_min" => "Budget from",
        "preferences.budget_max" => "Budget up to",
        "preferences.bedrooms_min" => "Bedrooms",
        "preferences.bathrooms_min" => "Bathrooms",
        "preferences.move_in" => "Move in by",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    let last = path.rsplit('.').next().unwrap_or(path).replace('_', " ");
    let mut chars = last.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A value as people read it: the engine shows the stored value (`qualified`), the dialog the
/// same words the rest of the app uses for it (`Qualified`).
pub fn value_label(path: &str, display: &str) -> String {
    fn label<T: Choice + std::str::FromStr>(display: &str) -> Option<&'static str> {
        display.parse::<T>().ok().map(Choice::label)
    }
    let known = match path {
        "stage" => display.parse::<Stage>().ok().map(Stage::label),
        "kind" => label::<ContactKind>(display),
        "source" => label::<LeadSource>(display),
        "priority" => label::<Priority>(display),
        "status" => label::<ListingStatus>(display),
        _ => None,
    };
    known.map_or_else(|| display.to_owned(), str::to_owned)
}

#[component]
pub fn ConflictDialog(props: &ConflictDialogProps) -> Html {
    let label = field_label(&props.conflict.field);
    html! {
        <Dialog id="conflict-dialog" title={format!("Choose the {}", label.to_lowercase())} on_close={props.on_close.clone()}>
            <p class="dialog__lead">
                { format!("{label} was changed on two devices at the same time, so both values were kept. Which one is right?") }
            </p>
            <ul class="conflict-options">
                for (i, option) in props.conflict.options.iter().enumerate() {
                    <li key={option.choice.clone()}>
                        <button
                            type="button"
                            id={format!("conflict-choice-{i}")}
                            class="conflict-option"
                            data-value={option.display.clone()}
                            disabled={props.busy}
                            onclick={{ let choice = option.choice.clone(); props.on_choose.reform(move |_: MouseEvent| choice.clone()) }}
                        >
                            <span class="conflict-option__value">{ value_label(&props.conflict.field, &option.display) }</span>
                            <span class="conflict-option__action">{ "Keep this" }</span>
                        </button>
                    </li>
                }
            </ul>
            if let Some(error) = &props.error {
                <p class="field__error" role="alert">{ error.clone() }</p>
            }
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::{field_label, value_label};

    #[test]
    fn value_labels() {
        assert_eq!(value_label("stage", "qualified"), "Qualified");
        assert_eq!(value_label("kind", "both"), "Buyer and seller");
        assert_eq!(value_label("source", "open_house"), "Open house");
        assert_eq!(value_label("given_name", "qualified"), "qualified");
        assert_eq!(value_label("stage", "not-a-stage"), "not-a-stage");
    }

    #[test]
    fn field_labels() {
        assert_eq!(field_label("stage"), "Stage");
        assert_eq!(field_label("preferences.budget_max"), "Budget up to");
        assert_eq!(field_label("emails.0.address"), "Address");
        assert_eq!(field_label("price"), "Price");
    }
}
