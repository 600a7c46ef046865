//! Accepting an invitation in the app: the link an admin sent (`<server>/invite/<secret>`), or
//! the server's address and the secret apart, with the name and password the person chooses.

use serde::{Deserialize, Serialize};

/// The `accept_invitation` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptInvitation {
    /// The link as received, or only its secret (then `server_url` is needed).
    pub invitation: String,
    /// Needed only when `invitation` is not a link.
    #[serde(default)]
    pub server_url: String,
    /// How teammates see this person.
    pub display_name: String,
    pub password: String,
    pub device_name: String,
}

/// A pasted invitation read apart: the server's address (when the text was a link) and the
/// secret. `None` when there is no secret in it.
pub fn read_invitation(text: &str) -> Option<(Option<String>, String)> {
    let text = text.trim();
    if text.is_empty() || text.chars().any(char::is_whitespace) {
        return None;
    }
    match text.split_once("/invite/") {
        Some((server, secret)) => {
            let secret = secret
                .split(['?', '#', '/'])
                .next()
                .unwrap_or_default()
                .to_owned();
            let server = (!server.is_empty()).then(|| server.to_owned());
            (!secret.is_empty()).then_some((server, secret))
        }
        None if text.contains("://") => None,
        None => Some((None, text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_gives_the_server_and_the_secret_and_a_bare_secret_only_itself() {
        assert_eq!(
            read_invitation(" https://crm.harbour.test/invite/AbC-123_x \n"),
            Some((Some("https://crm.harbour.test".into()), "AbC-123_x".into()))
        );
        assert_eq!(
            read_invitation("http://127.0.0.1:7070/invite/tok?utm=mail"),
            Some((Some("http://127.0.0.1:7070".into()), "tok".into()))
        );
        assert_eq!(read_invitation("tok"), Some((None, "tok".into())));
        for nothing in [
            "",
            "   ",
            "https://crm.harbour.test/",
            "https://x/invite/",
            "a b",
        ] {
            assert_eq!(read_invitation(nothing), None, "{nothing:?}");
        }
    }
}
