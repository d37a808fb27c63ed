//! `chat-server import --dir DIR`: history from the Node services, as JSON
//! Lines files exported from their MySQL tables (the schemas and the SQL
//! that writes them are in docs/MIGRATION.md):
//!
//! | file | one line per |
//! |---|---|
//! | `users.jsonl` | staff account (`id`, `email`, `name`, `password_hash` bcrypt or argon2id, `role`, `active`, `created_at`) |
//! | `customers.jsonl` | customer (`id`, `name`, `email`, `phone`, `notes`, `tags`, `external_id`, `created_at`) |
//! | `conversations.jsonl` | conversation (`id`, `customer_id`, `agent_id`, `rating`, `rating_comment`, `created_at`, `closed_at`) |
//! | `messages.jsonl` | message (`id`, `conversation_id`, `sender`, `agent_id`, `body`, `created_at`) |
//! | `knowledge.jsonl` | knowledge document (`id`, `title`, `body`, `tags`, `enabled`, `created_at`) |
//!
//! Every row gets an id derived from its kind and old id: a UUIDv7 whose
//! time is the row's `created_at` (so it sorts where it belongs) and whose
//! random part is a hash of the old id. A re-run derives the same ids and
//! skips what exists; users are also matched by e-mail. Messages are ordered
//! by time (then by their place in the file) and numbered 1, 2, … per
//! conversation. Contact fields are encrypted by the store on the way in.
//! Conversations arrive closed: the old system's live ones end at cut-over.

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead as _;
use std::path::Path;

use anyhow::Context as _;
use chat_admin::auth::is_legacy_hash;
use chat_domain::ids::{ConversationId, CustomerId, KnowledgeDocId, MessageId, UserId};
use chat_domain::model::{
    Conversation, ConversationState, Customer, KnowledgeDoc, MessageKind, NewMessage, Role,
    SenderKind, User, normalize_email,
};
use chat_domain::ports::{CustomerRepository as _, KnowledgeRepository as _, UserRepository as _};
use chat_domain::time::{Timestamp, Timestamps};
use chat_store::SqlStore;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::config::Config;

/// How many rows of one kind were imported and skipped (already there).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Written by this run.
    pub imported: u64,
    /// Found from an earlier run (or an existing account, for users).
    pub skipped: u64,
}

/// What an import did, per kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Staff accounts.
    pub users: Tally,
    /// Customers.
    pub customers: Tally,
    /// Conversations.
    pub conversations: Tally,
    /// Messages (counted with their conversation).
    pub messages: Tally,
    /// Knowledge documents.
    pub knowledge: Tally,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, t) in [
            ("users", self.users),
            ("customers", self.customers),
            ("conversations", self.conversations),
            ("messages", self.messages),
            ("knowledge", self.knowledge),
        ] {
            writeln!(f, "{name}: {} imported, {} skipped", t.imported, t.skipped)?;
        }
        Ok(())
    }
}

/// Opens the configured store and imports the files in `dir`.
pub async fn run(config: &Config, dir: &Path) -> anyhow::Result<Counts> {
    anyhow::ensure!(dir.is_dir(), "{} is not a directory", dir.display());
    let (store, _) = crate::open_store(config).await?;
    import_dir(&store, dir).await
}

/// Imports the files in `dir` into `store` (a missing file is skipped).
pub async fn import_dir(store: &SqlStore, dir: &Path) -> anyhow::Result<Counts> {
    let mut counts = Counts::default();
    let users = import_users(store, &dir.join("users.jsonl"), &mut counts.users).await?;
    let customers =
        import_customers(store, &dir.join("customers.jsonl"), &mut counts.customers).await?;
    import_conversations(store, dir, &users, &customers, &mut counts).await?;
    import_knowledge(store, &dir.join("knowledge.jsonl"), &mut counts.knowledge).await?;
    Ok(counts)
}

/// Each line of `path` parsed as `T`, with its line number; an absent file
/// is empty. A bad line stops the import naming the file and line (a re-run
/// after the fix skips what was imported).
fn read_lines<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<Vec<(usize, T)>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
    };
    let mut out = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let row = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a valid row", path.display(), n + 1))?;
        out.push((n + 1, row));
    }
    Ok(out)
}

