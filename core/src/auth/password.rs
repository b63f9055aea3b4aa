//! Passwords: Argon2id with OWASP's parameters, hashed off the async runtime, with a dummy
//! verification for unknown accounts so that timing does not tell which e-mails exist.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// Passwords people pick first; refused whatever their length.
const COMMON: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "password1234",
    "password12345",
    "passwordpassword",
    "qwertyuiop12",
    "qwertyuiopasdf",
    "iloveyou1234",
    "111111111111",
    "000000000000",
    "aaaaaaaaaaaa",
    "abcdefghijkl",
    "abc123abc123",
    "letmein12345",
    "welcome12345",
    "administrator",
    "changeme1234",
    "galleygalley",
    "sommar2024!!",
    "sommar2025!!",
    "sommar2026!!",
    "vinter2026!!",
    "losenord1234",
    "lösenord1234",
    "passord12345",
    "kitchen12345",
    "superuser123",
    "adminadmin12",
    "trustno1trustno1",
];

/// OWASP's recommended Argon2id configuration: 19 MiB, 2 iterations, 1 lane.
fn hasher() -> Argon2<'static> {
    // The parameters are constants within argon2's documented bounds.
    #[allow(clippy::expect_used)]
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a new password was refused, in words for the person choosing it.
pub fn check_policy(password: &str, email: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("must be at least {MIN_LENGTH} characters"));
    }
    if length > MAX_LENGTH {
        return Err(format!("must be at most {MAX_LENGTH} characters"));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Err("is too common; choose a passphrase of a few unrelated words".into());
    }
    let local_part = email.split('@').next().unwrap_or_default().to_lowercase();
    if !local_part.is_empty() && lower.contains(&local_part) && local_part.len() >= 4 {
        return Err("must not contain your e-mail address".into());
    }
    if password.chars().all(|c| password.starts_with(c)) {
        return Err("must not repeat a single character".into());
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes on a blocking thread: Argon2 is deliberately slow.
pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        hasher()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// Verifies on a blocking thread. `None` (no such account) runs a verification against a
/// dummy hash and fails, taking as long as a real one.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let result = tokio::task::spawn_blocking(move || {
        let target = stored.as_deref().unwrap_or_else(|| dummy_hash());
        let matches = hasher()
            .verify_password(password.as_bytes(), target)
            .is_ok();
        matches && stored.is_some()
    })
    .await;
    result.unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hasher()
            .hash_password(b"galley-dummy-password-for-timing")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_refuses_short_common_and_personal_passwords() {
        assert!(check_policy("short", "a@b.se").unwrap_err().contains("12"));
        assert!(
            check_policy("Password1234", "a@b.se")
                .unwrap_err()
                .contains("common")
        );
        assert!(check_policy("anna.karlsson-2026", "anna.karlsson@kommun.se").is_err());
        assert!(check_policy("zzzzzzzzzzzzzz", "a@b.se").is_err());
        assert!(check_policy("kanel bulle fönster", "anna@kommun.se").is_ok());
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_fail() {
        let hash = super::hash("kanel bulle fönster".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify("kanel bulle fönster".into(), Some(hash.clone())).await);
        assert!(!verify("kanel bulle fonster".into(), Some(hash)).await);
        assert!(!verify("galley-dummy-password-for-timing".into(), None).await);
    }
}
