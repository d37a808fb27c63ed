//! The authentication use cases: login, refresh, logout, bootstrap.
//!
//! ~620 lines: login, rotation and revocation share the reuse-detection and
//! throttling rules; they stay in one reviewable file.

use std::sync::Arc;
use std::time::Duration;

use chat_domain::auth::{Principal, RefreshToken, SessionCheck, TokenVerifier};
use chat_domain::events::Event;
use chat_domain::ids::{CustomerId, RefreshTokenId, TokenFamilyId, UserId};
use chat_domain::model::{Role, User, normalize_email};
use chat_domain::ports::{EventBus, Store};
use chat_domain::time::{Timestamp, Timestamps, now};
use chat_domain::{DomainError, DomainResult};
use serde::Serialize;
use tokio::sync::{OnceCell, Semaphore};

use crate::audit::{AuditRecord, Audited};

use super::password::{check_password_policy, hash_password, verify_password};
use super::refresh::{RefreshSecret, hash_refresh_secret};
use super::revocations::Revocations;
use super::throttle::LoginThrottle;
use super::tokens::JwtKeys;

/// Lifetimes and limits.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Access-token lifetime (seconds). Short: a stolen one expires soon.
    pub access_ttl_secs: i64,
    /// Refresh-token lifetime (seconds).
    pub refresh_ttl_secs: i64,
    /// Customer-token lifetime (seconds).
    pub customer_ttl_secs: i64,
    /// Failed logins allowed per account and per address within the window.
    pub login_max_failures: u32,
    /// The throttling window.
    pub login_window: Duration,
    /// Where the first admin's generated password is kept until changed
    /// (see [`super::write_initial_password`]); `None`: nowhere.
    pub initial_password_file: Option<std::path::PathBuf>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            access_ttl_secs: 15 * 60,
            refresh_ttl_secs: 30 * 24 * 3600,
            customer_ttl_secs: 24 * 3600,
            login_max_failures: 5,
            login_window: Duration::from_secs(300),
            initial_password_file: None,
        }
    }
}

/// What a successful login or refresh hands the client.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    /// Bearer token for `Authorization`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single-use token to get the next pair.
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: i64,
}

/// What start-up bootstrap did.
#[derive(Debug, PartialEq, Eq)]
pub enum BootstrapOutcome {
    /// Users exist already; nothing done.
    AlreadyInitialized,
    /// The first admin was created. `generated_password` is set when no
    /// password was configured: it must be shown to the operator once.
    Created {
        /// The admin's login.
        email: String,
        /// The random password, when one was generated.
        generated_password: Option<String>,
    },
}

/// The first admin's credentials, checked and hashed, not yet stored.
pub struct PreparedAdmin {
    email: String,
    password_hash: String,
    /// The random password, when none was configured.
    generated_password: Option<String>,
}

impl PreparedAdmin {
    /// Checks the configured e-mail (default `admin@localhost`) and password
    /// (generated when absent) and hashes the password (argon2id, on the
    /// blocking pool).
    pub async fn new(email: Option<&str>, password: Option<&str>) -> DomainResult<Self> {
        let email = normalize_email(email.unwrap_or("admin@localhost"))
            .map_err(|_| DomainError::invalid("CHAT_ADMIN_EMAIL", "must be an e-mail address"))?;
        let (password, generated) = match password {
            Some(p) => {
                check_password_policy(p).map_err(|_| {
                    DomainError::invalid("CHAT_ADMIN_PASSWORD", "must be 8 to 256 characters")
                })?;
                (p.to_owned(), false)
            }
            None => (random_password(), true),
        };
        Ok(Self {
            email,
            password_hash: hash_password(password.clone()).await?,
            generated_password: generated.then_some(password),
        })
    }
}

/// Authentication over any [`Store`].
pub struct AuthService {
    store: Arc<dyn Store>,
    keys: Arc<JwtKeys>,
    config: AuthConfig,
    throttle: LoginThrottle,
    /// Hash verified when the e-mail is unknown, so that "no such user" takes
    /// as long as "wrong password" and does not reveal which e-mails exist.
    decoy_hash: OnceCell<String>,
    /// Bounds concurrent password checks (memory-hard: 19 MiB each).
    hashing: Semaphore,
    /// Where revocations are announced to every node's sockets (set once
    /// the bus exists, after the service: see [`Self::attach_bus`]).
    bus: std::sync::OnceLock<Arc<dyn EventBus>>,
    /// Each user's last revocation, for [`SessionCheck`].
    revocations: Arc<Revocations>,
}

