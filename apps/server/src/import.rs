//! `chat-server import`: placeholder while being written.

use std::path::Path;

use crate::config::Config;

/// What an import did.
#[derive(Debug, Default)]
pub struct Counts;

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("")
    }
}

/// Imports the files in `dir`.
pub async fn run(_config: &Config, _dir: &Path) -> anyhow::Result<Counts> {
    anyhow::bail!("not implemented yet")
}
