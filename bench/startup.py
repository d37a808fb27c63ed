#!/usr/bin/env python3
"""Time from process start to ready (first 200 from /readyz), on SQLite.

Starts the release binary itself, on a free loopback port and a fresh data
directory, and stops only what it started. Two cases: a first start (creates
the database, runs migrations, hashes the bootstrap admin's password) and a
warm restart on the same data. Prints one JSON line per run and a summary.

    cargo build --release -p chat-server && python3 bench/startup.py [runs]
"""
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release", "chat-server")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"GET /readyz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def one_start(data_dir):
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "CHAT_LISTEN": f"127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite://{data_dir}/chat.db",
        "CHAT_DATA_DIR": data_dir,
        "CHAT_LOG": "warn",
    }
    t0 = time.perf_counter()
    proc = subprocess.Popen([BIN], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = t0 + 30
        while not ready(port):
            if time.perf_counter() > deadline or proc.poll() is not None:
                raise SystemExit("server did not become ready")
            time.sleep(0.001)
        return (time.perf_counter() - t0) * 1000
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    if not os.path.exists(BIN):
        raise SystemExit(f"{BIN} missing: cargo build --release -p chat-server")
    first, warm = [], []
    for _ in range(runs):
        d = tempfile.mkdtemp(prefix="chat-startup-")
        try:
            first.append(one_start(d))
            warm.append(one_start(d))
        finally:
            shutil.rmtree(d, ignore_errors=True)
    for name, xs in (("first start", first), ("restart", warm)):
        print(json.dumps({
            "scenario": name, "runs": runs,
            "median_ms": round(statistics.median(xs), 1),
            "min_ms": round(min(xs), 1), "max_ms": round(max(xs), 1),
        }))


if __name__ == "__main__":
    main()