const INVALID_LOGIN: &str = "invalid email or password";
/// Concurrent password verifications allowed (each is CPU-bound and uses
/// 19 MiB): a few per core keeps the cores busy without queueing memory.
const MAX_CONCURRENT_HASHES: usize = 4;

impl AuthService {
    /// Wires the service.
    pub fn new(store: Arc<dyn Store>, keys: Arc<JwtKeys>, config: AuthConfig) -> Self {
        let throttle = LoginThrottle::new(config.login_max_failures, config.login_window);
        Self {
            store,
            keys,
            config,
            throttle,
            decoy_hash: OnceCell::new(),
            hashing: Semaphore::new(MAX_CONCURRENT_HASHES),
            bus: std::sync::OnceLock::new(),
            revocations: Arc::default(),
        }
    }

    /// Counts login attempts in `shared` (Redis), so that every node sees
    /// them; without it each node counts on its own.
    pub fn share_login_attempts(&self, shared: Arc<dyn chat_domain::ports::SharedAttempts>) {
        self.throttle.share(shared);
    }

    /// Announces revocations on `bus` from now on (the bus is built after
    /// this service; a second call is ignored).
    /// Also follows the bus from then on, so that revocations made on other
    /// nodes refuse access tokens here too.
    pub fn attach_bus(&self, bus: Arc<dyn EventBus>) {
        if self.bus.get().is_none() {
            self.revocations.follow(bus.as_ref());
        }
        let _ = self.bus.set(bus);
    }

    /// Ends every session of a staff member: their refresh tokens are
    /// revoked, and [`Event::SessionsRevoked`] makes every node close their
    /// open sockets at once. Idempotent, so a request that failed here
    /// (503) can simply be repeated.
    pub async fn revoke_sessions(&self, user_id: UserId) -> DomainResult<()> {
        self.store.revoke_user_tokens(user_id, now()).await?;
        // This node refuses the old access tokens at once; the others when
        // the event arrives.
        self.revocations.invalidate(user_id);
        if let Some(bus) = self.bus.get() {
            bus.publish(Event::SessionsRevoked { user_id }).await?;
        }
        Ok(())
    }

    /// The token verifier (for transports that only verify).
    pub fn keys(&self) -> Arc<JwtKeys> {
        self.keys.clone()
    }

