//! The database and Redis restarted under load, on two nodes.
//!
//! Each test starts its own MariaDB (`mariadb-install-db` + `mariadbd` in a
//! temporary directory) and its own `redis-server` on free ports, never the
//! shared ones, and two `chat-server` processes on them. Customer and agent
//! sockets on both nodes send continuously, each message with a
//! `client_msg_id`, resending it on `unavailable` or a dropped socket, the
//! way PROTOCOL.md tells clients to. Then the database (or Redis) is killed
//! and started again, and the tests check that nothing acknowledged is lost,
//! nothing is stored twice, sequences have no gaps, and service is back
//! within 5 s of the dependency: every socket's sends acknowledged again,
//! and messages from the other node delivered to it again.
//!
//! `cargo test -p chat-server --test it restart:: -- --include-ignored --nocapture`
//! prints what was measured.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chat_domain::ids::ConversationId;
use chat_domain::model::HistoryQuery;
use chat_domain::ports::ConversationRepository;
use chat_store::testing::TestDb;
use common::nodes::{Node, admin_login, free_port, post, ready, start_with};
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, request};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as WsMessage;

const NEEDS: &str =
    "needs mariadbd, mariadb-install-db and redis-server (starts its own instances)";

/// How long a sender waits, hearing nothing, before it reconnects, resumes
/// and resends (as a client does when its heartbeat goes unanswered).
const ACK_SILENCE: Duration = Duration::from_secs(5);

/// Service must be back this soon after the dependency is.
const RECOVERY_BOUND: Duration = Duration::from_secs(5);

/// The first of `names` found in `PATH` or the usual system directories.
fn binary(names: &[&str]) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"].map(PathBuf::from));
    for name in names {
        for dir in &dirs {
            let path = dir.join(name);
            if path.is_file() {
                return path;
            }
        }
    }
    panic!("{names:?} not found: {NEEDS} (apt-get install mariadb-server redis-server)")
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"))
}

