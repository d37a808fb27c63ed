//! Argon2id password hashing. Hashing costs tens of milliseconds of CPU by
//! design, so it always runs on the blocking pool, never on an async worker.

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chat_domain::{DomainError, DomainResult};
use rand::RngCore;

/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest accepted password, in bytes (argon2 input is bounded; so is abuse).
pub const MAX_PASSWORD_BYTES: usize = 256;

/// Rejects passwords too short to be worth hashing or too long to accept.
pub fn check_password_policy(password: &str) -> DomainResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(DomainError::invalid(
            "password",
            "must be at least 8 characters",
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(DomainError::invalid(
            "password",
            "must be at most 256 bytes",
        ));
    }
    Ok(())
}

/// Hashes a password with Argon2id (OWASP minimum parameters: m=19 MiB, t=2,
/// p=1) and a random salt; returns the PHC string.
pub async fn hash_password(password: String) -> DomainResult<String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt)
            .map_err(|e| DomainError::Internal(format!("salt: {e}")))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| DomainError::Internal(format!("hashing task: {e}")))?
}

/// True for the bcrypt hashes (`$2a$`, `$2b$`, `$2y$`) that accounts
/// imported from the old chat-admin carry until their first login.
pub fn is_legacy_hash(hash: &str) -> bool {
    ["$2a$", "$2b$", "$2y$"].iter().any(|p| hash.starts_with(p))
}

/// Checks a password against a PHC string (argon2id), or against a legacy
/// bcrypt hash ([`is_legacy_hash`]). A malformed stored hash counts as a
/// mismatch (and is logged), never as a match.
pub async fn verify_password(password: String, phc: String) -> DomainResult<bool> {
    tokio::task::spawn_blocking(move || {
        if is_legacy_hash(&phc) {
            return match bcrypt::verify(password.as_bytes(), &phc) {
                Ok(ok) => ok,
                Err(e) => {
                    tracing::error!(error = %e, "stored bcrypt hash is malformed");
                    false
                }
            };
        }
        match PasswordHash::new(&phc) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(e) => {
                tracing::error!(error = %e, "stored password hash is malformed");
                false
            }
        }
    })
    .await
    .map_err(|e| DomainError::Internal(format!("hashing task: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_salted() {
        let a = hash_password("correct horse".into()).await.unwrap();
        let b = hash_password("correct horse".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "salted");
        assert!(
            verify_password("correct horse".into(), a.clone())
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong horse".into(), a).await.unwrap());
        assert!(
            !verify_password("x".into(), "not a hash".into())
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn legacy_bcrypt_hashes_verify() {
        // Cost 4: the lowest bcrypt allows, for speed; the prefixes PHP and
        // Node's bcrypt libraries write all verify.
        let hash = bcrypt::hash("old secret", 4).unwrap();
        for prefix in ["$2a$", "$2b$", "$2y$"] {
            let h = format!("{prefix}{}", &hash[4..]);
            assert!(is_legacy_hash(&h));
            assert!(
                verify_password("old secret".into(), h.clone())
                    .await
                    .unwrap()
            );
            assert!(!verify_password("wrong".into(), h).await.unwrap());
        }
        assert!(
            !verify_password("x".into(), "$2b$04$short".into())
                .await
                .unwrap()
        );
        assert!(!is_legacy_hash(
            &hash_password("p".repeat(8)).await.unwrap()
        ));
    }

    #[test]
    fn policy() {
        assert!(check_password_policy("short").is_err());
        assert!(check_password_policy("长度足够的中文密码").is_ok());
        assert!(check_password_policy(&"x".repeat(300)).is_err());
    }
}
