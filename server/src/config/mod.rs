//! Server configuration: an optional TOML file, then `GATEHOUSE_…` environment overrides,
//! then defaults that run out of the box (SQLite and a self-signed certificate in
//! `./gatehouse-data`, listening on loopback).
//!
//! Environment variables are `GATEHOUSE_` + the key in upper case, with `__` between a
//! table and its key: `GATEHOUSE_LISTEN=0.0.0.0:8443`, `GATEHOUSE_TLS__MODE=off`. Lists
//! (`GATEHOUSE_TLS__HOSTNAMES`) are comma-separated. An empty value unsets an optional key.
//! Variables that name no key are not errors, because other Gatehouse programs and tests
//! share the prefix; [`unrecognized_env`] lists them so the caller can warn.
//!
//! Every key is checked when loaded, and every error names the key (or variable) and what
//! is wrong with it: a misspelt key is an error, not a silently ignored line.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

mod database_url;
mod env;

pub use database_url::DatabaseUrl;
pub use env::{ENV_PREFIX, unrecognized_env};

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("could not read the configuration file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML, or a key is unknown or has the wrong type. toml's
    /// message names the key, its line and column.
    #[error("{}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// An environment variable's value does not parse as its key's type.
    #[error("environment variable {var}: {message}")]
    Env {
        /// The variable, e.g. `GATEHOUSE_LISTEN`.
        var: String,
        /// What is wrong with its value.
        message: String,
    },
    /// A key's value is well-formed but not allowed (alone or with other keys).
    #[error("{key}: {message}")]
    Invalid {
        /// The key, dotted: `tls.mode`.
        key: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// The whole server configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Database, keys, certificate, checkpoints and backups.
    pub data_dir: PathBuf,
    /// The address the HTTPS (or, on loopback, HTTP) listener binds.
    pub listen: SocketAddr,
    /// A database URL (`postgres://…` or `sqlite://…`); `None` means the SQLite file in the
    /// data directory. May carry a password, so it is kept secret.
    pub database_url: Option<DatabaseUrl>,
    /// The URL clients use to reach this server (behind a proxy or a DNS name), used in
    /// enrollment codes and links; `None` means derived from `listen`.
    pub public_url: Option<String>,
    /// Transport security.
    pub tls: TlsConfig,
    /// Backups.
    pub backup: BackupConfig,
    /// Personal-data retention.
    pub retention: RetentionConfig,
    /// Controller sync.
    pub sync: SyncConfig,
    /// The log filter (tracing `EnvFilter` syntax), e.g. `info` or `gatehouse_server=debug`.
    pub log: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./gatehouse-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            database_url: None,
            public_url: None,
            tls: TlsConfig::default(),
            backup: BackupConfig::default(),
            retention: RetentionConfig::default(),
            sync: SyncConfig::default(),
            log: "info".to_owned(),
        }
    }
}

/// Transport security.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// Where the certificate comes from.
    pub mode: TlsMode,
    /// The certificate chain (PEM) when `mode = "files"`.
    pub cert_file: Option<PathBuf>,
    /// Its private key (PEM) when `mode = "files"`.
    pub key_file: Option<PathBuf>,
    /// Extra DNS names or IP addresses for the self-signed certificate, besides
    /// `localhost`, `127.0.0.1` and `::1`.
    pub hostnames: Vec<String>,
}

/// Where the server certificate comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Made on first start and kept in the data directory; clients pin its fingerprint.
    #[default]
    SelfSigned,
    /// Read from `cert_file` and `key_file`.
    Files,
    /// Plain HTTP: for development and tests, and only on a loopback address.
    Off,
}

/// Backups.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupConfig {
    /// A directory (another disk, a mounted share) that receives a copy of every backup.
    pub offsite_dir: Option<PathBuf>,
    /// How many backups to keep, locally and off-site; older ones are deleted.
    pub keep: u32,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            offsite_dir: None,
            keep: 14,
        }
    }
}

/// Personal-data retention.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Days after a visit ends before the visitor's personal data is purged. The audit
    /// chains hold only pseudonymous ids, so they stay intact.
    pub visitor_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig { visitor_days: 90 }
    }
}

/// Controller sync.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncConfig {
    /// On PostgreSQL, how often each replica re-reads the policy version and commands as a
    /// safety net beside LISTEN/NOTIFY (which wakes it at once). Seconds, at least 1.
    pub fallback_poll_secs: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            fallback_poll_secs: 5,
        }
    }
}