/// An old id: a number or a string.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, Hash)]
#[serde(transparent)]
struct OldId(Value);

impl OldId {
    fn key(&self) -> String {
        match &self.0 {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// `true` / `false`, or MySQL's `1` / `0` (what `JSON_OBJECT` writes for a
/// comparison), or null.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(Some(false)),
        Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(Some(true)),
        Some(other) => Err(serde::de::Error::custom(format!(
            "`{other}` is not true, false, 1 or 0"
        ))),
    }
}

/// A UUIDv7 for the row of `kind` with old id `id`, at `at`: the same for
/// the same row on every run.
fn derived_id(kind: &str, id: &OldId, at: Timestamp) -> uuid::Uuid {
    let digest = Sha256::digest(format!("chat-import:{kind}:{}", id.key()).as_bytes());
    let mut random = [0u8; 10];
    random.copy_from_slice(&digest[..10]);
    let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

/// `2024-01-02 03:04:05[.ffffff]` (MySQL, taken as UTC) or RFC 3339.
fn parse_time(raw: &str) -> anyhow::Result<Timestamp> {
    let raw = raw.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(chat_domain::time::truncate(t.to_utc()));
    }
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f")
        .map(|t| chat_domain::time::truncate(t.and_utc()))
        .map_err(|_| anyhow::anyhow!("`{raw}` is not a time (YYYY-MM-DD HH:MM:SS or RFC 3339)"))
}

#[derive(Deserialize)]
struct UserLine {
    id: OldId,
    email: String,
    #[serde(default)]
    name: Option<String>,
    password_hash: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    active: Option<bool>,
    created_at: String,
}

/// Old user ids → ours (for assignees and message authors).
type UserIds = HashMap<String, UserId>;

async fn import_users(store: &SqlStore, path: &Path, tally: &mut Tally) -> anyhow::Result<UserIds> {
    let mut ids = UserIds::new();
    for (n, u) in read_lines::<UserLine>(path)? {
        let at = |m: &str| format!("{}:{n}: {m}", path.display());
        let email = normalize_email(&u.email)
            .map_err(|_| anyhow::anyhow!(at(&format!("`{}` is not an e-mail address", u.email))))?;
        if let Some(existing) = store.user_by_email(&email).await? {
            ids.insert(u.id.key(), existing.id);
            tally.skipped += 1;
            continue;
        }
        anyhow::ensure!(
            is_legacy_hash(&u.password_hash) || u.password_hash.starts_with("$argon2"),
            at("password_hash is neither bcrypt ($2a$/$2b$/$2y$) nor argon2")
        );
        let created = parse_time(&u.created_at).map_err(|e| anyhow::anyhow!(at(&e.to_string())))?;
        let role = match u.role.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("admin" | "administrator" | "superadmin") => Role::Admin,
            Some("supervisor" | "manager") => Role::Supervisor,
            _ => Role::Agent,
        };
        let user = User {
            id: UserId::from_uuid(derived_id("user", &u.id, created)),
            display_name: u.name.clone().unwrap_or_else(|| email.clone()),
            email,
            password_hash: u.password_hash,
            role,
            active: u.active.unwrap_or(true),
            times: Timestamps::new(created),
        };
        store
            .create_user(&user)
            .await
            .map_err(|e| anyhow::anyhow!(at(&e.to_string())))?;
        ids.insert(u.id.key(), user.id);
        tally.imported += 1;
    }
    Ok(ids)
}

#[derive(Deserialize)]
struct CustomerLine {
    id: OldId,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    external_id: Option<String>,
    created_at: String,
}

/// Old customer ids → ours (for conversations).
type CustomerIds = HashMap<String, CustomerId>;

