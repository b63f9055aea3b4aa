//! `SECRET_KEY`: at least 32 bytes of entropy, checked before the service starts.

use base64::Engine;

const MIN_BYTES: usize = 32;

#[derive(Clone)]
pub struct SecretKey {
    bytes: Vec<u8>,
    ephemeral: bool,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl SecretKey {
    /// Accepts hex (64+ digits) or base64 (43+ characters) of random bytes, or a long random
    /// passphrase; refuses placeholders and anything with too little variety to be random.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let bytes = decode_hex(raw)
            .or_else(|| decode_base64(raw))
            .unwrap_or_else(|| raw.as_bytes().to_vec());
        let distinct = {
            let mut seen = [false; 256];
            bytes.iter().for_each(|b| seen[usize::from(*b)] = true);
            seen.iter().filter(|s| **s).count()
        };
        // 32 random bytes show ~30 distinct values; a passphrase of letters needs more length
        // for the same entropy, which is why raw text must be longer.
        let raw_text = decode_hex(raw).is_none() && decode_base64(raw).is_none();
        let long_enough = if raw_text {
            raw.len() >= 64
        } else {
            bytes.len() >= MIN_BYTES
        };
        if !long_enough || distinct < 16 {
            return Err(format!(
                "is too weak: it needs at least {MIN_BYTES} random bytes (64 hex digits or 44 base64 \
                 characters); make one with `galley gen-secret` or `openssl rand -hex 32`"
            ));
        }
        Ok(Self {
            bytes,
            ephemeral: false,
        })
    }

    /// A random key for this process only (local runs): sessions do not survive a restart.
    pub fn generate_ephemeral() -> Self {
        Self {
            bytes: random_bytes(),
            ephemeral: true,
        }
    }

    /// A new key as 64 hex digits, for `galley gen-secret`.
    pub fn generate_hex() -> String {
        random_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn describe(&self) -> String {
        if self.ephemeral {
            "(generated for this process; set SECRET_KEY to keep sessions across restarts)".into()
        } else {
            format!("**** ({} bytes)", self.bytes.len())
        }
    }
}

fn random_bytes() -> Vec<u8> {
    let mut bytes = vec![0_u8; MIN_BYTES];
    // The OS random source failing is unrecoverable at start-up.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    bytes
}

fn decode_hex(raw: &str) -> Option<Vec<u8>> {
    if !raw.len().is_multiple_of(2) || !raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..raw.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&raw[i..i + 2], 16).ok())
        .collect()
}

fn decode_base64(raw: &str) -> Option<Vec<u8>> {
    if raw.len() < 43 {
        return None;
    }
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines.iter().find_map(|engine| engine.decode(raw).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_generated_keys() {
        let key = SecretKey::generate_hex();
        assert_eq!(key.len(), 64);
        assert_eq!(SecretKey::parse(&key).unwrap().as_bytes().len(), 32);
        let b64 = base64::engine::general_purpose::STANDARD.encode(random_bytes());
        assert!(SecretKey::parse(&b64).is_ok());
    }

    #[test]
    fn refuses_weak_keys() {
        for weak in [
            "changeme",
            "secret",
            &"0".repeat(64),
            &"ab".repeat(40),
            "this is my very secret key of many words",
        ] {
            assert!(SecretKey::parse(weak).is_err(), "{weak} was accepted");
        }
    }
}
