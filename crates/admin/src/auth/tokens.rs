//! Signed bearer tokens (JWT, HS256).
//!
//! Two kinds, told apart by the `kind` claim so one can never stand in for the
//! other: `access` tokens for staff (short-lived, carry the role) and
//! `customer` tokens for the widget (scoped to one customer). Verification
//! accepts HS256 only: `alg: none` or any other algorithm is rejected.

use chat_domain::auth::{Principal, TokenVerifier};
use chat_domain::ids::{CustomerId, UserId};
use chat_domain::model::Role;
use chat_domain::{DomainError, DomainResult};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Shortest accepted signing secret, in bytes (HS256 wants ≥ 256 bits).
pub const MIN_SECRET_BYTES: usize = 32;
const ISSUER: &str = "chat-api";
/// Clock skew tolerated between nodes when checking `exp`.
const LEEWAY_SECS: u64 = 5;

/// What a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A staff member's access token.
    Access,
    /// A customer's widget token.
    Customer,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    kind: TokenKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<Role>,
    iss: String,
    iat: i64,
    /// `iat` to the millisecond: a revocation and a new sign-in can fall in
    /// the same second, and only the tokens before the revocation must go.
    /// (Absent from tokens issued before it existed: `iat` then.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iat_ms: Option<i64>,
    exp: i64,
}

/// The signing and verification keys derived from one secret.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(..)")
    }
}

impl JwtKeys {
    /// Builds the keys; the secret must be at least [`MIN_SECRET_BYTES`] long.
    pub fn new(secret: &[u8]) -> DomainResult<Self> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(DomainError::invalid(
                "CHAT_JWT_SECRET",
                "must be at least 32 bytes",
            ));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = LEEWAY_SECS;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        })
    }

    fn sign(&self, claims: &Claims) -> DomainResult<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| DomainError::Internal(format!("jwt sign: {e}")))
    }

    /// Signs a staff access token valid for `ttl_secs` from `now` (unix seconds).
    pub fn issue_access(
        &self,
        user: UserId,
        role: Role,
        now: i64,
        ttl_secs: i64,
    ) -> DomainResult<String> {
        self.issue_access_ms(user, role, now.saturating_mul(1000), ttl_secs)
    }

    /// Signs a staff access token valid for `ttl_secs` from `now_ms` (unix
    /// milliseconds, kept in the token for [`chat_domain::auth::SessionCheck`]).
    pub fn issue_access_ms(
        &self,
        user: UserId,
        role: Role,
        now_ms: i64,
        ttl_secs: i64,
    ) -> DomainResult<String> {
        let now = now_ms.div_euclid(1000);
        self.sign(&Claims {
            sub: user.to_string(),
            kind: TokenKind::Access,
            role: Some(role),
            iss: ISSUER.into(),
            iat: now,
            iat_ms: Some(now_ms),
            exp: now + ttl_secs,
        })
    }

    /// Signs a customer token valid for `ttl_secs` from `now` (unix seconds).
    pub fn issue_customer(
        &self,
        customer: CustomerId,
        now: i64,
        ttl_secs: i64,
    ) -> DomainResult<String> {
        self.sign(&Claims {
            sub: customer.to_string(),
            kind: TokenKind::Customer,
            role: None,
            iss: ISSUER.into(),
            iat: now,
            iat_ms: None,
            exp: now + ttl_secs,
        })
    }
}

impl TokenVerifier for JwtKeys {
    fn verify_issued(&self, token: &str) -> DomainResult<(Principal, i64)> {
        use jsonwebtoken::errors::ErrorKind;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| {
                DomainError::Unauthenticated(match e.kind() {
                    ErrorKind::ExpiredSignature => "token expired".into(),
                    ErrorKind::InvalidSignature => "token signature is invalid".into(),
                    ErrorKind::InvalidAlgorithm => "token algorithm is not accepted".into(),
                    _ => "token is malformed".into(),
                })
            })?;
        let c = data.claims;
        let bad = || DomainError::Unauthenticated("token is malformed".into());
        let issued = c.iat_ms.unwrap_or_else(|| c.iat.saturating_mul(1000));
        let principal = match (c.kind, c.role) {
            (TokenKind::Access, Some(role)) => Principal::Staff {
                user_id: c.sub.parse().map_err(|_| bad())?,
                role,
            },
            (TokenKind::Customer, None) => Principal::Customer {
                customer_id: c.sub.parse().map_err(|_| bad())?,
            },
            _ => return Err(bad()),
        };
        Ok((principal, issued))
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(&[7u8; 32]).unwrap()
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[test]
    fn access_and_customer_tokens_verify() {
        let k = keys();
        let user = UserId::new();
        let t = k.issue_access(user, Role::Agent, now(), 60).unwrap();
        assert_eq!(
            k.verify(&t).unwrap(),
            Principal::Staff {
                user_id: user,
                role: Role::Agent
            }
        );
        let customer = CustomerId::new();
        let t = k.issue_customer(customer, now(), 60).unwrap();
        assert_eq!(
            k.verify(&t).unwrap(),
            Principal::Customer {
                customer_id: customer
            }
        );
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(JwtKeys::new(b"too short").is_err());
    }

    #[test]
    fn expired_tampered_foreign_and_unsigned_tokens_fail() {
        let k = keys();
        let user = UserId::new();
        let expired = k.issue_access(user, Role::Admin, now() - 3600, 60).unwrap();
        assert_eq!(
            k.verify(&expired).unwrap_err(),
            DomainError::Unauthenticated("token expired".into())
        );

        // Promote oneself by editing the payload: the signature no longer matches.
        let t = k.issue_access(user, Role::Agent, now(), 60).unwrap();
        let parts: Vec<&str> = t.split('.').collect();
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        let forged = URL_SAFE_NO_PAD.encode(payload.replace("\"agent\"", "\"admin\""));
        let tampered = format!("{}.{}.{}", parts[0], forged, parts[2]);
        assert!(k.verify(&tampered).is_err());

        // alg: none, no signature.
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{header}.{}.", parts[1]);
        assert!(k.verify(&unsigned).is_err());

        // Signed with another secret.
        let other = JwtKeys::new(&[8u8; 32]).unwrap();
        let foreign = other.issue_access(user, Role::Admin, now(), 60).unwrap();
        assert!(k.verify(&foreign).is_err());

        assert!(k.verify("garbage").is_err());
        assert!(k.verify("").is_err());
    }
}
