//! Reading variables: where a value comes from (`CHAT_CONFIG_FILE`, then the
//! environment, which wins; empty counts as unset) and how each kind of
//! value is parsed, every failure naming the variable.

use std::collections::HashMap;
use std::path::Path;

use super::ConfigError;

/// Builds the error for `var`.
pub(crate) fn err(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

/// Where the environment's values come from (the process, or a map in tests).
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// The variables as the server sees them: the environment over the file.
pub(crate) struct Vars<'a> {
    env: Lookup<'a>,
    file: HashMap<String, String>,
}

impl<'a> Vars<'a> {
    /// Reads `CHAT_CONFIG_FILE` (named by `env`) if set.
    pub(crate) fn new(env: impl Fn(&str) -> Option<String> + 'a) -> Result<Self, ConfigError> {
        let env = move |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let file = match env("CHAT_CONFIG_FILE") {
            Some(path) => read_env_file(Path::new(&path))?,
            None => HashMap::new(),
        };
        Ok(Self {
            env: Box::new(env),
            file,
        })
    }

    /// The value of `k`, if set (and not empty).
    pub(crate) fn get(&self, k: &str) -> Option<String> {
        (self.env)(k).or_else(|| self.file.get(k).cloned().filter(|v| !v.trim().is_empty()))
    }

    /// `true`/`1`/`yes` or `false`/`0`/`no`.
    pub(crate) fn flag(&self, var: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(var).as_deref().map(str::trim) {
            None => Ok(default),
            Some("true" | "1" | "yes") => Ok(true),
            Some("false" | "0" | "no") => Ok(false),
            Some(other) => Err(err(var, format!("`{other}` is not true or false"))),
        }
    }

    /// Any value `T` parses, `default` when unset.
    pub(crate) fn parse<T: std::str::FromStr>(
        &self,
        var: &'static str,
        default: &str,
    ) -> Result<T, ConfigError> {
        let raw = self.get(var).unwrap_or_else(|| default.to_owned());
        raw.trim()
            .parse()
            .map_err(|_| err(var, format!("`{raw}` is not valid")))
    }

    /// A number above zero, `default` when unset.
    pub(crate) fn positive<T>(&self, var: &'static str, default: T) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + Default + std::fmt::Display,
    {
        match self.get(var) {
            None => Ok(default),
            Some(raw) => match raw.trim().parse::<T>() {
                Ok(v) if v > T::default() => Ok(v),
                _ => Err(err(var, format!("`{raw}` is not a positive integer"))),
            },
        }
    }

    /// A positive number of at most `max`, `default` when unset.
    pub(crate) fn bounded<T>(
        &self,
        var: &'static str,
        default: T,
        max: T,
        why: &str,
    ) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + Default + std::fmt::Display,
    {
        let v = self.positive(var, default)?;
        if v > max {
            return Err(err(var, format!("must be at most {max}{why}")));
        }
        Ok(v)
    }

    /// A comma-separated list, blanks dropped.
    pub(crate) fn list(&self, var: &'static str) -> Vec<String> {
        self.get(var)
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Reads `KEY=VALUE` lines; `#` starts a comment line; surrounding quotes
/// are removed. The same format as `deploy/.env.example`.
pub(crate) fn read_env_file(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        err(
            "CHAT_CONFIG_FILE",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let mut map = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            return Err(err(
                "CHAT_CONFIG_FILE",
                format!("{}:{}: expected KEY=VALUE", path.display(), n + 1),
            ));
        };
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
            .unwrap_or(v);
        map.insert(k.trim().to_owned(), v.to_owned());
    }
    Ok(map)
}
