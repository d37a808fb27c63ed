# Convenience recipes. The README's commands are plain cargo; these only save typing.

mysql_url := env_var_or_default("CHAT_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
redis_url := env_var_or_default("CHAT_TEST_REDIS_URL", "redis://127.0.0.1:6379")

# Run the server (embedded: SQLite under ./data).
run:
    cargo run -p chat-server

# Tests on SQLite only (the MySQL and Redis ones are reported as ignored).
test:
    cargo test --workspace

# Every test, on SQLite, MariaDB and Redis (services must be running).
test-all:
    CHAT_TEST_MYSQL_URL={{mysql_url}} CHAT_TEST_REDIS_URL={{redis_url}} cargo test --workspace -- --include-ignored

# What CI runs.
ci:
    bash .ci/run

# Format and lint.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# Benchmarks (release builds; see docs/BENCHMARKS.md).
bench backend="sqlite":
    cargo bench -p chat-store --bench append
    python3 bench/startup.py
    bash bench/run.sh {{backend}}
