//! The links behind a contact's Call, Text, WhatsApp and Email buttons, built from the stored
//! number and address. They are handed to the OS through the opener plugin, whose scope admits
//! only these four forms (`tel:`, `sms:`, `https://wa.me/`, `mailto:`); anything that would not
//! make a usable link (a "number" with no digits, an address with no `@`) gives no button.

use fieldstone_model::Channel;

/// One way of reaching a contact from the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Call,
    Text,
    WhatsApp,
    Email,
}

impl Reach {
    pub const ALL: [Reach; 4] = [Reach::Call, Reach::Text, Reach::WhatsApp, Reach::Email];

    pub const fn label(self) -> &'static str {
        match self {
            Reach::Call => "Call",
            Reach::Text => "Text",
            Reach::WhatsApp => "WhatsApp",
            Reach::Email => "Email",
        }
    }

    /// What one of them is called in a sentence ("Log this call?").
    pub const fn noun(self) -> &'static str {
        match self {
            Reach::Call => "call",
            Reach::Text => "text",
            Reach::WhatsApp => "WhatsApp",
            Reach::Email => "email",
        }
    }

    /// For ids and test selectors.
    pub const fn key(self) -> &'static str {
        match self {
            Reach::Call => "call",
            Reach::Text => "text",
            Reach::WhatsApp => "whatsapp",
            Reach::Email => "email",
        }
    }

    /// The interaction it is logged as.
    pub const fn channel(self) -> Channel {
        match self {
            Reach::Call => Channel::Call,
            Reach::Text => Channel::Sms,
            Reach::WhatsApp => Channel::WhatsApp,
            Reach::Email => Channel::Email,
        }
    }

    /// The link for this contact, if the contact has what it needs.
    pub fn url(self, phone: Option<&str>, email: Option<&str>) -> Option<String> {
        match self {
            Reach::Call => dialable(phone?).map(|n| format!("tel:{n}")),
            Reach::Text => dialable(phone?).map(|n| format!("sms:{n}")),
            // wa.me wants the international number as digits alone.
            Reach::WhatsApp => {
                dialable(phone?).map(|n| format!("https://wa.me/{}", n.trim_start_matches('+')))
            }
            Reach::Email => mailto(email?),
        }
    }

    /// The summary a logged interaction starts with ("Called Ada King").
    pub fn summary(self, name: &str) -> String {
        match self {
            Reach::Call => format!("Called {name}"),
            Reach::Text => format!("Texted {name}"),
            Reach::WhatsApp => format!("WhatsApp with {name}"),
            Reach::Email => format!("Emailed {name}"),
        }
    }

    /// Quick outcomes offered when logging it.
    pub const fn outcomes(self) -> &'static [&'static str] {
        match self {
            Reach::Call | Reach::WhatsApp => {
                &["Connected", "Left voicemail", "No answer", "Wrong number"]
            }
            Reach::Text | Reach::Email => &["Sent", "Replied"],
        }
    }
}

/// The number as a dial string: a leading `+` and the digits, nothing else (spaces, dashes,
/// brackets and dots go). An extension ("x12", "ext. 12", ";ext=12") is dropped: phones handle
/// it poorly in a link and the agent reads it on the screen. Fewer than three digits is no number.
pub fn dialable(number: &str) -> Option<String> {
    let lower = number.to_ascii_lowercase();
    let main = lower
        .split(['x', ';'])
        .next()
        .unwrap_or_default()
        .split("ext")
        .next()
        .unwrap_or_default();
    let plus = main.trim_start().starts_with('+');
    let digits: String = main.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 3).then(|| if plus { format!("+{digits}") } else { digits })
}

/// `mailto:` with the address percent-encoded, so a stored address can never add headers
/// (`?cc=`, `&body=`) or break out of the link.
pub fn mailto(address: &str) -> Option<String> {
    let address = address.trim();
    let (local, domain) = address.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    let mut url = String::from("mailto:");
    for byte in address.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'@' | b'+' => {
                url.push(char::from(byte));
            }
            other => url.push_str(&format!("%{other:02X}")),
        }
    }
    Some(url)
}

/// Directions to a place in the maps app or site (Google Maps' documented directions URL,
/// which phones hand to their maps app). The place is percent-encoded whole.
pub fn directions(place: &str) -> Option<String> {
    let place = place.trim();
    if place.is_empty() {
        return None;
    }
    let mut url = String::from("https://www.google.com/maps/dir/?api=1&destination=");
    for byte in place.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => {
                url.push(char::from(byte));
            }
            other => url.push_str(&format!("%{other:02X}")),
        }
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formatted_number_becomes_a_dial_string() {
        assert_eq!(
            dialable("+1 (415) 555-0100").as_deref(),
            Some("+14155550100")
        );
        assert_eq!(dialable("020 7946 0958").as_deref(), Some("02079460958"));
        assert_eq!(
            dialable("+852 9123 4567 x12").as_deref(),
            Some("+85291234567")
        );
        assert_eq!(
            dialable("+44 20 7946 0958 ext. 4").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(dialable("ask reception"), None);
        assert_eq!(dialable("12"), None);
    }

    #[test]
    fn each_button_gets_its_own_link_or_none() {
        let phone = Some("+1 415-555-0100");
        let email = Some("ada@example.com");
        let urls: Vec<Option<String>> = Reach::ALL.iter().map(|r| r.url(phone, email)).collect();
        assert_eq!(
            urls,
            vec![
                Some("tel:+14155550100".to_owned()),
                Some("sms:+14155550100".to_owned()),
                Some("https://wa.me/14155550100".to_owned()),
                Some("mailto:ada@example.com".to_owned()),
            ]
        );
        assert_eq!(Reach::Call.url(None, email), None);
        assert_eq!(Reach::Email.url(phone, None), None);
    }

    #[test]
    fn an_address_cannot_smuggle_headers_into_the_mail_link() {
        assert_eq!(
            mailto("a@b.com?cc=x@y.com&body=hi").as_deref(),
            Some("mailto:a@b.com%3Fcc=x@y.com%26body%3Dhi")
                .map(|_| "mailto:a@b.com%3Fcc%3Dx@y.com%26body%3Dhi")
        );
        assert_eq!(mailto("not an address"), None);
        assert_eq!(mailto("@example.com"), None);
    }

    #[test]
    fn directions_encode_the_whole_place() {
        assert_eq!(
            directions("12 Elm St, Springfield & Co").as_deref(),
            Some("https://www.google.com/maps/dir/?api=1&destination=12%20Elm%20St%2C%20Springfield%20%26%20Co")
        );
        assert_eq!(directions("  "), None);
    }

    #[test]
    fn calls_and_messages_are_logged_on_their_channel() {
        assert_eq!(Reach::Call.channel(), Channel::Call);
        assert_eq!(Reach::Text.channel(), Channel::Sms);
        assert_eq!(Reach::WhatsApp.channel(), Channel::WhatsApp);
        assert_eq!(Reach::Email.channel(), Channel::Email);
        assert_eq!(Reach::Call.summary("Ada King"), "Called Ada King");
    }
}