/// SIGKILL, and reap.
fn kill(child: &mut Option<Child>) {
    if let Some(mut c) = child.take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

async fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "{what} did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The two restart tests each run two nodes, a MariaDB and a Redis under
/// load: side by side on two cores they measure each other, not recovery.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A MariaDB server of the test's own, in a temporary directory.
struct MariaDb {
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl MariaDb {
    async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("chat-mdb-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new(binary(&["mariadb-install-db", "mysql_install_db"]))
            .arg("--no-defaults")
            .arg(format!("--datadir={}", dir.join("data").display()))
            .arg("--auth-root-authentication-method=normal")
            .arg("--skip-test-db")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mariadb-install-db failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut db = Self {
            dir,
            port: free_port(),
            child: None,
        };
        db.spawn().await;
        db
    }

    /// `mysql://root@…/` of this server.
    fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}/", self.port)
    }

    async fn spawn(&mut self) {
        let mut cmd = Command::new(binary(&["mariadbd", "mysqld"]));
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", self.dir.join("data").display()))
            .arg(format!("--socket={}", self.dir.join("sock").display()))
            .arg(format!("--port={}", self.port))
            .arg("--bind-address=127.0.0.1")
            .arg("--innodb-buffer-pool-size=64M")
            .arg("--max-connections=500")
            .arg(format!(
                "--log-error={}",
                self.dir.join("error.log").display()
            ));
        if running_as_root() {
            // mariadbd refuses to run as root unless told to.
            cmd.arg("--user=root");
        }
        self.child = Some(
            cmd.stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        wait_for_port(self.port, "mariadbd").await;
    }

    /// SIGKILL: a crash.
    fn kill(&mut self) {
        kill(&mut self.child);
    }

    /// SIGTERM: a clean shutdown (clients are told "server shutdown").
    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(c.id().to_string())
                .status();
            let _ = c.wait();
        }
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Redis server of the test's own, without persistence.
struct Redis {
    port: u16,
    child: Option<Child>,
}

impl Redis {
    async fn start() -> Self {
        let mut r = Self {
            port: free_port(),
            child: None,
        };
        r.spawn().await;
        r
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn spawn(&mut self) {
        self.child = Some(
            Command::new(binary(&["redis-server"]))
                .args(["--port", &self.port.to_string()])
                .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        wait_for_port(self.port, "redis-server").await;
    }

    fn kill(&mut self) {
        kill(&mut self.child);
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// What the traffic saw.
#[derive(Default)]
struct Tally {
    /// Acknowledged `client_msg_id` → (conversation, seq).
    acked: BTreeMap<String, (String, i64)>,
    /// `unavailable` (or `rate_limited`) errors answered to a `send`.
    refused: u64,
    /// Sockets that ended (or could not say hello) and were reopened.
    reconnects: u64,
    /// (sender, when) of each acknowledgement, in arrival order.
    ack_log: Vec<(String, Instant)>,
    /// Per socket: the sequences of `message` frames received, by conversation.
    received: BTreeMap<String, Vec<i64>>,
    /// (receiver, when) of each message from the other side of the
    /// conversation, i.e. from the other node: cross-node delivery.
    peer_log: Vec<(String, Instant)>,
    /// Per socket: the last frames seen, for the failure report.
    recent: BTreeMap<String, std::collections::VecDeque<String>>,
}

/// One client: a customer or an agent writing in one conversation.
struct Sender {
    name: String,
    addr: std::net::SocketAddr,
    token: String,
    conversation: String,
}

/// An open socket: frames are read by a task of their own, always, so that
/// the server never blocks writing to a client that is itself blocked
/// writing (a client must read while it sends; one that does not was
/// dropped by the server's 10 s send deadline).
struct Open {
    sink: futures_util::stream::SplitSink<Socket, WsMessage>,
    frames: tokio::sync::mpsc::UnboundedReceiver<Result<Value, String>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Connects and says hello (resuming the conversation); `None` while the
/// node refuses (the database is down) or the socket fails.
async fn connect(s: &Sender, after_seq: i64) -> Option<Open> {
    let (ws, _) = tokio::time::timeout(
        Duration::from_secs(2),
        tokio_tungstenite::connect_async(format!("ws://{}/ws", s.addr)),
    )
    .await
    .ok()?
    .ok()?;
    let (mut sink, mut stream) = ws.split();
    let hello = json!({ "type": "hello", "v": 1, "token": s.token,
        "resume": [{ "conversation_id": s.conversation, "after_seq": after_seq }] });
    sink.send(WsMessage::text(hello.to_string())).await.ok()?;
    let (tx, mut frames) = tokio::sync::mpsc::unbounded_channel();
    let reader = tokio::spawn(async move {
        while let Some(msg) = stream.next().await {
            let item = match msg {
                Ok(WsMessage::Text(t)) => Ok(serde_json::from_str::<Value>(&t).unwrap()),
                Ok(WsMessage::Close(c)) => Err(format!("{c:?}")),
                Ok(_) => continue,
                Err(e) => Err(e.to_string()),
            };
            let end = item.is_err();
            if tx.send(item).is_err() || end {
                return;
            }
        }
        let _ = tx.send(Err("socket ended".into()));
    });
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, frames.recv()).await.ok()?? {
            Ok(f) if f["type"] == "welcome" => {
                return Some(Open {
                    sink,
                    frames,
                    reader,
                });
            }
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

/// Sends numbered messages until `stop`, each resent with the same
/// `client_msg_id` until acknowledged (or `stop` while unacknowledged).
async fn run_sender(s: Sender, stop: Arc<AtomicBool>, tally: Arc<Mutex<Tally>>) {
    let mut socket: Option<Open> = None;
    let mut last_seq = 0;
    let mut n = 0u64;
    'messages: while !stop.load(Ordering::Relaxed) {
        n += 1;
        let cmid = format!("{}-{n}", s.name);
        loop {
            if stop.load(Ordering::Relaxed) {
                break 'messages;
            }
            let ws = match &mut socket {
                Some(ws) => ws,
                None => match connect(&s, last_seq).await {
                    Some(ws) => socket.insert(ws),
                    None => {
                        tally.lock().unwrap().reconnects += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let frame = json!({ "type": "send", "conversation_id": s.conversation,
                "client_msg_id": cmid, "ref": cmid, "body": format!("message {cmid}") });
            let sent = tokio::time::timeout(
                Duration::from_secs(5),
                ws.sink.send(WsMessage::text(frame.to_string())),
            )
            .await;
            if !matches!(sent, Ok(Ok(()))) {
                socket = None;
                continue;
            }
            // The acknowledgement, an error for this send, or a dead socket.
            let outcome = loop {
                let next = tokio::time::timeout(ACK_SILENCE, ws.frames.recv()).await;
                let f = match next {
                    Ok(Some(Ok(f))) => f,
                    other => {
                        let what = match other {
                            Err(_) => "timeout".to_owned(),
                            Ok(e) => format!("{e:?}").chars().take(100).collect(),
                        };
                        let mut t = tally.lock().unwrap();
                        t.recent.entry(s.name.clone()).or_default().push_back(what);
                        break None;
                    }
                };
                {
                    let mut tl = tally.lock().unwrap();
                    let q = tl.recent.entry(s.name.clone()).or_default();
                    q.push_back(f.to_string().chars().take(160).collect());
                    if q.len() > 8 {
                        q.pop_front();
                    }
                }
                match f["type"].as_str() {
                    Some("message") => {
                        let seq = f["message"]["seq"].as_i64().unwrap();
                        last_seq = last_seq.max(seq);
                        let from_peer = f["message"]["client_msg_id"]
                            .as_str()
                            .is_some_and(|c| !c.starts_with(&format!("{}-", s.name)));
                        let mut t = tally.lock().unwrap();
                        t.received.entry(s.name.clone()).or_default().push(seq);
                        if from_peer {
                            t.peer_log.push((s.name.clone(), Instant::now()));
                        }
                    }
                    Some("ack") if f["client_msg_id"] == cmid.as_str() => break Some(Ok(f)),
                    Some("error") if f["ref"] == cmid.as_str() => break Some(Err(f)),
                    _ => {}
                }
            };
            match outcome {
                Some(Ok(ack)) => {
                    {
                        let mut t = tally.lock().unwrap();
                        let seq = ack["seq"].as_i64().unwrap();
                        let previous = t.acked.insert(cmid.clone(), (s.conversation.clone(), seq));
                        assert!(previous.is_none(), "{cmid} acknowledged twice");
                        t.ack_log.push((s.name.clone(), Instant::now()));
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue 'messages;
                }
                Some(Err(e)) => {
                    let code = e["code"].as_str().unwrap_or_default();
                    assert!(
                        code == "unavailable" || code == "rate_limited",
                        "{cmid}: a send failed with a non-retryable error: {e}"
                    );
                    tally.lock().unwrap().refused += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                None => {
                    socket = None;
                    tally.lock().unwrap().reconnects += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

/// Two nodes on `db` and `redis`, `pairs` conversations each with a customer
/// on one node and the admin (as agent) on the other, and their senders.
struct Load {
    nodes: Vec<Node>,
    conversations: Vec<String>,
    stop: Arc<AtomicBool>,
    tally: Arc<Mutex<Tally>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    async fn start(db_url: &str, redis_url: &str, pairs: usize) -> Self {
        let prefix = format!("t-{}", uuid::Uuid::now_v7().simple());
        let log = std::env::var("CHAT_TEST_NODE_LOG").unwrap_or_else(|_| "error".into());
        let env = [
            ("CHAT_LOG", log.as_str()),
            ("CHAT_MAX_CONVERSATIONS_PER_AGENT", "50"),
            // The senders resend at once after an outage: this test measures
            // recovery, not the per-socket limits (hardening.rs does).
            ("CHAT_WS_RATE_PER_SEC", "100000"),
            ("CHAT_WS_MAX_PER_IP", "0"),
        ];
        let nodes = vec![
            start_with("restart-a", db_url, redis_url, &prefix, &env),
            start_with("restart-b", db_url, redis_url, &prefix, &env),
        ];
        for n in &nodes {
            ready(n).await;
        }
        let admin = admin_login(nodes[0].addr).await;
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Mutex::new(Tally::default()));
        let mut senders = Vec::new();
        let mut conversations = Vec::new();
        for i in 0..pairs {
            let (cnode, anode) = (&nodes[i % 2], &nodes[(i + 1) % 2]);
            let session = post(cnode.addr, "/api/v1/widget/sessions", json!({})).await;
            let ctoken = session["token"].as_str().unwrap().to_owned();
            let (mut cust, _) = common::ws::Ws::hello(cnode.addr, &ctoken, json!([])).await;
            let conv = cust.open(json!({ "type": "open" })).await;
            let (mut agent, _) = common::ws::Ws::hello(anode.addr, &admin, json!([])).await;
            agent
                .send(json!({ "type": "takeover", "conversation_id": conv, "ref": "t" }))
                .await;
            let r = agent.next_of("result").await;
            assert_eq!(r["ref"], "t", "takeover: {r}");
            senders.push(Sender {
                name: format!("c{i}"),
                addr: cnode.addr,
                token: ctoken,
                conversation: conv.clone(),
            });
            senders.push(Sender {
                name: format!("a{i}"),
                addr: anode.addr,
                token: admin.clone(),
                conversation: conv.clone(),
            });
            conversations.push(conv);
        }
        let tasks = senders
            .into_iter()
            .map(|s| tokio::spawn(run_sender(s, stop.clone(), tally.clone())))
            .collect();
        Self {
            nodes,
            conversations,
            stop,
            tally,
            tasks,
        }
    }

    /// What each sender saw last, for failure reports.
    fn report(&self, since: Instant) -> String {
        let t = self.tally.lock().unwrap();
        let mut last: BTreeMap<&str, f64> = BTreeMap::new();
        for (name, at) in &t.ack_log {
            last.insert(name, at.duration_since(since).as_secs_f64());
        }
        format!(
            "last ack per sender, s after the restart: {last:?}; reconnects {}, refused {}; recent frames {:#?}",
            t.reconnects, t.refused, t.recent
        )
    }

    fn acked(&self) -> usize {
        self.tally.lock().unwrap().acked.len()
    }

    /// Waits until every sender has had a message acknowledged after `since`
    /// and has received one from its peer on the other node after `since`
    /// (cross-node delivery resumed); returns how long after `since` the
    /// last of these was.
    async fn every_sender_served_after(&self, since: Instant) -> Duration {
        let deadline = since + Duration::from_secs(30);
        let senders = self.conversations.len() * 2; // a customer and an agent each
        loop {
            let latest_first = {
                let t = self.tally.lock().unwrap();
                let first_per_sender = |log: &[(String, Instant)]| {
                    let mut firsts: BTreeMap<String, Instant> = BTreeMap::new();
                    for (name, at) in log.iter().filter(|(_, at)| *at >= since) {
                        firsts.entry(name.clone()).or_insert(*at);
                    }
                    (firsts.len() == senders).then(|| firsts.values().max().copied())
                };
                match (first_per_sender(&t.ack_log), first_per_sender(&t.peer_log)) {
                    (Some(a), Some(d)) => Some(a.max(d)),
                    _ => None,
                }
            };
            if let Some(Some(last)) = latest_first {
                return last.duration_since(since);
            }
            assert!(
                Instant::now() < deadline,
                "some senders were not served within 30 s; {}",
                self.report(since)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the traffic and checks what the database holds against what
    /// was acknowledged: returns (acknowledged, refused, reconnects).
    async fn finish(mut self, store: &chat_store::SqlStore) -> (usize, u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.tasks.drain(..) {
            t.await.unwrap();
        }
        let (acked, refused, reconnects) = {
            let t = self.tally.lock().unwrap();
            (t.acked.clone(), t.refused, t.reconnects)
        };
        let mut stored_ids = HashSet::new();
        for conv in &self.conversations {
            let id: ConversationId = conv.parse().unwrap();
            let mut after = 0;
            loop {
                let page = store
                    .history(id, HistoryQuery::AfterSeq { after, limit: 1000 })
                    .await
                    .unwrap();
                let Some(last) = page.last() else { break };
                for m in &page {
                    after += 1;
                    assert_eq!(m.seq, after, "{conv}: a gap in the sequence");
                    if let Some(cmid) = &m.client_msg_id {
                        assert!(stored_ids.insert(cmid.clone()), "{cmid} stored twice");
                        if let Some((c, seq)) = acked.get(cmid) {
                            assert_eq!(
                                (c, *seq),
                                (conv, m.seq),
                                "{cmid} acknowledged as another row"
                            );
                        }
                    }
                }
                after = last.seq;
            }
        }
        for cmid in acked.keys() {
            assert!(stored_ids.contains(cmid), "{cmid} acknowledged but lost");
        }
        (acked.len(), refused, reconnects)
    }
}

/// During an outage: a REST write is refused 503 `unavailable` with
/// `Retry-After`, and so is a login with the right password, which must not
/// count as a failed attempt (checked after recovery).
async fn refused_while_down(node: &Node) {
    let r = common::post_raw(
        node.addr,
        "/api/v1/widget/sessions",
        "application/json",
        b"{}",
    )
    .await;
    assert_eq!(r.status, 503, "write during the outage: {}", r.text);
    assert_eq!(r.error_code(), "unavailable");
    assert!(r.headers.contains_key("retry-after"), "{:?}", r.headers);
    let body = json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }).to_string();
    // More attempts than the throttle allows (5): none may count.
    for _ in 0..6 {
        let r = common::post_raw(
            node.addr,
            "/api/v1/auth/login",
            "application/json",
            body.as_bytes(),
        )
        .await;
        assert_eq!(r.status, 503, "login during the outage: {}", r.text);
        assert!(r.headers.contains_key("retry-after"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs mariadbd, mariadb-install-db and redis-server (starts its own instances)"]
async fn mariadb_killed_and_stopped_under_load_on_two_nodes() {
    let _one_at_a_time = SERIAL.lock().await;
    let began = Instant::now();
    let mut mariadb = MariaDb::start().await;
    let redis = Redis::start().await;
    let db = TestDb::mysql_at(mariadb.url()).await;
    let load = Load::start(&db.url, &redis.url(), 4).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let warm = load.acked();
    assert!(
        warm >= 50,
        "too little traffic before the outage: {warm} in 2 s"
    );

    for (how, outage) in [
        ("killed", Duration::from_secs(3)),
        ("stopped", Duration::from_secs(2)),
    ] {
        let acked_before = load.acked();
        let down_at = Instant::now();
        if how == "killed" {
            mariadb.kill();
        } else {
            mariadb.stop();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        refused_while_down(&load.nodes[0]).await;
        let r = request(load.nodes[1].addr, "GET", "/readyz", &[], None).await;
        assert_eq!(r.status, 503, "readiness without the database: {}", r.text);
        tokio::time::sleep(outage.saturating_sub(down_at.elapsed())).await;
        let acked_during = load.acked() - acked_before;

        mariadb.spawn().await;
        let back = Instant::now();
        let took = load.every_sender_served_after(back).await;
        println!(
            "database {how} for {:.1} s: {acked_during} acknowledged meanwhile (in flight when it went), \
             every sender served (acknowledged, and delivered from the other node) again {:.2} s after it was back",
            back.duration_since(down_at).as_secs_f64(),
            took.as_secs_f64()
        );
        assert!(
            took < RECOVERY_BOUND,
            "service back only after {took:?}; {}",
            load.report(back)
        );
        for node in &load.nodes {
            let r = request(node.addr, "GET", "/readyz", &[], None).await;
            assert_eq!(r.status, 200, "readiness after recovery: {}", r.text);
        }
        // The logins refused during the outage did not count.
        post(
            load.nodes[0].addr,
            "/api/v1/auth/login",
            json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }),
        )
        .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    let (acked, refused, reconnects) = load.finish(&db.store).await;
    println!(
        "{acked} messages acknowledged, all stored once with gap-free sequences; \
         {refused} sends refused with `unavailable` and resent, {reconnects} socket reconnects; \
         {:.1} s in all",
        began.elapsed().as_secs_f64()
    );
    assert!(began.elapsed() < Duration::from_secs(60));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs mariadbd, mariadb-install-db and redis-server (starts its own instances)"]
async fn redis_restarted_under_load_on_two_nodes() {
    let _one_at_a_time = SERIAL.lock().await;
    let began = Instant::now();
    let mariadb = MariaDb::start().await;
    let mut redis = Redis::start().await;
    let db = TestDb::mysql_at(mariadb.url()).await;
    let load = Load::start(&db.url, &redis.url(), 4).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(load.acked() >= 50, "too little traffic before the outage");

    let acked_before = load.acked();
    let down_at = Instant::now();
    redis.kill();
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Messages are still stored and acknowledged: the database is the truth.
    for node in &load.nodes {
        let r = request(node.addr, "GET", "/readyz", &[], None).await;
        assert_eq!(r.status, 200, "readiness without Redis: {}", r.text);
        assert_eq!(r.json()["status"], "degraded", "{}", r.text);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let acked_during = load.acked() - acked_before;
    assert!(
        acked_during >= 50,
        "sends stalled without Redis: {acked_during} in 3 s"
    );
    redis.spawn().await;
    let back = Instant::now();
    println!("redis back at {}", chrono::Utc::now());
    let took = load.every_sender_served_after(back).await;
    assert!(
        took < RECOVERY_BOUND,
        "service back only after {took:?}; {}",
        load.report(back)
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    for node in &load.nodes {
        let r = request(node.addr, "GET", "/readyz", &[], None).await;
        assert_eq!(r.json()["status"], "ready", "{}", r.text);
    }
    let tally = load.tally.clone();
    let (acked, refused, reconnects) = load.finish(&db.store).await;
    // Cross-node delivery resumed, with catch-up: every socket (the customer
    // on one node, the agent on the other) received its conversation's
    // messages without a hole, from its first to the last one written.
    let t = tally.lock().unwrap();
    for (name, seqs) in &t.received {
        let mut seqs = seqs.clone();
        seqs.sort_unstable();
        seqs.dedup();
        let (first, last) = (seqs[0], *seqs.last().unwrap());
        assert_eq!(
            seqs.len() as i64,
            last - first + 1,
            "{name} missed messages across the Redis restart"
        );
    }
    println!(
        "Redis down {:.1} s: {acked_during} acknowledged meanwhile; {acked} in all, none lost or doubled; \
         {refused} refused, {reconnects} reconnects; every sender served (acknowledged, and delivered from the other node) {:.2} s after Redis was back",
        back.duration_since(down_at).as_secs_f64(),
        took.as_secs_f64()
    );
    assert!(began.elapsed() < Duration::from_secs(60));
}
