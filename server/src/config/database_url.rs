//! The database URL, kept secret because it may carry a password.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// A database URL. It may hold a password, so `Debug` shows it with the password masked
/// and the full text is only reachable through [`DatabaseUrl::expose`].
#[derive(Clone)]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        DatabaseUrl(SecretString::from(url.into()))
    }

    /// The URL with its password, for the database driver only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The URL with any password replaced by `***`: safe for logs and error messages.
    pub fn redacted(&self) -> String {
        let url = self.expose();
        let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
            return url.to_owned();
        };
        let rest = &url[scheme_end..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let Some(at) = authority.rfind('@') else {
            return url.to_owned();
        };
        let userinfo = &authority[..at];
        match userinfo.find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &url[..scheme_end],
                &userinfo[..colon],
                &rest[at..]
            ),
            None => url.to_owned(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl")
            .field(&self.redacted())
            .finish()
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(DatabaseUrl::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_handles_urls_without_passwords() {
        for (url, shown) in [
            (
                "postgres://postgres@127.0.0.1:5432/test",
                "postgres://postgres@127.0.0.1:5432/test",
            ),
            ("sqlite:///var/lib/gh.db", "sqlite:///var/lib/gh.db"),
            ("postgres://u:p@ss@h/d", "postgres://u:***@h/d"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(DatabaseUrl::new(url).redacted(), shown);
        }
    }
}
