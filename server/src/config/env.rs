//! Environment overrides: `GATEHOUSE_` + the key in upper case, `__` between a table and
//! its key. Parsed by the key's type, so a bad value is an error naming the variable.

use super::{Config, ConfigError, DatabaseUrl, TlsMode};
use std::path::PathBuf;
use std::str::FromStr;

/// The prefix of every environment override.
pub const ENV_PREFIX: &str = "GATEHOUSE_";

impl FromStr for TlsMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "self_signed" => Ok(TlsMode::SelfSigned),
            "files" => Ok(TlsMode::Files),
            "off" => Ok(TlsMode::Off),
            other => Err(format!(
                "unknown TLS mode {other:?}; expected self_signed, files or off"
            )),
        }
    }
}

impl Config {
    /// Applies one override; `key` is the variable without its prefix. Returns whether the
    /// key is known: unknown ones are skipped (see [`unrecognized_env`]).
    pub(super) fn apply_env(
        &mut self,
        var: &str,
        key: &str,
        value: &str,
    ) -> Result<bool, ConfigError> {
        let parse_err = |message: String| ConfigError::Env {
            var: var.to_owned(),
            message,
        };
        let optional = |value: &str| (!value.is_empty()).then(|| value.to_owned());
        match key {
            "DATA_DIR" => self.data_dir = PathBuf::from(value),
            "LISTEN" => {
                self.listen = value
                    .parse()
                    .map_err(|e| parse_err(format!("{value:?} is not an address and port ({e})")))?
            }
            "DATABASE_URL" => self.database_url = optional(value).map(DatabaseUrl::new),
            "PUBLIC_URL" => self.public_url = optional(value),
            "TLS__MODE" => self.tls.mode = value.parse().map_err(parse_err)?,
            "TLS__CERT_FILE" => self.tls.cert_file = optional(value).map(PathBuf::from),
            "TLS__KEY_FILE" => self.tls.key_file = optional(value).map(PathBuf::from),
            "TLS__HOSTNAMES" => {
                self.tls.hostnames = value
                    .split(',')
                    .map(str::trim)
                    .filter(|h| !h.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            "BACKUP__OFFSITE_DIR" => self.backup.offsite_dir = optional(value).map(PathBuf::from),
            "BACKUP__KEEP" => self.backup.keep = parse_count(value).map_err(parse_err)?,
            "RETENTION__VISITOR_DAYS" => {
                self.retention.visitor_days = parse_count(value).map_err(parse_err)?
            }
            "SYNC__FALLBACK_POLL_SECS" => {
                self.sync.fallback_poll_secs = parse_count(value).map_err(parse_err)?
            }
            "LOG" => self.log = value.to_owned(),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn parse_count(value: &str) -> Result<u32, String> {
    value
        .parse()
        .map_err(|_| format!("{value:?} is not a whole number from 0 to {}", u32::MAX))
}

/// The `GATEHOUSE_…` variables of `env` that name no configuration key (typos, or settings
/// of other Gatehouse programs), for the caller to warn about once logging is up.
pub fn unrecognized_env(env: impl IntoIterator<Item = (String, String)>) -> Vec<String> {
    let mut scratch = Config::default();
    env.into_iter()
        .filter_map(|(var, value)| {
            let key = var.strip_prefix(ENV_PREFIX)?;
            // A value that does not parse still belongs to a known key.
            matches!(scratch.apply_env(&var, key, &value), Ok(false)).then_some(var)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::{env, load_toml};
    use std::path::Path;

    #[test]
    fn file_then_environment_then_defaults() {
        let c = load_toml(
            "listen = \"127.0.0.1:9000\"\nlog = \"debug\"\n[tls]\nhostnames = [\"door.example\"]\n[backup]\nkeep = 3\n",
            &[
                ("GATEHOUSE_LOG", "warn"),
                ("GATEHOUSE_TLS__MODE", "off"),
                ("GATEHOUSE_RETENTION__VISITOR_DAYS", "30"),
                ("GATEHOUSE_TLS__HOSTNAMES", "a.example, b.example,"),
            ],
        )
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.log, "warn");
        assert_eq!(c.tls.mode, TlsMode::Off);
        assert_eq!(c.tls.hostnames, ["a.example", "b.example"]);
        assert_eq!(c.backup.keep, 3);
        assert_eq!(c.retention.visitor_days, 30);
        assert_eq!(c.data_dir, Path::new("./gatehouse-data"));
    }

    #[test]
    fn an_unparsable_variable_is_named() {
        for (var, value) in [
            ("GATEHOUSE_LISTEN", "localhost"),
            ("GATEHOUSE_TLS__MODE", "maybe"),
            ("GATEHOUSE_BACKUP__KEEP", "-1"),
            ("GATEHOUSE_RETENTION__VISITOR_DAYS", "ninety"),
        ] {
            let err = Config::load(None, env(&[(var, value)])).unwrap_err();
            assert!(
                matches!(&err, ConfigError::Env { var: v, .. } if v == var),
                "{var}: {err:?}"
            );
            assert!(err.to_string().contains(var), "{err}");
        }
    }

    #[test]
    fn an_empty_variable_unsets_an_optional_key() {
        let c = load_toml(
            "database_url = \"postgres://u:p@db/x\"\n",
            &[("GATEHOUSE_DATABASE_URL", "")],
        )
        .unwrap();
        assert!(c.database_url.is_none());
    }

    #[test]
    fn unknown_variables_are_listed_not_fatal() {
        let vars = env(&[
            ("GATEHOUSE_LISTN", "0.0.0.0:1"),
            ("GATEHOUSE_TEST_PYTHON", "python3"),
            ("GATEHOUSE_LOG", "debug"),
            ("GATEHOUSE_TLS__MODE", "off"),
            ("GATEHOUSE_DATABASE_URL", ""),
            ("PATH", "/bin"),
        ]);
        Config::load(None, vars.clone()).unwrap();
        assert_eq!(
            unrecognized_env(vars),
            ["GATEHOUSE_LISTN", "GATEHOUSE_TEST_PYTHON"]
        );
    }
}
