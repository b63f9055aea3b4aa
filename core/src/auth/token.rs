//! Opaque secrets (session ids, API tokens, reset links): 32 random bytes, shown once, stored
//! only as a keyed hash.

use base64::Engine;
use blake2::digest::{FixedOutput, KeyInit, Update};

use crate::secret::SecretKey;

/// A new random secret, URL-safe.
pub fn generate() -> String {
    let mut bytes = [0_u8; 32];
    // The OS random source failing leaves nothing safe to do.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form: BLAKE2b-256 keyed with `SECRET_KEY`, so a leaked table cannot be replayed
/// without the key.
pub fn hash(key: &SecretKey, secret: &str) -> String {
    let key_bytes = key.as_bytes();
    let key_bytes = &key_bytes[..key_bytes.len().min(64)];
    let mac = blake2::Blake2bMac::<blake2::digest::consts::U32>::new_from_slice(key_bytes);
    match mac {
        Ok(mut mac) => {
            mac.update(secret.as_bytes());
            hex(&mac.finalize_fixed())
        }
        // Key length is checked at start-up (32..); unreachable, but never panic on a request.
        Err(_) => hex(secret.as_bytes()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Constant-time comparison for secrets held in memory (CSRF tokens).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
