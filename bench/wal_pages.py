#!/usr/bin/env python3
"""Write-ahead log frames per message of the append transaction, by b-tree.

Builds a SQLite database from migrations/sqlite (every up.sql, in version
order), opens --convs conversations, then runs the append transaction's
statements (as `crates/store/src/repos/append.rs` issues them) for group
commits of --batch messages from distinct random conversations, the way the
closed-loop benchmark spreads them. Automatic checkpoints are off; after a
warm-up (--warm messages, so the indexes have their steady-state shape) the
log is emptied, --n messages are appended, and every frame of the log is
attributed to the table or index that owns its page (the `dbstat` table).

    python3 bench/wal_pages.py                       # as the schema is now
    python3 bench/wal_pages.py --activity every      # updated_at on every message
    python3 bench/wal_pages.py --no-client-id        # messages without client ids

Python's own sqlite3 module is used: the page counts depend on the schema
and the statements, not on the SQLite build (the server bundles its own).
"""
import argparse
import collections
import datetime
import glob
import os
import random
import sqlite3
import struct
import tempfile
import time
import uuid

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--migrations", default=os.path.join(ROOT, "migrations", "sqlite"))
ap.add_argument("--upto", default="", help="apply migrations up to this version only (e.g. 2026-12-08-000201)")
ap.add_argument("--convs", type=int, default=500)
ap.add_argument("--batch", type=int, default=8, help="messages per group commit (8.5 measured in the closed loop)")
ap.add_argument("--warm", type=int, default=20000)
ap.add_argument("--n", type=int, default=20000)
ap.add_argument("--rate", type=float, default=12000.0, help="simulated msg/s: the clock of created_at/updated_at")
ap.add_argument("--activity", choices=["every", "case", "stale"], default="stale",
                help="every: the reservation sets updated_at on every message (main before issue 17's "
                     "storage pass); case: it sets it with CASE WHEN stale; stale: a separate UPDATE only "
                     "for conversations whose updated_at is more than --step seconds behind")
ap.add_argument("--step", type=float, default=1.0)
ap.add_argument("--no-client-id", action="store_true", help="messages carry no client id")
ap.add_argument("--extra", default="", help="SQL file applied after the migrations")
ap.add_argument("--seed", type=int, default=1)
a = ap.parse_args()

work = tempfile.mkdtemp(prefix="wal_pages-")
path = os.path.join(work, "chat.db")
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.execute("PRAGMA wal_autocheckpoint=0")
for d in sorted(glob.glob(os.path.join(a.migrations, "*")), key=lambda d: os.path.basename(d).split("_")[0]):
    if a.upto and os.path.basename(d).split("_")[0] > a.upto:
        continue
    db.executescript(open(os.path.join(d, "up.sql")).read())
if a.extra:
    db.executescript(open(a.extra).read())

random.seed(a.seed)
clock = datetime.datetime(2026, 12, 7, 12, 0, 0)
step = datetime.timedelta(seconds=a.step)
tick = datetime.timedelta(seconds=1.0 / a.rate)
ts = lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f")
def uuid7():
    return str(uuid.UUID(int=(int(clock.timestamp() * 1000) << 80) | random.getrandbits(80)))

db.execute("BEGIN")
agent = uuid7()
db.execute("INSERT INTO users (id, email, display_name, password_hash, role, active, created_at, updated_at) "
           "VALUES (?, 'agent@example.com', 'Agent', 'x', 'agent', 1, ?, ?)", (agent, ts(clock), ts(clock)))
convs = []
for i in range(a.convs):
    customer, conv = uuid7(), uuid7()
    db.execute("INSERT INTO customers (id, created_at, updated_at) VALUES (?, ?, ?)", (customer, ts(clock), ts(clock)))
    db.execute("INSERT INTO conversations (id, customer_id, state, assignee_id, created_at, updated_at, "
               "handed_off_at, first_response_at) VALUES (?, ?, 'human', ?, ?, ?, ?, ?)",
               (conv, customer, agent, ts(clock), ts(clock), ts(clock), ts(clock)))
    convs.append(conv)
    clock += datetime.timedelta(microseconds=100)
db.execute("COMMIT")
sent = collections.Counter()

def group_commit(batch):
    """The append transaction (SQLite path) for one batch."""
    global clock
    now = clock
    want = collections.Counter(batch)
    db.execute("BEGIN IMMEDIATE")
    for c in sorted(want):
        if a.activity == "every":
            db.execute("UPDATE conversations SET last_seq = last_seq + ?, updated_at = ? WHERE id = ?",
                       (want[c], ts(now), c))
        elif a.activity == "case":
            db.execute("UPDATE conversations SET last_seq = last_seq + ?, updated_at = CASE WHEN updated_at < ? "
                       "THEN ? ELSE updated_at END WHERE id = ?", (want[c], ts(now - step), ts(now), c))
        else:
            db.execute("UPDATE conversations SET last_seq = last_seq + ? WHERE id = ?", (want[c], c))
    nxt = {}
    for c in sorted(want):
        last, updated = db.execute("SELECT last_seq, updated_at FROM conversations WHERE id = ?", (c,)).fetchone()
        nxt[c] = last - want[c] + 1
        if a.activity == "stale" and updated < ts(now - step):
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (ts(now), c))
    cmids = {}
    for c in batch:
        cmids[c] = None if a.no_client_id else f"{c[-8:]}-{sent[c]}"
        sent[c] += 1
        if cmids[c] is not None:
            db.execute("SELECT id FROM messages WHERE conversation_id = ? AND client_msg_id = ?",
                       (c, cmids[c])).fetchall()
    for c in batch:
        db.execute("INSERT INTO messages (id, conversation_id, seq, sender_kind, sender_id, kind, body, "
                   "client_msg_id, created_at) VALUES (?, ?, ?, 'customer', NULL, 'text', ?, ?, ?)",
                   (uuid7(), c, nxt[c], f"m {int(clock.timestamp() * 1e6)} conversation {c[:8]}", cmids[c],
                    ts(clock)))
        nxt[c] += 1
        clock += tick
    db.execute("COMMIT")

def run(n):
    done = 0
    while done < n:
        batch = random.sample(convs, a.batch)
        group_commit(batch)
        done += len(batch)
    return done

run(a.warm)
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
started = time.time()
n = run(a.n)
elapsed = time.time() - started
owner = dict((pageno, name) for name, pageno in db.execute("SELECT name, pageno FROM dbstat"))
raw = open(path + "-wal", "rb").read()
by_tree = collections.Counter()
for off in range(32, len(raw) - 23, 24 + 4096):
    by_tree[owner.get(struct.unpack(">I", raw[off:off + 4])[0], "(free)")] += 1
frames = sum(by_tree.values())
print(f"activity={a.activity} client_id={not a.no_client_id} convs={a.convs} batch={a.batch} messages={n}: "
      f"{frames / n:.2f} frames ({frames * 4120 / n / 1024:.1f} KiB) per message, {frames / (n / a.batch):.1f} per commit"
      f" [{n / elapsed:.0f} msg/s in Python]")
for name, k in by_tree.most_common():
    print(f"  {name:40s} {k / n:.2f}")
db.close()
for f in os.listdir(work):
    os.remove(os.path.join(work, f))
os.rmdir(work)
