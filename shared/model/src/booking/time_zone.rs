//! A plausibility check for IANA time-zone names. The model carries no time-zone database (the
//! UI and the engine resolve names); this only stops text that cannot be a zone name.

pub const TIME_ZONE_MAX_CHARS: usize = 64;

/// Accepts names shaped like IANA zones: "Europe/London", "America/Port-au-Prince", "Etc/GMT+5",
/// "UTC". Letters, digits, `/`, `_`, `-` and `+`; starts with a letter; no empty part between
/// slashes. Offsets such as "+05:00" are not zone names. The error is a sentence for people.
pub fn check_time_zone(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("Enter a time zone, such as Europe/London.".to_owned());
    }
    if name.chars().count() > TIME_ZONE_MAX_CHARS {
        return Err(format!(
            "A time zone name can be at most {TIME_ZONE_MAX_CHARS} characters."
        ));
    }
    let allowed = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
    let shaped = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.split('/').all(|part| !part.is_empty());
    if allowed && shaped {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a time zone name such as Europe/London or America/New_York."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_zone_names_pass() {
        for name in [
            "Europe/London",
            "America/New_York",
            "America/Argentina/Buenos_Aires",
            "America/Port-au-Prince",
            "Etc/GMT+5",
            "Etc/GMT-14",
            "UTC",
            "EST5EDT",
        ] {
            assert!(check_time_zone(name).is_ok(), "{name} rejected");
        }
    }

    #[test]
    fn implausible_names_fail() {
        for name in [
            "",
            "+05:00",
            "Europe/",
            "/Europe/London",
            "Europe//London",
            "Europe/London Town",
            "Europe\\London",
            "5/Zone",
            "Zoné/Ünicode",
        ] {
            assert!(check_time_zone(name).is_err(), "{name:?} accepted");
        }
        assert!(check_time_zone(&"A".repeat(TIME_ZONE_MAX_CHARS + 1)).is_err());
    }
}