impl Config {
    /// Loads the configuration: `file` if given, then the `GATEHOUSE_…` variables of `env`
    /// (pass `std::env::vars()`), then validation. Reads nothing but `file`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut config = match file {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        for (var, value) in env {
            if let Some(key) = var.strip_prefix(ENV_PREFIX) {
                config.apply_env(&var, key, &value)?;
            }
        }
        config.validate()?;
        Ok(config)
    }

    /// The SQLite file, unless a database URL is configured.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.database_url
            .is_none()
            .then(|| crate::data_dir::DataDir::new(&self.data_dir).database())
    }

    fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: &str| {
            Err(ConfigError::Invalid {
                key,
                message: message.to_owned(),
            })
        };
        match self.tls.mode {
            TlsMode::Files if self.tls.cert_file.is_none() => {
                return invalid("tls.cert_file", "required when tls.mode = \"files\"");
            }
            TlsMode::Files if self.tls.key_file.is_none() => {
                return invalid("tls.key_file", "required when tls.mode = \"files\"");
            }
            TlsMode::SelfSigned | TlsMode::Off
                if self.tls.cert_file.is_some() || self.tls.key_file.is_some() =>
            {
                // Silently serving a self-signed certificate next to a configured one would
                // make every client pin the wrong certificate.
                return invalid(
                    "tls.mode",
                    "tls.cert_file and tls.key_file are set, so set tls.mode = \"files\" (or remove them)",
                );
            }
            TlsMode::Off if !self.listen.ip().is_loopback() => {
                return Err(ConfigError::Invalid {
                    key: "tls.mode",
                    message: format!(
                        "\"off\" with listen = {}: plain HTTP is refused except on loopback",
                        self.listen
                    ),
                });
            }
            _ => {}
        }
        if let Some(bad) = self.tls.hostnames.iter().find(|h| !plausible_host(h)) {
            return Err(ConfigError::Invalid {
                key: "tls.hostnames",
                message: format!("{bad:?} is neither an IP address nor an ASCII DNS name"),
            });
        }
        if self.data_dir.as_os_str().is_empty() {
            return invalid("data_dir", "must not be empty");
        }
        if let Some(url) = &self.public_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return invalid("public_url", "must start with https:// (or http://)");
            }
        }
        if self.backup.keep == 0 {
            return invalid(
                "backup.keep",
                "must be at least 1 (0 would delete every backup)",
            );
        }
        if self.sync.fallback_poll_secs == 0 {
            return invalid("sync.fallback_poll_secs", "must be at least 1");
        }
        if self.retention.visitor_days == 0 {
            return invalid("retention.visitor_days", "must be at least 1");
        }
        if self.log.trim().is_empty() {
            return invalid("log", "must not be empty (use \"info\")");
        }
        Ok(())
    }
}