    /// Checks credentials and opens a new refresh-token family. Every
    /// attempt that reached a verdict (signed in, refused, throttled) comes
    /// back with its audit record; `ip` is the throttle's second key.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        ip: Option<&str>,
    ) -> Audited<(TokenPair, User)> {
        let valid_email = normalize_email(email).ok();
        // Bounded keys: a megabyte of "e-mail" must not become a map key.
        let shown: String = email.trim().to_lowercase().chars().take(254).collect();
        let acct_key = format!("acct:{}", valid_email.as_deref().unwrap_or(&shown));
        let ip_key = format!("ip:{}", ip.unwrap_or("unknown"));
        let attempt = match self.throttle.begin(&[&acct_key, &ip_key]).await {
            Ok(attempt) => attempt,
            Err(e) => {
                return Audited::with(
                    Err(e),
                    AuditRecord::new(None, "auth.login_throttled", Some(shown)),
                );
            }
        };
        let user = match self.check_credentials(valid_email, &shown, password).await {
            Ok(Ok(user)) => user,
            Ok(Err(refused)) => {
                return Audited::with(
                    Err(DomainError::Unauthenticated(INVALID_LOGIN.into())),
                    refused,
                );
            }
            Err(e) => {
                // The database (or the hashing pool) failed, not the caller:
                // an outage must not lock correct passwords out afterwards.
                self.throttle
                    .abandoned(&attempt, &[&acct_key, &ip_key])
                    .await;
                return Audited::silent(Err(e));
            }
        };
        self.throttle
            .succeeded(&attempt, &acct_key, &[&ip_key])
            .await;
        let user = self.upgrade_legacy_hash(user, password).await;
        match self.open_family(&user).await {
            Ok(pair) => {
                let record =
                    AuditRecord::new(Some(user.id), "auth.login", Some(user.email.clone()));
                Audited::with(Ok((pair, user)), record)
            }
            Err(e) => Audited::silent(Err(e)),
        }
    }

    /// The user behind valid credentials, the audit record of the refusal
    /// for wrong ones, or an error when they could not be checked.
    async fn check_credentials(
        &self,
        valid_email: Option<String>,
        shown: &str,
        password: &str,
    ) -> DomainResult<Result<User, AuditRecord>> {
        let Some(email) = valid_email else {
            // Not an address, so not an account: no lookup, no hash; the
            // attempt still counts against the address.
            return Ok(Err(AuditRecord::new(
                None,
                "auth.login_failed",
                Some(shown.to_owned()),
            )
            .because("invalid email")));
        };
        let user = self.store.user_by_email(&email).await?;
        let phc = match &user {
            Some(u) => u.password_hash.clone(),
            None => self.decoy_hash().await?,
        };
        let ok = {
            // Each check holds 19 MiB for tens of milliseconds: bound how many
            // run at once so a burst cannot exhaust memory or the blocking pool.
            let _permit = tokio::time::timeout(Duration::from_secs(5), self.hashing.acquire())
                .await
                .map_err(|_| DomainError::Unavailable("too many logins in progress".into()))?
                .map_err(|_| DomainError::Internal("hashing semaphore closed".into()))?;
            verify_password(password.to_owned(), phc).await?
        };
        match user {
            Some(u) if ok && u.active => Ok(Ok(u)),
            other => {
                let reason = match other {
                    None => "unknown email",
                    Some(u) if !u.active => "account deactivated",
                    Some(_) => "wrong password",
                };
                Ok(Err(AuditRecord::new(
                    None,
                    "auth.login_failed",
                    Some(email),
                )
                .because(reason)))
            }
        }
    }

    /// Exchanges a live refresh token for a new pair. Presenting a token that
    /// was already rotated means it leaked (or the client is replaying): the
    /// whole family is revoked and the caller must log in again (and the
    /// reuse comes back with its audit record).
    pub async fn refresh(&self, secret: &str) -> Audited<TokenPair> {
        let mut record = None;
        let result = self.rotate(secret, &mut record).await;
        Audited { result, record }
    }

    async fn rotate(
        &self,
        secret: &str,
        record: &mut Option<AuditRecord>,
    ) -> DomainResult<TokenPair> {
        let invalid = || DomainError::Unauthenticated("refresh token is invalid".into());
        let Some(token) = self
            .store
            .refresh_token_by_hash(&hash_refresh_secret(secret))
            .await?
        else {
            return Err(invalid());
        };
        let at = now();
        if token.replaced_by.is_some() {
            return Err(self.reuse_detected(&token, at, record).await);
        }
        if token.revoked_at.is_some() {
            return Err(DomainError::Unauthenticated(
                "refresh token is revoked".into(),
            ));
        }
        if token.expires_at <= at {
            return Err(DomainError::Unauthenticated("refresh token expired".into()));
        }
        let user = match self.store.user_by_id(token.user_id).await? {
            Some(u) if u.active => u,
            _ => {
                self.store.revoke_token_family(token.family_id, at).await?;
                return Err(invalid());
            }
        };
        let next = RefreshSecret::generate();
        let new = self.refresh_row(&user, token.family_id, &next, at);
        if !self.store.rotate_refresh_token(token.id, &new, at).await? {
            // Lost a race with another refresh of the same token: a replay.
            return Err(self.reuse_detected(&token, at, record).await);
        }
        self.pair(&user, next.secret)
    }

    /// Revokes the family of a refresh token (this login on this device).
    /// Unknown tokens are ignored: logout is idempotent. A revocation comes
    /// back with its audit record.
    pub async fn logout(&self, secret: &str) -> Audited<()> {
        let token = match self
            .store
            .refresh_token_by_hash(&hash_refresh_secret(secret))
            .await
        {
            Ok(Some(token)) => token,
            Ok(None) => return Audited::silent(Ok(())),
            Err(e) => return Audited::silent(Err(e)),
        };
        match self.store.revoke_token_family(token.family_id, now()).await {
            Ok(_) => Audited::with(
                Ok(()),
                AuditRecord::new(Some(token.user_id), "auth.logout", None),
            ),
            Err(e) => Audited::silent(Err(e)),
        }
    }

    /// The current user behind a staff principal; deactivated or deleted
    /// users are refused even while their access token is still valid.
    pub async fn current_user(&self, user_id: UserId) -> DomainResult<User> {
        match self.store.user_by_id(user_id).await? {
            Some(u) if u.active => Ok(u),
            _ => Err(DomainError::Unauthenticated(
                "account is no longer active".into(),
            )),
        }
    }

    /// An account imported with the old chat-admin's bcrypt hash gets an
    /// argon2id one at its first successful login (the only moment the
    /// password is known). Best effort: a failure keeps the old hash, which
    /// still works, and is logged.
    async fn upgrade_legacy_hash(&self, mut user: User, password: &str) -> User {
        if !super::password::is_legacy_hash(&user.password_hash) {
            return user;
        }
        match hash_password(password.to_owned()).await {
            Ok(hash) => {
                let before = std::mem::replace(&mut user.password_hash, hash);
                user.times.updated_at = now();
                if let Err(e) = self.store.update_user(&user).await {
                    tracing::warn!(error = %e, "could not upgrade a legacy password hash");
                    user.password_hash = before;
                } else {
                    tracing::info!(user = %user.id, "upgraded a legacy bcrypt password hash to argon2id");
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not upgrade a legacy password hash"),
        }
        user
    }

    /// Sets a user's password (admin reset or own change) and ends every
    /// session of theirs ([`Self::revoke_sessions`]): they sign in again.
    pub async fn set_password(&self, mut user: User, new_password: &str) -> DomainResult<User> {
        check_password_policy(new_password)?;
        let before = std::mem::replace(
            &mut user.password_hash,
            hash_password(new_password.to_owned()).await?,
        );
        user.times.updated_at = now();
        self.store.update_user(&user).await?;
        self.revoke_sessions(user.id).await?;
        if let Some(path) = &self.config.initial_password_file {
            // The change is stored: a failure here only leaves a stale file.
            match super::forget_initial_password(path, &before).await {
                Ok(true) => {
                    tracing::info!(path = %path.display(), "the first admin changed the generated password; its file is deleted")
                }
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "could not delete the first admin's password file")
                }
            }
        }
        Ok(user)
    }

    /// Changes one's own password, proving the current one first (a stolen
    /// access token alone cannot take the account over).
    pub async fn change_own_password(
        &self,
        user_id: UserId,
        current: &str,
        new_password: &str,
    ) -> DomainResult<User> {
        let user = self.current_user(user_id).await?;
        let ok = {
            let _permit = tokio::time::timeout(Duration::from_secs(5), self.hashing.acquire())
                .await
                .map_err(|_| {
                    DomainError::Unavailable("too many password checks in progress".into())
                })?
                .map_err(|_| DomainError::Internal("hashing semaphore closed".into()))?;
            verify_password(current.to_owned(), user.password_hash.clone()).await?
        };
        if !ok {
            return Err(DomainError::invalid(
                "current_password",
                "is not your current password",
            ));
        }
        self.set_password(user, new_password).await
    }

    /// Hashes a password for a new account (policy checked).
    pub async fn new_password_hash(&self, password: &str) -> DomainResult<String> {
        check_password_policy(password)?;
        hash_password(password.to_owned()).await
    }

    /// Signs a widget token for a customer.
    pub fn issue_customer_token(&self, customer: CustomerId) -> DomainResult<(String, i64)> {
        let ttl = self.config.customer_ttl_secs;
        let token = self
            .keys
            .issue_customer(customer, chrono::Utc::now().timestamp(), ttl)?;
        Ok((token, ttl))
    }

    /// Creates the first admin when the user table is empty. With no
    /// configured password, a random one is generated and returned once.
    pub async fn bootstrap_admin(
        &self,
        email: Option<&str>,
        password: Option<&str>,
    ) -> DomainResult<BootstrapOutcome> {
        if self.store.count_users().await? > 0 {
            return Ok(BootstrapOutcome::AlreadyInitialized);
        }
        let admin = PreparedAdmin::new(email, password).await?;
        self.create_admin(admin).await
    }

    /// [`bootstrap_admin`](Self::bootstrap_admin) with the password already
    /// hashed: a caller that knows the database is new (a SQLite file that
    /// did not exist) hashes while the migrations run. Does nothing if users
    /// exist.
    pub async fn bootstrap_prepared(&self, admin: PreparedAdmin) -> DomainResult<BootstrapOutcome> {
        if self.store.count_users().await? > 0 {
            return Ok(BootstrapOutcome::AlreadyInitialized);
        }
        self.create_admin(admin).await
    }

    /// Stores the first admin (the caller found no users).
    async fn create_admin(&self, admin: PreparedAdmin) -> DomainResult<BootstrapOutcome> {
        let at = now();
        let user = User {
            id: UserId::new(),
            email: admin.email.clone(),
            display_name: "Administrator".into(),
            password_hash: admin.password_hash,
            role: Role::Admin,
            active: true,
            times: Timestamps::new(at),
        };
        match self.store.create_user(&user).await {
            Ok(()) => {}
            // Another node bootstrapped at the same moment.
            Err(DomainError::Conflict(_)) => return Ok(BootstrapOutcome::AlreadyInitialized),
            Err(e) => return Err(e),
        }
        Ok(BootstrapOutcome::Created {
            email: admin.email,
            generated_password: admin.generated_password,
        })
    }

    async fn open_family(&self, user: &User) -> DomainResult<TokenPair> {
        let secret = RefreshSecret::generate();
        let row = self.refresh_row(user, TokenFamilyId::new(), &secret, now());
        self.store.insert_refresh_token(&row).await?;
        self.pair(user, secret.secret)
    }

    fn refresh_row(
        &self,
        user: &User,
        family: TokenFamilyId,
        secret: &RefreshSecret,
        at: Timestamp,
    ) -> RefreshToken {
        RefreshToken {
            id: RefreshTokenId::new(),
            family_id: family,
            user_id: user.id,
            token_hash: secret.hash.clone(),
            expires_at: at + chrono::Duration::seconds(self.config.refresh_ttl_secs),
            revoked_at: None,
            replaced_by: None,
            created_at: at,
        }
    }

    fn pair(&self, user: &User, refresh_secret: String) -> DomainResult<TokenPair> {
        let ttl = self.config.access_ttl_secs;
        Ok(TokenPair {
            access_token: self.keys.issue_access_ms(
                user.id,
                user.role,
                chrono::Utc::now().timestamp_millis(),
                ttl,
            )?,
            token_type: "Bearer",
            expires_in: ttl,
            refresh_token: refresh_secret,
            refresh_expires_in: self.config.refresh_ttl_secs,
        })
    }

    async fn reuse_detected(
        &self,
        token: &RefreshToken,
        at: Timestamp,
        record: &mut Option<AuditRecord>,
    ) -> DomainError {
        if let Err(e) = self.store.revoke_token_family(token.family_id, at).await {
            return e;
        }
        tracing::warn!(user_id = %token.user_id, family = %token.family_id, "refresh token reuse: family revoked");
        *record = Some(AuditRecord::new(
            Some(token.user_id),
            "auth.refresh_reuse",
            None,
        ));
        DomainError::Unauthenticated(
            "refresh token was already used; this session is revoked, log in again".into(),
        )
    }

    async fn decoy_hash(&self) -> DomainResult<String> {
        self.decoy_hash
            .get_or_try_init(|| hash_password(random_password()))
            .await
            .cloned()
    }
}

impl chat_domain::auth::CustomerTokenIssuer for AuthService {
    fn issue_customer_token(&self, customer: CustomerId) -> DomainResult<(String, i64)> {
        AuthService::issue_customer_token(self, customer)
    }
}

impl TokenVerifier for AuthService {
    fn verify_issued(&self, token: &str) -> DomainResult<(Principal, i64)> {
        self.keys.verify_issued(token)
    }
}

#[async_trait::async_trait]
impl SessionCheck for AuthService {
    async fn ensure_current(&self, user: UserId, issued_at_ms: i64) -> DomainResult<()> {
        self.revocations
            .ensure_current(self.store.as_ref(), user, issued_at_ms)
            .await
    }
}

/// 20 characters from a 56-symbol alphabet without look-alikes (≈116 bits).
fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
