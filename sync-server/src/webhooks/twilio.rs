//! Twilio's request signature: `X-Twilio-Signature` = Base64(HMAC-SHA1(auth token, the full
//! URL Twilio called + each POST parameter's name and value, sorted by name)).

use super::Unverified;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";

/// The signature Twilio computes for `url` and the form `params`.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // Sorted by name; a repeated name keeps its values in sorted order too, as Twilio's own
    // libraries do.
    sorted.sort();
    sorted.dedup();
    let mut mac =
        Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks `header` (the `X-Twilio-Signature` value, if any) for a form-encoded POST of `body`
/// to `url`. The body is only split into pairs here, to compute the signature; nothing is
/// interpreted until this answers `Ok`, which gives the pairs.
pub fn verify(
    auth_token: &str,
    url: &str,
    body: &[u8],
    header: Option<&str>,
) -> Result<Vec<(String, String)>, Unverified> {
    let header = header.ok_or(Unverified::MissingHeader(SIGNATURE_HEADER))?;
    if auth_token.is_empty() {
        return Err(Unverified::NoKey);
    }
    let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let expected = signature(auth_token, url, &params);
    if bool::from(expected.as_bytes().ct_eq(header.trim().as_bytes())) {
        Ok(params)
    } else {
        Err(Unverified::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Twilio's published example (twilio-python's request validator tests).
    const TOKEN: &str = "12345";
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const EXPECTED: &str = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

    fn params() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
            ("Caller", "+14158675309"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn body() -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params())
            .finish()
            .into_bytes()
    }

    #[test]
    fn twilios_published_example_verifies() {
        assert_eq!(signature(TOKEN, URL, &params()), EXPECTED);
        let pairs = verify(TOKEN, URL, &body(), Some(EXPECTED)).expect("verified");
        assert_eq!(pairs.len(), 5);
    }

    #[test]
    fn repeated_names_are_sorted_by_value_too() {
        // Twilio's example for a repeated parameter.
        let params: Vec<(String, String)> = [
            ("Sid", "CA123"),
            ("SidAccount", "AC123"),
            ("Digits", "5678"),
            ("Digits", "1234"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(
            signature(TOKEN, URL, &params),
            "IK+Dwps556ElfBT0I3Rgjkr1wJU="
        );
    }

    #[test]
    fn tampering_a_wrong_token_or_no_header_is_refused() {
        let mut tampered = body();
        tampered.extend_from_slice(b"&Extra=1");
        assert_eq!(
            verify(TOKEN, URL, &tampered, Some(EXPECTED)),
            Err(Unverified::Mismatch)
        );
        assert_eq!(
            verify("54321", URL, &body(), Some(EXPECTED)),
            Err(Unverified::Mismatch)
        );
        assert_eq!(
            verify(
                TOKEN,
                "https://mycompany.com/other",
                &body(),
                Some(EXPECTED)
            ),
            Err(Unverified::Mismatch),
            "another URL"
        );
        assert_eq!(
            verify(TOKEN, URL, &body(), None),
            Err(Unverified::MissingHeader(SIGNATURE_HEADER))
        );
        assert_eq!(
            verify("", URL, &body(), Some(EXPECTED)),
            Err(Unverified::NoKey)
        );
    }
}
