//! Field encryption for personal data at rest (customer e-mail, phone and
//! notes), and keyed hashes that keep e-mail and phone searchable by exact
//! match.
//!
//! - Values are sealed with AES-256-GCM under a fresh random 96-bit nonce and
//!   stored as `v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`. The
//!   associated data is the column and the row id, so a value copied to
//!   another row or column does not decrypt.
//! - Several keys may be configured: the first encrypts, every one decrypts.
//!   That is the rotation story: put a new key first, re-encrypt, drop the
//!   old one (docs/DEPLOYMENT.md).
//! - The search columns hold HMAC-SHA256(hash key, kind ‖ 0 ‖ normalized
//!   value) in hex: equal inputs give equal hashes, nothing else leaks but
//!   equality.
//!
//! A value that cannot be opened (unknown key id, wrong key, tampering) is an
//! error naming the problem, never garbage and never a panic.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;
use thiserror::Error;

/// Format tag of stored values; a future format gets `v2`.
const VERSION: &str = "v1";
const NONCE_LEN: usize = 12;
const KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// Why keys could not be loaded or a value could not be opened.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CipherError {
    /// The key configuration is malformed (names the problem, never a key).
    #[error("{0}")]
    Config(String),
    /// The value was encrypted under a key id that is not configured.
    #[error("encrypted with data key `{0}`, which is not configured (add it to CHAT_DATA_KEYS)")]
    UnknownKey(String),
    /// Authentication failed: the configured key with this id is not the one
    /// that encrypted the value, or the value was altered or moved.
    #[error(
        "does not decrypt with data key `{0}`: the key differs from the one used to encrypt, or the value was altered"
    )]
    Undecryptable(String),
    /// Not a value this version writes.
    #[error("not an encrypted value in a known format")]
    Malformed,
}

/// The data keys (first one encrypts) and the search-hash key.
pub struct FieldCipher {
    keys: Vec<(String, Aes256Gcm)>,
    hash_key: Vec<u8>,
}

impl std::fmt::Debug for FieldCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldCipher")
            .field("key_ids", &self.key_ids())
            .field("hash_key", &"***")
            .finish()
    }
}

impl FieldCipher {
    /// Builds a cipher from `(id, 32-byte key)` pairs, the first encrypting,
    /// and a hash key of at least 32 bytes.
    pub fn new(keys: Vec<(String, Vec<u8>)>, hash_key: Vec<u8>) -> Result<Self, CipherError> {
        if keys.is_empty() {
            return Err(CipherError::Config("no data key given".into()));
        }
        let mut built: Vec<(String, Aes256Gcm)> = Vec::with_capacity(keys.len());
        for (id, key) in keys {
            if !valid_key_id(&id) {
                return Err(CipherError::Config(format!(
                    "key id `{id}` must be 1 to 32 letters, digits, - or _"
                )));
            }
            if built.iter().any(|(known, _)| *known == id) {
                return Err(CipherError::Config(format!("key id `{id}` appears twice")));
            }
            if key.len() != KEY_LEN {
                return Err(CipherError::Config(format!(
                    "key `{id}` is {} bytes; AES-256 needs exactly 32 (base64 of 32 random bytes)",
                    key.len()
                )));
            }
            let cipher = Aes256Gcm::new_from_slice(&key)
                .map_err(|_| CipherError::Config(format!("key `{id}` is not a valid key")))?;
            built.push((id, cipher));
        }
        if hash_key.len() < KEY_LEN {
            return Err(CipherError::Config(
                "the hash key must be at least 32 bytes (base64 of 32 random bytes)".into(),
            ));
        }
        Ok(Self {
            keys: built,
            hash_key,
        })
    }

    /// Parses the configuration forms: `keys` is `id:base64key[,id:base64key…]`
    /// (`CHAT_DATA_KEYS`), `hash_key` is base64 (`CHAT_DATA_HASH_KEY`).
    pub fn from_config(keys: &str, hash_key: &str) -> Result<Self, CipherError> {
        Self::new(parse_keys(keys)?, parse_hash_key(hash_key)?)
    }

    /// Configured key ids, the encrypting one first.
    pub fn key_ids(&self) -> Vec<&str> {
        self.keys.iter().map(|(id, _)| id.as_str()).collect()
    }

    /// The id of the key that encrypts new values.
    pub fn primary_key_id(&self) -> &str {
        self.keys.first().map_or("", |(id, _)| id.as_str())
    }

