//! How the organisation presents itself on the pages the server shows the public (listing
//! pages, the portal): its accent colour and the legal disclaimer under every listing. Kept in
//! the organisation's settings document (DESIGN decision 17), changed by admins.

use crate::checks::Text;
use crate::validation::{Valid, ValidationErrors};
use serde::{Deserialize, Serialize};

pub const DISCLAIMER_MAX_CHARS: usize = 2_000;
pub const TAGLINE_MAX_CHARS: usize = 120;
/// The accent used until an admin picks one (white text on it reads at 4.5:1 or better).
pub const DEFAULT_ACCENT: &str = "#1d4ed8";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// `#rrggbb`; buttons and links on public pages.
    #[serde(default)]
    pub accent: Option<String>,
    /// Under the organisation's name ("Homes in North London since 1998").
    #[serde(default)]
    pub tagline: Option<String>,
    /// Shown under every public listing (the MLS or the law usually requires one).
    #[serde(default)]
    pub disclaimer: Option<String>,
}

impl Branding {
    pub fn validate(&self) -> Result<Valid<Branding>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let accent = self
            .accent
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_ascii_lowercase);
        if let Some(accent) = &accent {
            let hex = accent.strip_prefix('#').unwrap_or("");
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                errors.push(
                    "accent",
                    "Write the accent colour as # and six hex digits, such as #1d4ed8.",
                );
            }
        }
        let tagline = Text::line("a tagline", TAGLINE_MAX_CHARS).optional(
            &mut errors,
            "tagline",
            self.tagline.as_deref(),
        );
        let disclaimer = Text::multiline("a disclaimer", DISCLAIMER_MAX_CHARS).optional(
            &mut errors,
            "disclaimer",
            self.disclaimer.as_deref(),
        );
        errors.into_valid(Branding {
            accent,
            tagline,
            disclaimer,
        })
    }

    /// The accent to paint with.
    pub fn accent(&self) -> &str {
        self.accent.as_deref().unwrap_or(DEFAULT_ACCENT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branding_is_checked_and_tidied() {
        let ok = Branding {
            accent: Some(" #0F766E ".into()),
            tagline: Some("  Homes in Islington ".into()),
            disclaimer: Some("Information deemed reliable\nbut not guaranteed.".into()),
        }
        .validate()
        .expect("valid");
        assert_eq!(ok.accent(), "#0f766e");
        assert_eq!(ok.tagline.as_deref(), Some("Homes in Islington"));
        let bad = Branding {
            accent: Some("red; background:url(x)".into()),
            tagline: Some("one\nline".into()),
            disclaimer: Some("x".repeat(DISCLAIMER_MAX_CHARS + 1)),
        }
        .validate()
        .expect_err("invalid");
        assert_eq!(bad.fields(), vec!["accent", "tagline", "disclaimer"]);
        assert_eq!(Branding::default().accent(), DEFAULT_ACCENT);
    }
}
