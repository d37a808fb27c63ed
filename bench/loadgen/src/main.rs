//! `chat-loadgen`: load on the real protocol with real authentication.
//! Prints one JSON line per run.
//!
//! Scenarios (`--scenario`):
//! - `realtime` (default): N conversations, each with a customer socket and
//!   an agent socket holding the conversation (`--agent-addr` puts the
//!   agents on a second node), or, with `--assistant`, answered by the
//!   offline assistant. Closed loop (each customer sends its next message
//!   when the previous one arrived) or fixed rate (`--rate` messages per
//!   second in total). Reports sent, received, lost, duplicated, msgs/s,
//!   latency p50/p90/p99/max (ms: customer's send → the agent's receipt, or
//!   → the assistant's stored answer), errors. `--idle N` also holds N idle
//!   authenticated sockets during the run.
//! - `idle`: N idle authenticated sockets (`--idle N`) from 127.0.0.2, …;
//!   with `--server-pid`, the server's memory per socket.
//! - `rest`: `--concurrency` keep-alive connections requesting `--path` for
//!   `--seconds`, with the staff token.
//!
//! ```text
//! chat-loadgen --addr 127.0.0.1:8080 --email admin@example.com --password secret \
//!     [--scenario realtime|idle|rest] [--conversations 500] [--seconds 15] [--rate 5000] \
//!     [--agent-addr 127.0.0.1:8081] [--assistant] [--idle 10000] [--server-pid PID] \
//!     [--path /api/v1/conversations] [--concurrency 32]
//! ```

mod idle;
mod proto;
mod realtime;
mod rest;

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result, bail};

struct Args {
    scenario: String,
    addr: SocketAddr,
    agent_addr: Option<SocketAddr>,
    conversations: usize,
    seconds: u64,
    rate: Option<f64>,
    assistant: bool,
    idle: usize,
    server_pid: Option<u32>,
    path: String,
    concurrency: usize,
    email: String,
    password: String,
}

fn args() -> Result<Args> {
    let mut a = Args {
        scenario: "realtime".into(),
        addr: "127.0.0.1:8080".parse()?,
        agent_addr: None,
        conversations: 100,
        seconds: 10,
        rate: None,
        assistant: false,
        idle: 0,
        server_pid: None,
        path: "/api/v1/conversations".into(),
        concurrency: 32,
        email: "admin@localhost".into(),
        password: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--assistant" {
            a.assistant = true;
            continue;
        }
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--scenario" => a.scenario = value,
            "--addr" => a.addr = value.parse()?,
            "--agent-addr" => a.agent_addr = Some(value.parse()?),
            "--conversations" => a.conversations = value.parse()?,
            "--seconds" => a.seconds = value.parse()?,
            "--rate" => a.rate = Some(value.parse()?),
            "--idle" => a.idle = value.parse()?,
            "--server-pid" => a.server_pid = Some(value.parse()?),
            "--path" => a.path = value,
            "--concurrency" => a.concurrency = value.parse()?,
            "--email" => a.email = value,
            "--password" => a.password = value,
            other => bail!("unknown flag {other}"),
        }
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> Result<()> {
    let a = args()?;
    let report = match a.scenario.as_str() {
        "realtime" => {
            let staff_node = a.agent_addr.unwrap_or(a.addr);
            let staff = proto::login(staff_node, &a.email, &a.password).await?;
            // Idle sockets held through the run, when asked for.
            let idle = (a.idle > 0).then(|| {
                tokio::spawn(idle::run(
                    a.addr,
                    a.idle,
                    None,
                    Duration::from_secs(a.seconds + 60),
                ))
            });
            let report = realtime::run(realtime::Plan {
                addr: a.addr,
                agent_addr: staff_node,
                conversations: a.conversations,
                seconds: a.seconds,
                rate: a.rate,
                assistant: a.assistant,
                staff,
            })
            .await?;
            if let Some(task) = idle {
                task.abort();
            }
            report
        }
        "idle" => idle::run(a.addr, a.idle, a.server_pid, Duration::from_secs(1)).await?,
        "rest" => {
            let (token, _) = proto::login(a.addr, &a.email, &a.password).await?;
            rest::run(a.addr, &token, &a.path, a.concurrency, a.seconds).await?
        }
        other => bail!("unknown scenario {other}"),
    };
    println!("{report}");
    Ok(())
}