    /// Seals `plaintext` for `column` of row `row_id` under the first key.
    pub fn encrypt(
        &self,
        column: &str,
        row_id: &str,
        plaintext: &str,
    ) -> Result<String, CipherError> {
        let (id, cipher) = self
            .keys
            .first()
            .ok_or_else(|| CipherError::Config("no data key".into()))?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let aad = aad(column, row_id);
        let sealed = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| CipherError::Config("encryption failed".into()))?;
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(format!("{VERSION}:{id}:{}", B64.encode(blob)))
    }

    /// Opens a value [`Self::encrypt`] sealed for the same column and row.
    pub fn decrypt(&self, column: &str, row_id: &str, stored: &str) -> Result<String, CipherError> {
        let (id, blob) = split(stored)?;
        let cipher = self
            .keys
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, c)| c)
            .ok_or_else(|| CipherError::UnknownKey(id.to_owned()))?;
        let bytes = B64.decode(blob).map_err(|_| CipherError::Malformed)?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(CipherError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CipherError::Malformed)?;
        let aad = aad(column, row_id);
        let plain = cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| CipherError::Undecryptable(id.to_owned()))?;
        String::from_utf8(plain).map_err(|_| CipherError::Malformed)
    }

    /// True when `stored` was sealed under the encrypting key (nothing to
    /// re-encrypt).
    pub fn is_current(&self, stored: &str) -> bool {
        split(stored).is_ok_and(|(id, _)| id == self.primary_key_id())
    }

    /// The search hash of an already normalized value of `kind` (`email`,
    /// `phone`), as 64 hex digits.
    pub fn search_hash(&self, kind: &str, normalized: &str) -> String {
        // HMAC takes keys of any length, so this cannot fail; the fallback
        // only keeps the signature infallible.
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.hash_key) else {
            return String::new();
        };
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(normalized.as_bytes());
        hex_encode(&mac.finalize().into_bytes())
    }
}

/// Parses `id:base64key[,id:base64key…]`.
pub fn parse_keys(text: &str) -> Result<Vec<(String, Vec<u8>)>, CipherError> {
    let mut keys = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (id, key) = entry
            .split_once(':')
            .ok_or_else(|| CipherError::Config("expected id:base64key[,id:base64key…]".into()))?;
        let key = B64
            .decode(key.trim())
            .map_err(|_| CipherError::Config(format!("key `{}` is not valid base64", id.trim())))?;
        keys.push((id.trim().to_owned(), key));
    }
    if keys.is_empty() {
        return Err(CipherError::Config(
            "expected id:base64key[,id:base64key…]".into(),
        ));
    }
    Ok(keys)
}

/// Parses a base64 hash key.
pub fn parse_hash_key(text: &str) -> Result<Vec<u8>, CipherError> {
    B64.decode(text.trim())
        .map_err(|_| CipherError::Config("the hash key is not valid base64".into()))
}

/// A fresh random 32-byte key, base64 (for generated embedded-mode keys).
pub fn generate_key() -> String {
    let mut key = [0u8; KEY_LEN];
    rand::rng().fill_bytes(&mut key);
    B64.encode(key)
}

fn valid_key_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn split(stored: &str) -> Result<(&str, &str), CipherError> {
    let rest = stored
        .strip_prefix(VERSION)
        .and_then(|r| r.strip_prefix(':'))
        .ok_or(CipherError::Malformed)?;
    rest.split_once(':').ok_or(CipherError::Malformed)
}

fn aad(column: &str, row_id: &str) -> String {
    format!("{column}\0{row_id}")
}

