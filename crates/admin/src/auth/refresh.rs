//! Refresh-token secrets. The client holds the secret; the database holds
//! only its SHA-256, so reading the table does not yield usable tokens.
//! (A fast hash is right here: the secret has 256 bits of entropy, unlike a
//! password.)

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix that makes a leaked refresh token recognizable (secret scanners).
const PREFIX: &str = "rt_";

/// A freshly generated refresh secret and its stored hash.
pub struct RefreshSecret {
    /// Given to the client once; never stored or logged.
    pub secret: String,
    /// Stored; looked up on refresh.
    pub hash: String,
}

impl RefreshSecret {
    /// 32 random bytes from a CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        let hash = hash_refresh_secret(&secret);
        Self { secret, hash }
    }
}

/// The stored form of a refresh secret: lowercase hex SHA-256.
pub fn hash_refresh_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_and_hash_stably() {
        let a = RefreshSecret::generate();
        let b = RefreshSecret::generate();
        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with("rt_"));
        assert_eq!(a.hash.len(), 64);
        assert_eq!(hash_refresh_secret(&a.secret), a.hash);
        assert_eq!(
            hash_refresh_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
