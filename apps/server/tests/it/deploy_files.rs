//! The deploy files and the docs agree with the server on its variables:
//! `deploy/.env.example`, `deploy/docker-compose.yml`, the configuration
//! table in `docs/DEPLOYMENT.md` and the one list in the code
//! (`chat_server::config::vars::VARS`). A variable added in one place and
//! not the others fails here, naming the variable and the place.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::collections::BTreeSet;
use std::path::Path;

use chat_server::config::vars::VARS;

/// In `.env.example` for compose only: the server never reads them.
const COMPOSE_ONLY: &[&str] = &["MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD"];

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `NAME=` and `# NAME=` lines.
fn env_example_names(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(|l| l.trim_start_matches('#').trim())
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim()))
        .filter(|k| is_name(k))
        .map(str::to_owned)
        .collect()
}

/// The `| `NAME` |` rows of the configuration table.
fn table_names(text: &str) -> BTreeSet<String> {
    let start = text
        .find("## 2. Configuration")
        .expect("DEPLOYMENT.md has a section 2. Configuration");
    text[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| variable"))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(k, _)| k))
        .filter(|k| is_name(k))
        .map(str::to_owned)
        .collect()
}

/// The server service's section of the compose file: from `  server:` to
/// the next line indented less than its keys (another service, or a
/// top-level key).
fn server_service(compose: &str) -> String {
    compose
        .lines()
        .skip_while(|l| *l != "  server:")
        .enumerate()
        .take_while(|(i, l)| *i == 0 || l.trim().is_empty() || l.starts_with("    "))
        .map(|(_, l)| format!("{l}\n"))
        .collect()
}

/// One line per variable in one place and not the other, naming both.
fn disagreements(code: &BTreeSet<String>, other: &BTreeSet<String>, place: &str) -> Vec<String> {
    const CODE: &str = "the configuration code (apps/server/src/config/vars.rs)";
    let only_code = code
        .difference(other)
        .map(|name| format!("{name} is in {CODE} but not in {place}"));
    let only_other = other
        .difference(code)
        .map(|name| format!("{name} is in {place} but not in {CODE}"));
    only_code.chain(only_other).collect()
}

#[test]
fn env_example_lists_exactly_the_known_variables() {
    let code: BTreeSet<String> = VARS.iter().map(|v| v.name.to_owned()).collect();
    let mut example = env_example_names(&read("deploy/.env.example"));
    for name in COMPOSE_ONLY {
        assert!(
            example.remove(*name),
            "{name} is no longer in deploy/.env.example: update COMPOSE_ONLY"
        );
    }
    let problems = disagreements(&code, &example, "deploy/.env.example");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn deployment_table_lists_exactly_the_known_variables() {
    let code: BTreeSet<String> = VARS.iter().map(|v| v.name.to_owned()).collect();
    let table = table_names(&read("docs/DEPLOYMENT.md"));
    let problems = disagreements(&code, &table, "the table of docs/DEPLOYMENT.md section 2");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn compose_passes_every_variable_to_the_server() {
    let compose = read("deploy/docker-compose.yml");
    let server = server_service(&compose);
    // env_file is what carries the variables compose does not name.
    assert!(
        server.lines().any(|l| l.trim() == "env_file: .env"),
        "the server service of deploy/docker-compose.yml must have `env_file: .env`, or \
         the variables of deploy/.env never reach the server:\n{server}"
    );
    let example = env_example_names(&read("deploy/.env.example"));
    let mut problems = Vec::new();
    // Every variable compose names for the server is one it reads.
    for line in server.lines().map(str::trim) {
        let Some(item) = line.strip_prefix("- ") else {
            continue;
        };
        let name = item.split('=').next().unwrap_or_default();
        if is_name(name) && chat_server::config::vars::known(name).is_none() {
            problems.push(format!(
                "{name} is set for the server in deploy/docker-compose.yml but not in the configuration code (apps/server/src/config/vars.rs)"
            ));
        }
    }
    // Every ${NAME} substitution is documented in .env.example.
    for part in compose.split("${").skip(1) {
        let name: String = part
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if is_name(&name) && !example.contains(&name) {
            problems.push(format!(
                "{name} is used in deploy/docker-compose.yml but not in deploy/.env.example"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_parsers_see_what_they_should() {
    let example = env_example_names("# A comment = not a name\n# CHAT_X=1\nCHAT_Y=\n");
    assert_eq!(
        example.into_iter().collect::<Vec<_>>(),
        ["CHAT_X", "CHAT_Y"]
    );
    let table = table_names(
        "## 2. Configuration\n\ntext\n\n| variable | default | meaning |\n|---|---|---|\n| `CHAT_A` | 1 | a |\n| `CHAT_B` | 2 | b |\n\n| `CHAT_C` | later |\n",
    );
    assert_eq!(table.into_iter().collect::<Vec<_>>(), ["CHAT_A", "CHAT_B"]);
    let compose = "services:\n  a:\n    image: x\n  server:\n    env_file: .env\n    environment:\n      - CHAT_X=1\nvolumes:\n  v:\n";
    let server = server_service(compose);
    assert!(
        server.contains("CHAT_X") && !server.contains("volumes"),
        "{server}"
    );
}
