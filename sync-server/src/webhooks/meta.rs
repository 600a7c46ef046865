//! Meta's webhook signature (Instagram, WhatsApp, Messenger): `X-Hub-Signature-256:
//! sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>`, compared in constant
//! time over the raw bytes before anything is parsed.

use super::Unverified;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

/// The header value Meta sends for `body` signed with `app_secret`.
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// Checks `header` (the `X-Hub-Signature-256` value, if any) for `body`.
pub fn verify(app_secret: &str, body: &[u8], header: Option<&str>) -> Result<(), Unverified> {
    let header = header.ok_or(Unverified::MissingHeader(SIGNATURE_HEADER))?;
    if app_secret.is_empty() {
        return Err(Unverified::NoKey);
    }
    let given = header.trim();
    let Some(hex) = given.strip_prefix("sha256=") else {
        return Err(Unverified::Malformed);
    };
    // Meta writes lower-case hex; upper case is the same signature.
    let given = format!("sha256={}", hex.to_ascii_lowercase());
    let expected = signature(app_secret, body);
    if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
        Ok(())
    } else {
        Err(Unverified::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // HMAC-SHA256 test vector 2 of RFC 4231 (key "Jefe"), as Meta would write it.
    const RFC_4231: &str =
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    #[test]
    fn the_rfc_4231_vector_verifies_and_tampering_does_not() {
        let body = b"what do ya want for nothing?";
        assert_eq!(signature("Jefe", body), RFC_4231);
        assert_eq!(verify("Jefe", body, Some(RFC_4231)), Ok(()));
        assert_eq!(
            verify(
                "Jefe",
                body,
                Some(&RFC_4231.to_ascii_uppercase().replace("SHA256", "sha256"))
            ),
            Ok(())
        );
        assert_eq!(
            verify("Jefe", b"what do ya want for nothing!", Some(RFC_4231)),
            Err(Unverified::Mismatch)
        );
        assert_eq!(
            verify("jefe", body, Some(RFC_4231)),
            Err(Unverified::Mismatch)
        );
        assert_eq!(
            verify("Jefe", body, None),
            Err(Unverified::MissingHeader(SIGNATURE_HEADER))
        );
        assert_eq!(
            verify("Jefe", body, Some("5bdcc146bf60754e")),
            Err(Unverified::Malformed)
        );
        assert_eq!(verify("", body, Some(RFC_4231)), Err(Unverified::NoKey));
    }
}
