//! Throwaway databases for tests (feature `test-support`).
//!
//! - [`TestDb::sqlite`] always works: a fresh file in a temporary directory.
//! - [`TestDb::mysql`] creates a fresh database on the server named by
//!   `CHAT_TEST_MYSQL_URL`, and drops it when the guard is dropped. It
//!   panics when the variable is unset.
//!
//! The convention for tests that need a service: each is its own test,
//! marked `#[ignore = "needs MySQL (CHAT_TEST_MYSQL_URL)"]` (or "needs
//! Redis (CHAT_TEST_REDIS_URL)", or both), so that `cargo test` counts it as
//! ignored instead of passed when nothing is configured, and
//! `cargo test -- --include-ignored` (CI) runs it; it gets its URL through
//! [`service_url`], which fails the test with a clear message when the
//! variable is unset. A test never returns early as "passed". Every Redis key
//! a test creates must be deleted or expire.

use std::path::PathBuf;

use diesel_async::{AsyncConnection as _, SimpleAsyncConnection as _};

use crate::db::MysqlConn;
use crate::{FieldCipher, PoolOptions, SqlStore};

/// The data keys test stores use: fixed, so that a server started on a test
/// database (with [`TEST_DATA_KEYS`] and [`TEST_DATA_HASH_KEY`]) reads what
/// the test store wrote and the other way round.
pub const TEST_DATA_KEYS: &str = "test1:dGVzdC1kYXRhLWtleS10ZXN0LWRhdGEta2V5LTAxMjM=";
/// The search-hash key of test stores (base64 of 32 bytes).
pub const TEST_DATA_HASH_KEY: &str = "dGVzdC1oYXNoLWtleS10ZXN0LWhhc2gta2V5LTAxMjM=";

/// The cipher test stores use.
pub fn test_cipher() -> std::sync::Arc<FieldCipher> {
    std::sync::Arc::new(
        FieldCipher::from_config(TEST_DATA_KEYS, TEST_DATA_HASH_KEY)
            .unwrap_or_else(|e| panic!("test data keys: {e}")),
    )
}

/// A store on a database that exists only for this test.
pub struct TestDb {
    /// The connected store.
    pub store: SqlStore,
    /// The URL it was opened with (for starting a server process on it).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    MysqlDatabase { server_url: String, name: String },
}

/// The value of `var`, for a test that needs the service it names (and is
/// marked `#[ignore = "needs …"]`): panics with what to set when it is
/// unset, so that a run with `--include-ignored` fails instead of passing
/// without the service.
pub fn service_url(var: &str) -> String {
    match std::env::var(var).ok().filter(|v| !v.is_empty()) {
        Some(url) => url,
        None => panic!(
            "{var} is not set: this test needs the service it names \
             (e.g. {var}={}); without it, run `cargo test` without --include-ignored",
            example_url(var)
        ),
    }
}

fn example_url(var: &str) -> &'static str {
    if var.contains("REDIS") {
        "redis://127.0.0.1:6379"
    } else {
        "mysql://root@127.0.0.1:3306/test"
    }
}

impl TestDb {
    /// A fresh SQLite database in a new temporary directory.
    pub async fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!("chat-test-{}", uuid::Uuid::now_v7().simple()));
        let url = format!("sqlite://{}", dir.join("chat.db").display());
        let store = SqlStore::connect(&url, PoolOptions::default())
            .await
            .unwrap_or_else(|e| panic!("open test sqlite: {e}"))
            .with_cipher(test_cipher());
        Self {
            store,
            url,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A fresh database on the MySQL server of `CHAT_TEST_MYSQL_URL`
    /// (panics when it is unset; see the module's convention).
    pub async fn mysql() -> Self {
        Self::mysql_at(service_url("CHAT_TEST_MYSQL_URL")).await
    }

    /// A fresh database on the MySQL server at `server_url`.
    pub async fn mysql_at(server_url: String) -> Self {
        let name = format!("chat_t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = MysqlConn::establish(&server_url)
            .await
            .unwrap_or_else(|e| panic!("connect to CHAT_TEST_MYSQL_URL: {e}"));
        admin
            .batch_execute(&format!(
                "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            ))
            .await
            .unwrap_or_else(|e| panic!("create test database: {e}"));
        let url = with_database(&server_url, &name);
        let store = SqlStore::connect(&url, PoolOptions::default())
            .await
            .unwrap_or_else(|e| panic!("open test mysql: {e}"))
            .with_cipher(test_cipher());
        Self {
            store,
            url,
            cleanup: Cleanup::MysqlDatabase { server_url, name },
        }
    }
}

/// A customer's stored columns as they are at rest (ciphertext, hashes),
/// for tests that check what the database holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCustomer {
    /// Sealed e-mail.
    pub email: Option<String>,
    /// E-mail search hash.
    pub email_hash: Option<String>,
    /// Sealed phone.
    pub phone: Option<String>,
    /// Phone search hash.
    pub phone_hash: Option<String>,
    /// Sealed notes.
    pub notes: Option<String>,
    /// Visitor or host-site id.
    pub external_id: Option<String>,
    /// Display name (not encrypted).
    pub name: Option<String>,
    /// Sealed answer to the pre-chat form's custom question.
    pub prechat_answer: Option<String>,
}

/// Reads a customer's row without decrypting anything.
pub async fn raw_customer(
    store: &SqlStore,
    id: chat_domain::ids::CustomerId,
) -> chat_domain::DomainResult<Option<RawCustomer>> {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;

    use crate::db::with_conn;
    use crate::schema::customers;

    let id = id.to_string();
    type Columns = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Columns> = with_conn!(store, |conn| {
        customers::table
            .find(&id)
            .select((
                customers::email,
                customers::email_hash,
                customers::phone,
                customers::phone_hash,
                customers::notes,
                customers::external_id,
                customers::name,
                customers::prechat_answer,
            ))
            .first(conn)
            .await
            .optional()
            .map_err(crate::error::db_err)?
    });
    Ok(row.map(
        |(email, email_hash, phone, phone_hash, notes, external_id, name, prechat_answer)| {
            RawCustomer {
                email,
                email_hash,
                phone,
                phone_hash,
                notes,
                external_id,
                name,
                prechat_answer,
            }
        },
    ))
}

/// Replaces the database part of a MySQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::MysqlDatabase { server_url, name } => {
                // Drop runs inside the test's runtime: use a thread with its own.
                let (server_url, name) = (server_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async {
                        if let Ok(mut c) = MysqlConn::establish(&server_url).await {
                            let _ = c
                                .batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"))
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_is_replaced_in_urls() {
        assert_eq!(
            with_database("mysql://root@127.0.0.1:3306/test", "x"),
            "mysql://root@127.0.0.1:3306/x"
        );
        assert_eq!(
            with_database("mysql://root@h/test?ssl=0", "x"),
            "mysql://root@h/x?ssl=0"
        );
        assert_eq!(with_database("mysql://root@h", "x"), "mysql://root@h/x");
    }
}