fn hex_encode(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Vec<u8> {
        vec![byte; 32]
    }

    fn cipher(keys: &[(&str, u8)]) -> FieldCipher {
        FieldCipher::new(
            keys.iter()
                .map(|(id, b)| ((*id).to_owned(), key(*b)))
                .collect(),
            vec![9; 32],
        )
        .unwrap()
    }

    #[test]
    fn round_trip_with_fresh_nonces() {
        let c = cipher(&[("k1", 1)]);
        let a = c
            .encrypt("customers.email", "row-1", "ann@example.com")
            .unwrap();
        let b = c
            .encrypt("customers.email", "row-1", "ann@example.com")
            .unwrap();
        assert!(a.starts_with("v1:k1:"));
        assert_ne!(a, b, "a fresh nonce per value");
        assert!(!a.contains("ann@example")); // not "ann": random base64 holds it once in ~4,000 runs
        assert_eq!(
            c.decrypt("customers.email", "row-1", &a).unwrap(),
            "ann@example.com"
        );
        assert_eq!(
            c.decrypt("customers.email", "row-1", &b).unwrap(),
            "ann@example.com"
        );
        let empty = c.encrypt("customers.notes", "row-1", "").unwrap();
        assert_eq!(c.decrypt("customers.notes", "row-1", &empty).unwrap(), "");
        let chinese = c.encrypt("customers.notes", "row-1", "王小明 VIP").unwrap();
        assert_eq!(
            c.decrypt("customers.notes", "row-1", &chinese).unwrap(),
            "王小明 VIP"
        );
    }

    #[test]
    fn tampering_and_moving_are_detected() {
        let c = cipher(&[("k1", 1)]);
        let sealed = c
            .encrypt("customers.email", "row-1", "ann@example.com")
            .unwrap();
        // Another row or another column: the associated data differs.
        assert_eq!(
            c.decrypt("customers.email", "row-2", &sealed),
            Err(CipherError::Undecryptable("k1".into()))
        );
        assert_eq!(
            c.decrypt("customers.phone", "row-1", &sealed),
            Err(CipherError::Undecryptable("k1".into()))
        );
        // One flipped bit anywhere in nonce, ciphertext or tag.
        let blob = B64.decode(sealed.trim_start_matches("v1:k1:")).unwrap();
        for i in [0, NONCE_LEN, blob.len() - 1] {
            let mut bad = blob.clone();
            bad[i] ^= 1;
            let forged = format!("v1:k1:{}", B64.encode(&bad));
            assert_eq!(
                c.decrypt("customers.email", "row-1", &forged),
                Err(CipherError::Undecryptable("k1".into())),
                "byte {i}"
            );
        }
        for junk in [
            "",
            "ann@example.com",
            "v1:k1:",
            "v1:k1:!!!",
            "v2:k1:AAAA",
            "v1:k1:AAAA",
        ] {
            assert_eq!(
                c.decrypt("customers.email", "row-1", junk),
                Err(CipherError::Malformed),
                "{junk:?}"
            );
        }
    }

    #[test]
    fn wrong_or_missing_key_is_a_clear_error() {
        let sealed = cipher(&[("k1", 1)])
            .encrypt("customers.email", "r", "ann@example.com")
            .unwrap();
        let other_key_same_id = cipher(&[("k1", 2)]);
        let err = other_key_same_id
            .decrypt("customers.email", "r", &sealed)
            .unwrap_err();
        assert_eq!(err, CipherError::Undecryptable("k1".into()));
        assert!(err.to_string().contains("`k1`"));
        let without = cipher(&[("k2", 1)]);
        let err = without
            .decrypt("customers.email", "r", &sealed)
            .unwrap_err();
        assert_eq!(err, CipherError::UnknownKey("k1".into()));
        assert!(err.to_string().contains("CHAT_DATA_KEYS"));
    }

    #[test]
    fn rotation_first_key_encrypts_all_decrypt() {
        let old = cipher(&[("2025", 1)]);
        let sealed_old = old
            .encrypt("customers.phone", "r", "+8613800138000")
            .unwrap();
        let rotated = cipher(&[("2026", 2), ("2025", 1)]);
        assert_eq!(rotated.primary_key_id(), "2026");
        assert!(!rotated.is_current(&sealed_old));
        assert_eq!(
            rotated
                .decrypt("customers.phone", "r", &sealed_old)
                .unwrap(),
            "+8613800138000"
        );
        let sealed_new = rotated
            .encrypt("customers.phone", "r", "+8613800138000")
            .unwrap();
        assert!(sealed_new.starts_with("v1:2026:"));
        assert!(rotated.is_current(&sealed_new));
        // After the old key is dropped, only re-encrypted values open.
        let new_only = cipher(&[("2026", 2)]);
        assert!(
            new_only
                .decrypt("customers.phone", "r", &sealed_new)
                .is_ok()
        );
        assert_eq!(
            new_only.decrypt("customers.phone", "r", &sealed_old),
            Err(CipherError::UnknownKey("2025".into()))
        );
    }

    #[test]
    fn search_hashes_are_keyed_and_separated_by_kind() {
        let c = cipher(&[("k1", 1)]);
        let h = c.search_hash("email", "ann@example.com");
        assert_eq!(h.len(), 64);
        assert_eq!(h, c.search_hash("email", "ann@example.com"));
        assert_ne!(h, c.search_hash("email", "bob@example.com"));
        assert_ne!(h, c.search_hash("phone", "ann@example.com"));
        let other = FieldCipher::new(vec![("k1".into(), key(1))], vec![8; 32]).unwrap();
        assert_ne!(h, other.search_hash("email", "ann@example.com"));
    }

    #[test]
    fn configuration_errors_name_the_problem() {
        let k = B64.encode([7u8; 32]);
        let h = B64.encode([8u8; 32]);
        let c = FieldCipher::from_config(&format!("new:{k}, old:{}", B64.encode([6u8; 32])), &h)
            .unwrap();
        assert_eq!(c.key_ids(), vec!["new", "old"]);
        assert!(!format!("{c:?}").contains(&k));
        let err = |keys: &str, hash: &str| {
            FieldCipher::from_config(keys, hash)
                .unwrap_err()
                .to_string()
        };
        assert!(err("", &h).contains("id:base64key"));
        assert!(err(&k, &h).contains("id:base64key"), "no id");
        assert!(err("k1:not base64!", &h).contains("base64"));
        assert!(err(&format!("k1:{}", B64.encode([1u8; 16])), &h).contains("exactly 32"));
        assert!(err(&format!("k1:{k},k1:{k}"), &h).contains("twice"));
        assert!(err(&format!("bad id:{k}"), &h).contains("key id"));
        assert!(err(&format!("k1:{k}"), &B64.encode([1u8; 8])).contains("at least 32"));
        assert_eq!(B64.decode(generate_key()).unwrap().len(), 32);
    }
}
