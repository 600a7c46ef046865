//! Provider secrets (SMTP passwords, API keys, auth tokens) sealed at rest in the server's
//! database: XChaCha20-Poly1305 under a key derived from the server's `secret_key`, each bound
//! to its organisation and provider kind (the associated data), so a sealed value copied to
//! another row does not open. They are opened only where a provider is called, and never sent
//! to a device or written to a log.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use fieldstone_model::OrgId;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const NONCE_BYTES: usize = 24;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the stored secret cannot be opened: it was sealed under another secret_key, or changed"
    )]
    Unopenable,
}

pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(***)")
    }
}

fn associated(org: OrgId, kind: &str) -> Vec<u8> {
    let mut data = Vec::with_capacity(16 + kind.len());
    data.extend_from_slice(org.as_uuid().as_bytes());
    data.extend_from_slice(kind.as_bytes());
    data
}

impl Sealer {
    /// The sealing key, derived from the server's secret (apart from the link key).
    pub fn new(secret: &[u8]) -> Self {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes a key of any length");
        mac.update(b"fieldstone provider secrets v1");
        let key = mac.finalize().into_bytes();
        Sealer {
            cipher: XChaCha20Poly1305::new(&key),
        }
    }

    /// `nonce || ciphertext` of `plain`, for `org`'s provider `kind`.
    pub fn seal(&self, org: OrgId, kind: &str, plain: &str) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = associated(org, kind);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("sealing a short secret cannot fail");
        let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, org: OrgId, kind: &str, sealed: &[u8]) -> Result<String, SecretError> {
        if sealed.len() < NONCE_BYTES {
            return Err(SecretError::Unopenable);
        }
        let (nonce, body) = sealed.split_at(NONCE_BYTES);
        let aad = associated(org, kind);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &aad,
                },
            )
            .map_err(|_| SecretError::Unopenable)?;
        String::from_utf8(plain).map_err(|_| SecretError::Unopenable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(n: u128) -> OrgId {
        OrgId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_key_organisation_and_kind() {
        let sealer = Sealer::new(b"the server's secret key, 32 bytes+");
        let sealed = sealer.seal(org(1), "sms", "twilio-auth-token");
        assert!(!sealed
            .windows(b"twilio-auth-token".len())
            .any(|w| w == b"twilio-auth-token"));
        assert_eq!(
            sealer.open(org(1), "sms", &sealed).as_deref(),
            Ok("twilio-auth-token")
        );
        assert_eq!(
            sealer.open(org(2), "sms", &sealed),
            Err(SecretError::Unopenable)
        );
        assert_eq!(
            sealer.open(org(1), "email", &sealed),
            Err(SecretError::Unopenable)
        );
        let other = Sealer::new(b"another server's secret key.......");
        assert_eq!(
            other.open(org(1), "sms", &sealed),
            Err(SecretError::Unopenable)
        );
        let mut changed = sealed.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert_eq!(
            sealer.open(org(1), "sms", &changed),
            Err(SecretError::Unopenable)
        );
        assert_eq!(
            sealer.open(org(1), "sms", b"short"),
            Err(SecretError::Unopenable)
        );
        // Two seals of one secret differ (fresh nonces).
        assert_ne!(sealed, sealer.seal(org(1), "sms", "twilio-auth-token"));
    }
}
