//! Signed links in the email the server sends: the one-click unsubscribe (RFC 8058), the open
//! pixel and click redirects. A link names its organisation and message and carries an
//! HMAC-SHA256 tag under a key derived from the server's `secret_key`, so nobody can make one
//! for a message they did not receive, and a click link whose target was changed is refused
//! rather than followed (an open redirect would let anyone borrow the organisation's domain).
//!
//! The token is opaque to its reader: `base64url(kind | org | message) "." base64url(tag)`; the
//! ids are random UUIDs and say nothing about the person.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use fieldstone_model::{MessageId, OrgId, UserId};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the tag kept: 128 bits is far past guessing, and keeps links short.
const TAG_BYTES: usize = 16;

/// What a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Unsubscribe = 1,
    Open = 2,
    Click = 3,
    /// A click-to-call's provider webhooks (the covered text names the agent and the lead).
    Call = 4,
    /// A person's calendar feed (`crate::calendar_feed`).
    Calendar = 5,
}

/// The message a verified link belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkTarget {
    pub org: OrgId,
    pub message: MessageId,
}

/// Makes and checks links. Cheap to clone.
#[derive(Clone)]
pub struct LinkSigner {
    key: [u8; 32],
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSigner(***)")
    }
}

impl LinkSigner {
    /// The link key, derived from the server's secret key (so the same secret can key other
    /// things without one leaking into the other).
    pub fn new(secret: &[u8]) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length");
        mac.update(b"fieldstone links v1");
        LinkSigner {
            key: mac.finalize().into_bytes().into(),
        }
    }

    fn tag(&self, body: &[u8], url: Option<&str>) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("a 32-byte key");
        mac.update(body);
        if let Some(url) = url {
            mac.update(&(url.len() as u64).to_be_bytes());
            mac.update(url.as_bytes());
        }
        mac
    }

    /// A token for `kind` on `target`; a click token also covers the URL it leads to.
    pub fn token(&self, kind: LinkKind, target: LinkTarget, url: Option<&str>) -> String {
        let mut body = Vec::with_capacity(33);
        body.push(kind as u8);
        body.extend_from_slice(target.org.as_uuid().as_bytes());
        body.extend_from_slice(target.message.as_uuid().as_bytes());
        let tag = self.tag(&body, url).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&body),
            URL_SAFE_NO_PAD.encode(&tag[..TAG_BYTES])
        )
    }

    /// The target of a token made by [`token`](Self::token) with the same kind and URL; `None`
    /// for anything else (malformed, another kind, another URL, another server's key).
    pub fn verify(&self, kind: LinkKind, token: &str, url: Option<&str>) -> Option<LinkTarget> {
        let (body, tag) = token.split_once('.')?;
        if body.len() > 64 || tag.len() > 64 {
            return None;
        }
        let body = URL_SAFE_NO_PAD.decode(body).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if body.len() != 33 || body[0] != kind as u8 || tag.len() != TAG_BYTES {
            return None;
        }
        // Constant time: the tag must not be learnable a byte at a time.
        self.tag(&body, url).verify_truncated_left(&tag).ok()?;
        let org = uuid::Uuid::from_slice(&body[1..17]).ok()?;
        let message = uuid::Uuid::from_slice(&body[17..33]).ok()?;
        Some(LinkTarget {
            org: OrgId::from_uuid(org),
            message: MessageId::from_uuid(message),
        })
    }
}

impl LinkSigner {
    /// The token of `user`'s calendar feed at `generation` (a new generation is a new link;
    /// the old one stops working).
    pub fn calendar_token(&self, org: OrgId, user: UserId, generation: u32) -> String {
        let mut body = Vec::with_capacity(37);
        body.push(LinkKind::Calendar as u8);
        body.extend_from_slice(org.as_uuid().as_bytes());
        body.extend_from_slice(user.as_uuid().as_bytes());
        body.extend_from_slice(&generation.to_be_bytes());
        let tag = self.tag(&body, None).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&body),
            URL_SAFE_NO_PAD.encode(&tag[..TAG_BYTES])
        )
    }

    /// Whose calendar feed, at which generation, a token made by
    /// [`calendar_token`](Self::calendar_token) is; `None` for anything else.
    pub fn verify_calendar(&self, token: &str) -> Option<(OrgId, UserId, u32)> {
        let (body, tag) = token.split_once('.')?;
        if body.len() > 64 || tag.len() > 64 {
            return None;
        }
        let body = URL_SAFE_NO_PAD.decode(body).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if body.len() != 37 || body[0] != LinkKind::Calendar as u8 || tag.len() != TAG_BYTES {
            return None;
        }
        self.tag(&body, None).verify_truncated_left(&tag).ok()?;
        let org = uuid::Uuid::from_slice(&body[1..17]).ok()?;
        let user = uuid::Uuid::from_slice(&body[17..33]).ok()?;
        let generation = u32::from_be_bytes(body[33..37].try_into().ok()?);
        Some((OrgId::from_uuid(org), UserId::from_uuid(user), generation))
    }
}

/// The links for one message, rooted at the server's public address.
pub struct MessageLinks<'a> {
    pub signer: &'a LinkSigner,
    /// `https://crm.example.com` (no trailing slash).
    pub base: &'a str,
    pub target: LinkTarget,
}

impl MessageLinks<'_> {
    pub fn unsubscribe(&self) -> String {
        let token = self.signer.token(LinkKind::Unsubscribe, self.target, None);
        format!("{}/u/{token}", self.base)
    }

    pub fn open_pixel(&self) -> String {
        let token = self.signer.token(LinkKind::Open, self.target, None);
        format!("{}/t/o/{token}", self.base)
    }

    pub fn click(&self, url: &str) -> String {
        let token = self.signer.token(LinkKind::Click, self.target, Some(url));
        let encoded: String = form_urlencoded::byte_serialize(url.as_bytes()).collect();
        format!("{}/t/c/{token}?u={encoded}", self.base)
    }
}

