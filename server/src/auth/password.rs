//! Passwords: argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane),
//! stored as PHC strings so the parameters can be raised later without a migration.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use rand::distributions::Alphanumeric;

/// Why a password was refused when set.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    /// Too short to resist guessing.
    #[error("a password has at least {MIN_LEN} characters")]
    TooShort,
    /// Longer than anyone types (and a cheap way to make hashing slow).
    #[error("a password has at most {MAX_LEN} characters")]
    TooLong,
}

/// The shortest password accepted (NIST SP 800-63B asks for at least 8; a console that
/// opens doors asks for more).
pub const MIN_LEN: usize = 12;
/// The longest password accepted.
pub const MAX_LEN: usize = 256;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a new password, after checking its length.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters cannot fail")
        .to_string())
}

/// Whether `password` matches the stored PHC string. A malformed stored hash matches
/// nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    if password.len() > MAX_LEN * 4 {
        return false;
    }
    PasswordHash::new(stored)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A random one-time password for a bootstrapped or reset account (24 letters and digits,
/// about 143 bits).
pub fn one_time() -> String {
    rand::rngs::OsRng
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse battery!", &stored));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn length_rules() {
        assert_eq!(hash("short"), Err(PasswordError::TooShort));
        assert_eq!(hash(&"x".repeat(257)), Err(PasswordError::TooLong));
        assert_eq!(one_time().len(), 24);
        assert_ne!(one_time(), one_time());
    }
}
