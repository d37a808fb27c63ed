//! The first admin's generated password, kept in a file (mode 0600) under the
//! data directory until that admin changes it: a first start whose log line
//! scrolled away, or went to a collector the operator cannot read, still
//! leaves a way in. The file goes as soon as the password it holds stops
//! being valid.

use std::path::{Path, PathBuf};

use chat_domain::{DomainError, DomainResult};

use super::password::verify_password;

/// The file's name inside the data directory.
pub const INITIAL_PASSWORD_FILE: &str = "initial_admin_password";

/// Writes `password` to `path` (created or replaced, mode 0600).
pub async fn write_initial_password(path: PathBuf, password: String) -> DomainResult<()> {
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Replace, never append: a stale file from an earlier database must
        // not be read as this admin's password.
        let _ = std::fs::remove_file(&path);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path)?;
        file.write_all(format!("{password}\n").as_bytes())
    })
    .await
    .map_err(|e| DomainError::Internal(format!("file task: {e}")))?
    .map_err(|e| DomainError::Internal(format!("writing the first admin's password file: {e}")))
}

/// Deletes the file at `path` if the password it holds matches
/// `hash_before` (the user's hash before a change): called whenever a
/// password changes, so the file never outlives its password. Returns true
/// when it was deleted.
pub async fn forget_initial_password(path: &Path, hash_before: &str) -> DomainResult<bool> {
    let read = {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || std::fs::read_to_string(path))
            .await
            .map_err(|e| DomainError::Internal(format!("file task: {e}")))?
    };
    let Ok(text) = read else {
        return Ok(false);
    };
    let password = text.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() || !verify_password(password, hash_before.to_owned()).await? {
        return Ok(false);
    }
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || std::fs::remove_file(path))
        .await
        .map_err(|e| DomainError::Internal(format!("file task: {e}")))?
        .map_err(|e| {
            DomainError::Internal(format!("deleting the first admin's password file: {e}"))
        })?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::hash_password;

    #[tokio::test]
    async fn the_file_goes_with_its_password_only() {
        let dir =
            std::env::temp_dir().join(format!("chat-initial-{}", uuid::Uuid::now_v7().simple()));
        let path = dir.join(INITIAL_PASSWORD_FILE);
        write_initial_password(path.clone(), "generated-pw-123".into())
            .await
            .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let other = hash_password("another password".into()).await.unwrap();
        assert!(!forget_initial_password(&path, &other).await.unwrap());
        assert!(path.exists(), "another user's change keeps the file");
        let own = hash_password("generated-pw-123".into()).await.unwrap();
        assert!(forget_initial_password(&path, &own).await.unwrap());
        assert!(!path.exists());
        assert!(
            !forget_initial_password(&path, &own).await.unwrap(),
            "gone is fine"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