/// An IP address, or a DNS name (possibly a wildcard) in ASCII: what a certificate's
/// subject alternative names can hold. Internationalised names go in as their `xn--` form.
fn plausible_host(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok()
        || (!host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'*')))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    pub(super) fn load_toml(text: &str, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gatehouse.toml");
        std::fs::write(&path, text).unwrap();
        Config::load(Some(&path), env(vars))
    }

    #[test]
    fn defaults_run_out_of_the_box() {
        let c = Config::load(None, env(&[("PATH", "/bin"), ("HOME", "/root")])).unwrap();
        assert_eq!(c.data_dir, Path::new("./gatehouse-data"));
        assert_eq!(c.listen, "127.0.0.1:8443".parse().unwrap());
        assert!(c.database_url.is_none());
        assert_eq!(
            c.sqlite_path(),
            Some(PathBuf::from("./gatehouse-data/gatehouse.db"))
        );
        assert_eq!(c.tls, TlsConfig::default());
        assert_eq!(c.tls.mode, TlsMode::SelfSigned);
        assert_eq!(c.backup.keep, 14);
        assert_eq!(c.retention.visitor_days, 90);
        assert_eq!(c.log, "info");
    }

    #[test]
    fn the_example_file_loads_and_names_every_key() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("gatehouse.example.toml");
        let c = Config::load(Some(&path), env(&[])).unwrap();
        assert_eq!(c.tls.mode, TlsMode::SelfSigned);
        let text = std::fs::read_to_string(&path).unwrap();
        for key in [
            "data_dir",
            "listen",
            "database_url",
            "public_url",
            "[tls]",
            "mode",
            "cert_file",
            "key_file",
            "hostnames",
            "[backup]",
            "offsite_dir",
            "keep",
            "[retention]",
            "visitor_days",
            "log",
        ] {
            assert!(text.contains(key), "the example does not document {key}");
        }
    }

    #[test]
    fn the_example_file_s_commented_values_are_valid_too() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("gatehouse.example.toml");
        let text = std::fs::read_to_string(path).unwrap();
        // Uncomment every `# key = value` line: each shown value must parse.
        let uncommented: String = text
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest)
                    if rest
                        .split_once(" = ")
                        .is_some_and(|(k, _)| !k.contains(' ')) =>
                {
                    rest
                }
                _ => line,
            })
            .map(|line| format!("{line}\n"))
            .collect();
        let c = load_toml(&uncommented, &[("GATEHOUSE_TLS__MODE", "files")]).unwrap();
        assert!(c.database_url.is_some() && c.public_url.is_some());
        assert!(c.tls.cert_file.is_some() && c.tls.key_file.is_some());
        assert!(c.backup.offsite_dir.is_some());
    }

    #[test]
    fn a_misspelt_key_is_an_error_naming_it() {
        let err = load_toml("[tls]\nmdoe = \"off\"\n", &[]).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, ConfigError::Parse { .. }));
        assert!(text.contains("mdoe") && text.contains("line 2"), "{text}");

        let err = load_toml("listen = 8443\n", &[]).unwrap_err().to_string();
        assert!(err.contains("listen"), "{err}");
    }

    #[test]
    fn files_mode_needs_both_files() {
        let err = Config::load(None, env(&[("GATEHOUSE_TLS__MODE", "files")])).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    key: "tls.cert_file",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = load_toml("[tls]\nmode = \"files\"\ncert_file = \"c.pem\"\n", &[]).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    key: "tls.key_file",
                    ..
                }
            ),
            "{err:?}"
        );
        let ok = load_toml(
            "[tls]\nmode = \"files\"\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n",
            &[],
        )
        .unwrap();
        assert_eq!(ok.tls.key_file, Some(PathBuf::from("k.pem")));
    }

    #[test]
    fn files_without_files_mode_is_an_error() {
        let err = load_toml("[tls]\ncert_file = \"c.pem\"\n", &[]).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    key: "tls.mode",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn plain_http_only_on_loopback() {
        let err = Config::load(
            None,
            env(&[
                ("GATEHOUSE_TLS__MODE", "off"),
                ("GATEHOUSE_LISTEN", "0.0.0.0:8080"),
            ]),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                key: "tls.mode",
                ..
            }
        ));
        assert!(
            text.contains("plain HTTP is refused except on loopback"),
            "{text}"
        );
        for listen in ["127.0.0.1:0", "[::1]:8080"] {
            Config::load(
                None,
                env(&[("GATEHOUSE_TLS__MODE", "off"), ("GATEHOUSE_LISTEN", listen)]),
            )
            .unwrap();
        }
    }

    #[test]
    fn out_of_range_values_name_their_key() {
        for (toml, key) in [
            ("[backup]\nkeep = 0\n", "backup.keep"),
            ("[retention]\nvisitor_days = 0\n", "retention.visitor_days"),
            ("public_url = \"gate.example\"\n", "public_url"),
            ("log = \" \"\n", "log"),
            ("data_dir = \"\"\n", "data_dir"),
            ("[tls]\nhostnames = [\"gate example\"]\n", "tls.hostnames"),
        ] {
            let err = load_toml(toml, &[]).unwrap_err();
            assert!(
                matches!(&err, ConfigError::Invalid { key: k, .. } if *k == key),
                "{toml}: {err:?}"
            );
        }
    }

    #[test]
    fn the_database_password_never_reaches_debug_output() {
        let c = Config::load(
            None,
            env(&[(
                "GATEHOUSE_DATABASE_URL",
                "postgres://gate:s3cret@db:5432/gh?sslmode=require",
            )]),
        )
        .unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(
            debug.contains("postgres://gate:***@db:5432/gh?sslmode=require"),
            "{debug}"
        );
        assert_eq!(
            c.database_url.as_ref().unwrap().expose(),
            "postgres://gate:s3cret@db:5432/gh?sslmode=require"
        );
        assert_eq!(c.sqlite_path(), None);
    }
}