async fn import_customers(
    store: &SqlStore,
    path: &Path,
    tally: &mut Tally,
) -> anyhow::Result<CustomerIds> {
    let mut ids = CustomerIds::new();
    for (n, c) in read_lines::<CustomerLine>(path)? {
        let at = |m: &str| format!("{}:{n}: {m}", path.display());
        let created = parse_time(&c.created_at).map_err(|e| anyhow::anyhow!(at(&e.to_string())))?;
        let id = CustomerId::from_uuid(derived_id("customer", &c.id, created));
        ids.insert(c.id.key(), id);
        if store.customer_by_id(id).await?.is_some() {
            tally.skipped += 1;
            continue;
        }
        let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let customer = Customer {
            id,
            external_id: nonempty(c.external_id),
            name: nonempty(c.name),
            email: nonempty(c.email),
            phone: nonempty(c.phone),
            tags: c.tags,
            notes: nonempty(c.notes),
            times: Timestamps::new(created),
            erased_at: None,
            prechat_question: None,
            prechat_answer: None,
            prechat_at: None,
        };
        store
            .create_customer(&customer)
            .await
            .map_err(|e| anyhow::anyhow!(at(&e.to_string())))?;
        tally.imported += 1;
    }
    Ok(ids)
}

#[derive(Deserialize)]
struct ConversationLine {
    id: OldId,
    customer_id: OldId,
    #[serde(default)]
    agent_id: Option<OldId>,
    #[serde(default)]
    rating: Option<i32>,
    #[serde(default)]
    rating_comment: Option<String>,
    created_at: String,
    #[serde(default)]
    closed_at: Option<String>,
}

#[derive(Deserialize)]
struct MessageLine {
    id: OldId,
    conversation_id: OldId,
    sender: String,
    #[serde(default)]
    agent_id: Option<OldId>,
    body: String,
    created_at: String,
}

async fn import_conversations(
    store: &SqlStore,
    dir: &Path,
    users: &UserIds,
    customers: &CustomerIds,
    counts: &mut Counts,
) -> anyhow::Result<()> {
    let conv_path = dir.join("conversations.jsonl");
    let msg_path = dir.join("messages.jsonl");
    // Messages grouped by old conversation id, in (time, line) order.
    let mut by_conv: HashMap<String, Vec<(Timestamp, usize, MessageLine)>> = HashMap::new();
    for (n, m) in read_lines::<MessageLine>(&msg_path)? {
        let created = parse_time(&m.created_at)
            .map_err(|e| anyhow::anyhow!("{}:{n}: {e}", msg_path.display()))?;
        by_conv
            .entry(m.conversation_id.key())
            .or_default()
            .push((created, n, m));
    }
    for list in by_conv.values_mut() {
        list.sort_by_key(|(at, n, _)| (*at, *n));
    }
    let user_of = |old: &Option<OldId>| old.as_ref().and_then(|id| users.get(&id.key()).copied());
    // Each message keeps its own sender's name (the console shows it, and a
    // later rename or transfer must not relabel history).
    let mut names: HashMap<UserId, Option<String>> = HashMap::new();
    for (n, c) in read_lines::<ConversationLine>(&conv_path)? {
        let at = |m: &str| format!("{}:{n}: {m}", conv_path.display());
        let time = |raw: &str| parse_time(raw).map_err(|e| anyhow::anyhow!(at(&e.to_string())));
        let created = time(&c.created_at)?;
        let customer = *customers.get(&c.customer_id.key()).ok_or_else(|| {
            anyhow::anyhow!(at(&format!(
                "customer {} is not in customers.jsonl",
                c.customer_id.key()
            )))
        })?;
        let id = ConversationId::from_uuid(derived_id("conversation", &c.id, created));
        let lines = by_conv.remove(&c.id.key()).unwrap_or_default();
        let mut messages = Vec::with_capacity(lines.len());
        let mut first_response = None;
        let mut first_responder = None;
        for (sent, line, m) in &lines {
            let sender = match m.sender.as_str() {
                "customer" | "user" | "visitor" => SenderKind::Customer,
                "agent" | "staff" => SenderKind::Agent,
                "bot" | "ai" | "assistant" => SenderKind::Bot,
                "system" => SenderKind::System,
                other => anyhow::bail!(
                    "{}:{line}: sender `{other}` is not customer, agent, bot or system",
                    msg_path.display()
                ),
            };
            let sender_id = match sender {
                SenderKind::Customer => Some(customer.to_string()),
                SenderKind::Agent => user_of(&m.agent_id).map(|u| u.to_string()),
                _ => None,
            };
            if sender == SenderKind::Agent && first_response.is_none() {
                first_response = Some(*sent);
                first_responder = user_of(&m.agent_id);
            }
            let sender_name = match (sender, user_of(&m.agent_id)) {
                (SenderKind::Agent, Some(user)) => {
                    if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(user) {
                        let name = store
                            .user_by_id(user)
                            .await
                            .map_err(|e| anyhow::anyhow!("looking up user {user}: {e}"))?
                            .map(|u| u.display_name);
                        slot.insert(name);
                    }
                    names.get(&user).cloned().flatten()
                }
                _ => None,
            };
            messages.push(NewMessage {
                id: MessageId::from_uuid(derived_id("message", &m.id, *sent)),
                conversation_id: id,
                sender_kind: sender,
                sender_id,
                sender_name,
                kind: if sender == SenderKind::System {
                    MessageKind::Event
                } else {
                    MessageKind::Text
                },
                body: m.body.clone(),
                client_msg_id: None,
                attachment: None,
                event: None,
                created_at: *sent,
                required_state: None,
                required_assignee: None,
            });
        }
        let last = lines.last().map_or(created, |(t, _, _)| *t);
        let closed = match &c.closed_at {
            Some(raw) if !raw.trim().is_empty() => time(raw)?,
            _ => last,
        };
        let conversation = Conversation {
            state: ConversationState::Closed,
            assignee_id: user_of(&c.agent_id),
            csat_score: c.rating.filter(|r| (1..=5).contains(r)),
            csat_comment: c.rating_comment.filter(|s| !s.trim().is_empty()),
            times: Timestamps {
                created_at: created,
                updated_at: closed.max(last),
            },
            closed_at: Some(closed),
            first_response_at: first_response,
            first_responder_id: first_responder,
            ..Conversation::open(customer, created)
        };
        let conversation = Conversation { id, ..conversation };
        if store
            .import_conversation(&conversation, &messages)
            .await
            .map_err(|e| anyhow::anyhow!(at(&e.to_string())))?
        {
            counts.conversations.imported += 1;
            counts.messages.imported += messages.len() as u64;
        } else {
            counts.conversations.skipped += 1;
            counts.messages.skipped += messages.len() as u64;
        }
    }
    if let Some(orphan) = by_conv.values().flatten().next() {
        anyhow::bail!(
            "{}:{}: conversation {} is not in {}",
            msg_path.display(),
            orphan.1,
            orphan.2.conversation_id.key(),
            conv_path.display()
        );
    }
    Ok(())
}

