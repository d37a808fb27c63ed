# Convenience recipes (https://github.com/casey/just: `cargo install just`; not in
# Debian 12's apt). The README's commands are plain cargo; each recipe below is
# the plain commands it runs, which work without just.

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

# Benchmarks (see docs/BENCHMARKS.md): builds the release binaries first, and
# gives every step the same target directory (bench/run.sh and bench/startup.py
# both read CARGO_TARGET_DIR).
target := env_var_or_default("CARGO_TARGET_DIR", justfile_directory() + "/target")

bench backend="sqlite":
    CARGO_TARGET_DIR={{target}} cargo build --release -p chat-server -p chat-loadgen
    CARGO_TARGET_DIR={{target}} cargo bench -p chat-store --bench append
    CARGO_TARGET_DIR={{target}} python3 bench/startup.py
    CARGO_TARGET_DIR={{target}} bash bench/run.sh {{backend}}
