//! The JWT signing secret: from `CHAT_JWT_SECRET`, or — embedded mode only —
//! generated once into `CHAT_DATA_DIR/jwt_secret` so tokens survive restarts.
//! With MySQL every node must share one secret, so configuration requires it
//! (checked in [`crate::config`]).

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use rand::RngCore as _;

use crate::config::Config;

const FILE_NAME: &str = "jwt_secret";

/// The secret bytes to sign with.
pub fn jwt_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    if let Some(s) = &config.jwt_secret {
        return Ok(s.0.as_bytes().to_vec());
    }
    anyhow::ensure!(
        config.is_embedded(),
        "CHAT_JWT_SECRET is required outside embedded mode"
    );
    load_or_create(&config.data_dir.join(FILE_NAME))
}

fn load_or_create(path: &Path) -> anyhow::Result<Vec<u8>> {
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
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            let secret = hex::encode(bytes);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(path) {
                Ok(mut file) => {
                    file.write_all(secret.as_bytes())
                        .with_context(|| format!("writing {}", path.display()))?;
                    tracing::info!(path = %path.display(), "generated a JWT signing secret");
                    Ok(secret.into_bytes())
                }
                // Another process created it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create(path),
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
        let a = load_or_create(&path).unwrap();
        let b = load_or_create(&path).unwrap();
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
        assert!(load_or_create(&path).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
