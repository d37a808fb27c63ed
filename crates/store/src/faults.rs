//! Faults the crate's own tests inject into the writer and checkpoint
//! threads (compiled only for `cargo test` of this crate). Armed per
//! database file, so tests running at once do not see each other's.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chat_domain::model::{Conversation, Customer};
use chat_domain::ports::{ConversationRepository as _, CustomerRepository as _};
use chat_domain::time::now;

use crate::checkpoint::Policy;
use crate::{DatabaseUrl, PoolOptions, SqlStore};

/// Where a fault fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The writer thread's append transaction panics after its statements,
    /// before its commit.
    AppendPanics,
    /// The checkpointer's `RESTART` attempt panics while it holds the
    /// writer back (inside `WriteGate::between_commits`).
    RestartPanics,
}

/// Armed faults: the database file, the fault, how many more times.
static ARMED: Mutex<Vec<(PathBuf, Fault, u32)>> = Mutex::new(Vec::new());

/// Makes `fault` fire the next `times` times it is reached for `path`.
pub(crate) fn arm(path: &Path, fault: Fault, times: u32) {
    let mut armed = ARMED.lock().unwrap_or_else(|p| p.into_inner());
    armed.push((path.to_owned(), fault, times));
}

/// True (and one firing used) when `fault` is armed for `path`.
pub(crate) fn fires(path: &Path, fault: Fault) -> bool {
    let mut armed = ARMED.lock().unwrap_or_else(|p| p.into_inner());
    match armed
        .iter_mut()
        .find(|(p, f, n)| p == path && *f == fault && *n > 0)
    {
        Some((_, _, n)) => {
            *n -= 1;
            true
        }
        None => false,
    }
}

/// A store on a fresh SQLite file, checkpointed by `policy`, with one open
/// conversation, where the crate's thread tests start: the folder holding
/// the database (the test removes it), the database file (what faults are
/// armed for), the store and the conversation. `name` prefixes the folder.
pub(crate) async fn scratch(
    name: &str,
    policy: Policy,
) -> (PathBuf, PathBuf, SqlStore, Conversation) {
    let dir = std::env::temp_dir().join(format!("{name}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("chat.db");
    let store = SqlStore::connect_with(
        &DatabaseUrl::Sqlite(path.clone()),
        PoolOptions::default(),
        policy,
    )
    .await
    .unwrap();
    let customer = Customer::new(Some(format!("{name}-visitor")), None, now());
    store.create_customer(&customer).await.unwrap();
    let conv = Conversation::open(customer.id, now());
    store.create_conversation(&conv).await.unwrap();
    (dir, path, store, conv)
}
