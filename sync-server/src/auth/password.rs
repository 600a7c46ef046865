//! Argon2id password hashing (DESIGN decision 7), with a dummy hash so that signing in with an
//! unknown email costs the same time as a wrong password.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

pub struct Passwords {
    argon: Argon2<'static>,
    dummy: String,
}

impl Passwords {
    /// `memory_kib` and `iterations` as in the config; parallelism 1 (the server serves many
    /// sign-ins at once, each on one core).
    pub fn new(memory_kib: u32, iterations: u32) -> Result<Self, String> {
        let params = Params::new(memory_kib, iterations, 1, None)
            .map_err(|e| format!("invalid Argon2 parameters: {e}"))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut random = [0u8; 24];
        rand::rng().fill_bytes(&mut random);
        let mut passwords = Self {
            argon,
            dummy: String::new(),
        };
        passwords.dummy = passwords.hash(&format!("{random:?}"))?;
        Ok(passwords)
    }

    /// A PHC string (`$argon2id$v=19$m=…`) with a fresh 128-bit salt.
    pub fn hash(&self, password: &str) -> Result<String, String> {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
        self.argon
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| format!("hashing failed: {e}"))
    }

    /// True when `password` matches `hash`. A malformed stored hash never matches.
    pub fn verify(&self, password: &str, hash: &str) -> bool {
        match PasswordHash::new(hash) {
            Ok(parsed) => self
                .argon
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }

    /// Spends the time a real verification would, for an email with no account.
    pub fn verify_dummy(&self, password: &str) {
        let _ = self.verify(password, &self.dummy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let p = Passwords::new(8 * 1024, 1).expect("params");
        let a = p.hash("correct horse battery").expect("hash");
        let b = p.hash("correct horse battery").expect("hash");
        assert!(a.starts_with("$argon2id$v=19$m=8192,t=1,p=1$"), "{a}");
        assert_ne!(a, b, "fresh salt each time");
        assert!(p.verify("correct horse battery", &a));
        assert!(!p.verify("correct horse batterz", &a));
        assert!(!p.verify("anything", "not a phc string"));
    }
}
