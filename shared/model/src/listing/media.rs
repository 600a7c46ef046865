//! A listing's photos, floor plans, 360° media and external tours, and its open-house times.

use crate::checks::{check_count, Text};
use crate::choice::choice_enum;
use crate::uri::{check_https_url, check_relative_path};
use crate::validation::ValidationErrors;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const MEDIA_MAX: usize = 100;
pub const CAPTION_MAX_CHARS: usize = 200;
pub const OPEN_HOUSES_MAX: usize = 20;

choice_enum! {
    /// What a media reference points at.
    pub enum MediaKind as "media kind" {
        Photo => ("photo", "Photo"),
        Floorplan => ("floorplan", "Floor plan"),
        Media360 => ("media_360", "360° media"),
        ExternalTour => ("external_tour", "External tour"),
    }
}

impl MediaKind {
    /// Photos, floor plans and 360° media are files kept with the app (relative paths); an
    /// external tour is a web page on someone else's site (an https URL).
    pub const fn is_external(self) -> bool {
        matches!(self, MediaKind::ExternalTour)
    }
}

/// One media reference. `uri` is a relative path for local media (`photos/front.jpg`) and an
/// `https://` URL for an external tour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    pub kind: MediaKind,
    pub uri: String,
    #[serde(default)]
    pub caption: Option<String>,
}

/// One open house: a half-open interval `[starts_at, ends_at)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenHouse {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// Checks media references; problems are keyed `media`, `media.N.uri`, `media.N.caption`.
pub(crate) fn media(errors: &mut ValidationErrors, input: &[Media]) -> Vec<Media> {
    check_count(errors, "media", input.len(), MEDIA_MAX, "media items");
    let caption_rule = Text::line("a caption", CAPTION_MAX_CHARS);
    input
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let uri = item.uri.trim().to_owned();
            let checked = if item.kind.is_external() {
                check_https_url(&uri)
            } else {
                check_relative_path(&uri)
            };
            if let Err(message) = checked {
                errors.push(&format!("media.{i}.uri"), message);
            }
            Media {
                kind: item.kind,
                uri,
                caption: caption_rule.optional(
                    errors,
                    &format!("media.{i}.caption"),
                    item.caption.as_deref(),
                ),
            }
        })
        .collect()
}

/// Checks open houses (each must end after it starts; problems keyed `open_houses.N.ends_at`)
/// and returns them sorted by start time.
pub(crate) fn open_houses(errors: &mut ValidationErrors, input: &[OpenHouse]) -> Vec<OpenHouse> {
    check_count(
        errors,
        "open_houses",
        input.len(),
        OPEN_HOUSES_MAX,
        "open houses",
    );
    for (i, open_house) in input.iter().enumerate() {
        if open_house.ends_at <= open_house.starts_at {
            errors.push(
                &format!("open_houses.{i}.ends_at"),
                "An open house must end after it starts.",
            );
        }
    }
    let mut sorted = input.to_vec();
    sorted.sort_by_key(|open_house| (open_house.starts_at, open_house.ends_at));
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::assert_choice_names;
    use crate::test_support::at;

    fn item(kind: MediaKind, uri: &str) -> Media {
        Media {
            kind,
            uri: uri.into(),
            caption: None,
        }
    }

    #[test]
    fn kinds_are_consistent() {
        assert_choice_names::<MediaKind>();
        assert!(MediaKind::ExternalTour.is_external());
        assert!(!MediaKind::Media360.is_external());
    }

    #[test]
    fn local_media_are_relative_paths_and_tours_are_https() {
        let mut errors = ValidationErrors::default();
        let out = media(
            &mut errors,
            &[
                Media {
                    caption: Some(" Front ".into()),
                    ..item(MediaKind::Photo, " photos/front.jpg ")
                },
                item(MediaKind::Floorplan, "plans/ground.pdf"),
                item(MediaKind::Media360, "pano/lounge.jpg"),
                item(MediaKind::ExternalTour, "https://tours.example.com/12-elm"),
            ],
        );
        assert!(errors.is_empty(), "{errors}");
        assert_eq!(out[0].uri, "photos/front.jpg");
        assert_eq!(out[0].caption.as_deref(), Some("Front"));
    }

    #[test]
    fn bad_media_are_reported_by_index() {
        let mut errors = ValidationErrors::default();
        media(
            &mut errors,
            &[
                item(MediaKind::Photo, "photos/ok.jpg"),
                item(MediaKind::Photo, "../../etc/passwd"),
                item(MediaKind::Floorplan, "/abs/plan.pdf"),
                item(MediaKind::Photo, "https://cdn.example.com/a.jpg"),
                item(MediaKind::ExternalTour, "http://tours.example.com/"),
                Media {
                    caption: Some("c".repeat(CAPTION_MAX_CHARS + 1)),
                    ..item(MediaKind::Photo, "photos/b.jpg")
                },
            ],
        );
        assert_eq!(
            errors.fields(),
            [
                "media.1.uri",
                "media.2.uri",
                "media.3.uri",
                "media.4.uri",
                "media.5.caption"
            ]
        );
        let mut errors = ValidationErrors::default();
        let many: Vec<_> = (0..=MEDIA_MAX)
            .map(|i| item(MediaKind::Photo, &format!("p/{i}.jpg")))
            .collect();
        media(&mut errors, &many);
        assert_eq!(errors.fields(), ["media"]);
    }

    #[test]
    fn open_houses_must_end_after_they_start_and_come_back_sorted() {
        let later = OpenHouse {
            starts_at: at(2025, 5, 11, 14, 0),
            ends_at: at(2025, 5, 11, 16, 0),
        };
        let earlier = OpenHouse {
            starts_at: at(2025, 5, 10, 14, 0),
            ends_at: at(2025, 5, 10, 16, 0),
        };
        let mut errors = ValidationErrors::default();
        assert_eq!(
            open_houses(&mut errors, &[later, earlier]),
            [earlier, later]
        );
        assert!(errors.is_empty());
        let empty = OpenHouse {
            starts_at: later.starts_at,
            ends_at: later.starts_at,
        };
        let backwards = OpenHouse {
            starts_at: later.ends_at,
            ends_at: later.starts_at,
        };
        open_houses(&mut errors, &[later, empty, backwards]);
        assert_eq!(
            errors.fields(),
            ["open_houses.1.ends_at", "open_houses.2.ends_at"]
        );
        let mut errors = ValidationErrors::default();
        open_houses(&mut errors, &vec![later; OPEN_HOUSES_MAX + 1]);
        assert_eq!(errors.fields(), ["open_houses"]);
    }
}
