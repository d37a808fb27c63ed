//! Secrets the server may generate for itself in embedded mode:
//!
//! - the JWT signing secret: from `CHAT_JWT_SECRET`, or generated once into
//!   `CHAT_DATA_DIR/jwt_secret` so tokens survive restarts;
//! - the data keys that encrypt customer contact details: from
//!   `CHAT_DATA_KEYS` and `CHAT_DATA_HASH_KEY`, or generated once into
//!   `CHAT_DATA_DIR/data_keys` and `CHAT_DATA_DIR/data_hash_key` (lose them
//!   and the encrypted fields are gone: back them up with the database).
//!
//! With MySQL every node must share them, so configuration requires them
//! (checked in [`crate::config`]).

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use chat_store::FieldCipher;
use chat_store::crypto::generate_key;
use rand::RngCore as _;

use crate::config::Config;

const FILE_NAME: &str = "jwt_secret";
const DATA_KEYS_FILE: &str = "data_keys";
const DATA_HASH_KEY_FILE: &str = "data_hash_key";

/// The secret bytes to sign with.
pub fn jwt_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    if let Some(s) = &config.admin.jwt_secret {
        return Ok(s.0.as_bytes().to_vec());
    }
    anyhow::ensure!(
        config.is_embedded(),
        "CHAT_JWT_SECRET is required outside embedded mode"
    );
    load_or_create(&config.server.data_dir.join(FILE_NAME), || {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    })
}

/// The cipher for customer contact details: from the configuration, or
/// (embedded mode) from key files generated on first start.
pub fn data_cipher(config: &Config) -> anyhow::Result<FieldCipher> {
    if let (Some(keys), Some(hash_key)) = (&config.store.data_keys, &config.store.data_hash_key) {
        return FieldCipher::from_config(&keys.0, &hash_key.0)
            .map_err(|e| anyhow::anyhow!("CHAT_DATA_KEYS / CHAT_DATA_HASH_KEY: {e}"));
    }
    anyhow::ensure!(
        config.is_embedded(),
        "CHAT_DATA_KEYS and CHAT_DATA_HASH_KEY are required outside embedded mode"
    );
    let keys_path = config.server.data_dir.join(DATA_KEYS_FILE);
    let hash_path = config.server.data_dir.join(DATA_HASH_KEY_FILE);
    let keys = load_or_create(&keys_path, || format!("local1:{}", generate_key()))?;
    let hash_key = load_or_create(&hash_path, generate_key)?;
    FieldCipher::from_config(
        &String::from_utf8_lossy(&keys),
        &String::from_utf8_lossy(&hash_key),
    )
    .map_err(|e| anyhow::anyhow!("{} / {}: {e}", keys_path.display(), hash_path.display()))
}

/// Reads the secret in `path`, or writes `generate()` there (mode 0600) if
/// the file does not exist yet.
fn load_or_create(path: &Path, generate: impl Fn() -> String) -> anyhow::Result<Vec<u8>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let secret = text.trim().as_bytes().to_vec();
            anyhow::ensure!(
                secret.len() >= 32,
                "{} holds fewer than 32 bytes",
                path.display()
            );
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                // Readable by this user only, like the secrets in it.
                chat_store::private_dir(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let secret = generate();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(path) {
                Ok(mut file) => {
                    file.write_all(secret.as_bytes())
                        .with_context(|| format!("writing {}", path.display()))?;
                    tracing::info!(path = %path.display(), "generated a secret");
                    Ok(secret.into_bytes())
                }
                // Another process created it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    load_or_create(path, generate)
                }
                Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
            }
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_reused() {
        let dir =
            std::env::temp_dir().join(format!("chat-secret-{}", uuid::Uuid::now_v7().simple()));
        let path = dir.join(FILE_NAME);
        let generate = || "x".repeat(64);
        let a = load_or_create(&path, generate).unwrap();
        let b = load_or_create(&path, || "y".repeat(64)).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        std::fs::write(&path, "short").unwrap();
        assert!(load_or_create(&path, generate).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn embedded_data_keys_are_generated_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("chat-keys-{}", uuid::Uuid::now_v7().simple()));
        let dir_text = dir.to_string_lossy().into_owned();
        let config = crate::config::Config::from_lookup(|k| {
            (k == "CHAT_DATA_DIR").then(|| dir_text.clone())
        })
        .unwrap();
        let first = data_cipher(&config).unwrap();
        let sealed = first
            .encrypt("customers.email", "row", "ann@example.com")
            .unwrap();
        let again = data_cipher(&config).unwrap();
        assert_eq!(again.key_ids(), vec!["local1"]);
        assert_eq!(
            again.decrypt("customers.email", "row", &sealed).unwrap(),
            "ann@example.com"
        );
        assert_eq!(
            first.search_hash("email", "ann@example.com"),
            again.search_hash("email", "ann@example.com")
        );
        std::fs::write(
            dir.join(DATA_KEYS_FILE),
            format!("local1:{}", "!".repeat(44)),
        )
        .unwrap();
        let err = format!("{:#}", data_cipher(&config).unwrap_err());
        assert!(err.contains("data_keys") && err.contains("base64"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
