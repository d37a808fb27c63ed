//! Authentication: who may call, with what proof.

mod initial;
mod password;
mod refresh;
mod revocations;
mod service;
mod throttle;
mod tokens;

pub use initial::{INITIAL_PASSWORD_FILE, forget_initial_password, write_initial_password};
pub use password::{check_password_policy, hash_password, is_legacy_hash, verify_password};
pub use refresh::{RefreshSecret, hash_refresh_secret};
pub use revocations::{Revocations, TTL as REVOCATION_CACHE_TTL};
pub use service::{AuthConfig, AuthService, BootstrapOutcome, PreparedAdmin, TokenPair};
pub use throttle::LoginThrottle;
pub use tokens::{JwtKeys, MIN_SECRET_BYTES, TokenKind};