/// `html` with every `http(s)` link sent through `rewrite`, and `pixel` (an image URL) added at
/// the end of the body. Only `href` attributes are touched; `mailto:`, `tel:` and in-page links
/// stay as written. Entities in a URL are decoded before it is rewritten, and the new URL is
/// written escaped.
pub fn rewrite_html(
    html: &str,
    mut rewrite: impl FnMut(&str) -> String,
    pixel: Option<&str>,
) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(found) = lower[at..].find("href") {
        let start = at + found;
        let mut i = start + 4;
        let bytes = lower.as_bytes();
        // The attribute name must stand alone (not `data-href`) and be followed by `=`.
        let alone = start == 0
            || matches!(
                bytes[start - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\''
            );
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if !alone || i >= bytes.len() || bytes[i] != b'=' {
            out.push_str(&html[at..start + 4]);
            at = start + 4;
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let (value_start, value_end, next) = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => match lower[i + 1..].find(q as char) {
                Some(len) => (i + 1, i + 1 + len, i + 2 + len),
                None => break,
            },
            Some(_) => {
                let len = lower[i..]
                    .find(|c: char| c.is_ascii_whitespace() || c == '>')
                    .unwrap_or(lower.len() - i);
                (i, i + len, i + len)
            }
            None => break,
        };
        let url = unescape(html[value_start..value_end].trim());
        let lower_url = url.to_ascii_lowercase();
        out.push_str(&html[at..value_start]);
        if lower_url.starts_with("http://") || lower_url.starts_with("https://") {
            out.push_str(&escape(&rewrite(&url)));
        } else {
            out.push_str(&html[value_start..value_end]);
        }
        out.push_str(&html[value_end..next]);
        at = next;
    }
    out.push_str(&html[at..]);
    if let Some(pixel) = pixel {
        let img = format!(
            "<img src=\"{}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">",
            escape(pixel)
        );
        match out.to_ascii_lowercase().rfind("</body>") {
            Some(end) => out.insert_str(end, &img),
            None => out.push_str(&img),
        }
    }
    out
}

/// The few entities that appear in URLs in practice.
fn unescape(value: &str) -> String {
    value
        .replace("&amp;", "&")
        .replace("&#38;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// Escapes text for an attribute value or an HTML page.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> LinkTarget {
        LinkTarget {
            org: OrgId::from_uuid(uuid::Uuid::from_u128(1)),
            message: MessageId::from_uuid(uuid::Uuid::from_u128(2)),
        }
    }

    #[test]
    fn a_token_verifies_only_for_its_kind_url_and_key() {
        let signer = LinkSigner::new(b"a server secret of some length....");
        let t = signer.token(LinkKind::Unsubscribe, target(), None);
        assert_eq!(
            signer.verify(LinkKind::Unsubscribe, &t, None),
            Some(target())
        );
        assert_eq!(
            signer.verify(LinkKind::Open, &t, None),
            None,
            "another kind"
        );
        let other = LinkSigner::new(b"another server's secret...........");
        assert_eq!(other.verify(LinkKind::Unsubscribe, &t, None), None);

        let c = signer.token(LinkKind::Click, target(), Some("https://a.example/x"));
        assert_eq!(
            signer.verify(LinkKind::Click, &c, Some("https://a.example/x")),
            Some(target())
        );
        assert_eq!(
            signer.verify(LinkKind::Click, &c, Some("https://evil.example/x")),
            None,
            "a changed target is refused"
        );
    }

    #[test]
    fn a_changed_or_malformed_token_is_refused() {
        let signer = LinkSigner::new(b"k");
        let t = signer.token(LinkKind::Open, target(), None);
        let (body, tag) = t.split_once('.').expect("dot");
        // Another message's id under the same tag.
        let mut raw = URL_SAFE_NO_PAD.decode(body).expect("b64");
        raw[32] ^= 1;
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(&raw));
        assert_eq!(signer.verify(LinkKind::Open, &forged, None), None);
        for bad in [
            "",
            ".",
            "x.y",
            "AAAA",
            &"A".repeat(5000),
            &format!("{body}."),
        ] {
            assert_eq!(signer.verify(LinkKind::Open, bad, None), None, "{bad:.20}");
        }
    }

    #[test]
    fn html_links_are_rewritten_and_the_pixel_added() {
        let html = "<html><body><a href=\"https://x.example/a?b=1&amp;c=2\">A</a> \
                    <a HREF='http://y.example'>B</a> <a href=\"mailto:a@b.example\">M</a> \
                    <a data-href=\"https://z.example\">Z</a> <a href=#top>T</a></body></html>";
        let mut seen = Vec::new();
        let out = rewrite_html(
            html,
            |u| {
                seen.push(u.to_owned());
                format!("https://s.example/t?u={}&x=1", u.len())
            },
            Some("https://s.example/p"),
        );
        assert_eq!(seen, ["https://x.example/a?b=1&c=2", "http://y.example"]);
        assert!(
            out.contains("href=\"https://s.example/t?u=27&amp;x=1\""),
            "{out}"
        );
        assert!(out.contains("mailto:a@b.example"));
        assert!(out.contains("data-href=\"https://z.example\""));
        assert!(out.contains("<img src=\"https://s.example/p\""));
        assert!(out.find("<img").expect("img") < out.find("</body>").expect("end"));
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for html in [
            "<a href=\"https://x",
            "<a href=",
            "href",
            "<a href = 'x'",
            "ünï href=ü",
        ] {
            let _ = rewrite_html(html, |u| u.to_owned(), None);
        }
    }
}