#[derive(Deserialize)]
struct KnowledgeLine {
    id: OldId,
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default, deserialize_with = "flag")]
    enabled: Option<bool>,
    created_at: String,
}

async fn import_knowledge(store: &SqlStore, path: &Path, tally: &mut Tally) -> anyhow::Result<()> {
    for (n, d) in read_lines::<KnowledgeLine>(path)? {
        let at = |m: &str| format!("{}:{n}: {m}", path.display());
        let created = parse_time(&d.created_at).map_err(|e| anyhow::anyhow!(at(&e.to_string())))?;
        let id = KnowledgeDocId::from_uuid(derived_id("knowledge", &d.id, created));
        if store.doc_by_id(id).await?.is_some() {
            tally.skipped += 1;
            continue;
        }
        let doc = KnowledgeDoc {
            id,
            title: d.title,
            body: d.body,
            tags: d.tags,
            enabled: d.enabled.unwrap_or(true),
            times: Timestamps::new(created),
        };
        store
            .create_doc(&doc)
            .await
            .map_err(|e| anyhow::anyhow!(at(&e.to_string())))?;
        tally.imported += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_time_ordered_and_distinct() {
        let t1 = parse_time("2024-01-02 03:04:05").unwrap();
        let t2 = parse_time("2024-01-02T03:04:06Z").unwrap();
        let a = derived_id("customer", &OldId(Value::from(7)), t1);
        assert_eq!(a, derived_id("customer", &OldId(Value::from("7")), t1));
        assert_ne!(a, derived_id("user", &OldId(Value::from(7)), t1));
        assert_eq!(a.get_version_num(), 7);
        assert!(a < derived_id("customer", &OldId(Value::from(1)), t2));
        assert!(parse_time("yesterday").is_err());
        assert_eq!(
            parse_time("2024-01-02 03:04:05.1234567")
                .unwrap()
                .to_string(),
            "2024-01-02 03:04:05.123456"
        );
    }
}
