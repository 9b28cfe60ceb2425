//! Password hashing with Argon2id (OWASP parameters: 19 MiB, 2 passes,
//! 1 lane) and the password rules.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The shortest accepted password.
pub const MIN_LENGTH: usize = 10;
/// The longest accepted password (hashing is not free).
pub const MAX_LENGTH: usize = 1024;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRule {
    #[error("the password must have at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("the password must have at most {MAX_LENGTH} characters")]
    TooLong,
}

impl PasswordRule {
    pub fn code(self) -> &'static str {
        match self {
            PasswordRule::TooShort => "PASSWORD_TOO_SHORT",
            PasswordRule::TooLong => "PASSWORD_TOO_LONG",
        }
    }
}

/// Checks the length rules (counted in characters).
pub fn validate(password: &str) -> Result<(), PasswordRule> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        Err(PasswordRule::TooShort)
    } else if length > MAX_LENGTH {
        Err(PasswordRule::TooLong)
    } else {
        Ok(())
    }
}

/// Hashes a password into a PHC string.
pub fn hash(password: &str) -> crate::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| crate::Error::Crypto(format!("password hashing failed: {e}")))
}

/// A hash of a random password, verified against when the user is unknown
/// so that an unknown user costs as much time as a wrong password.
static DECOY: LazyLock<String> =
    LazyLock::new(|| hash(&crate::accounts::bootstrap::random_password()).unwrap_or_default());

/// Verifies `password` against `stored` (a PHC string) in constant time.
/// With no stored hash, burns the same time and answers false.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let target = stored.unwrap_or(DECOY.as_str());
    let Ok(parsed) = PasswordHash::new(target) else {
        return false;
    };
    let matches = argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    matches && stored.is_some()
}

/// Computes the decoy hash ahead of the first login.
pub fn warm_up() {
    LazyLock::force(&DECOY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", Some(&stored)));
        assert!(!verify("correct horse batterY", Some(&stored)));
        assert!(!verify("correct horse battery", None));
    }

    #[test]
    fn length_rules_count_characters() {
        assert_eq!(validate("short"), Err(PasswordRule::TooShort));
        assert_eq!(validate("äöüäöüäöüä"), Ok(()));
        assert_eq!(validate(&"x".repeat(1025)), Err(PasswordRule::TooLong));
    }
}
