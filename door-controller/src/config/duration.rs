//! Durations as installers write them: `"5s"`, `"500ms"`, `"2m"`.

use serde::{Deserialize, Deserializer, de};
use std::fmt;
use std::time::Duration;

/// A duration read from the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigDuration(pub Duration);

impl ConfigDuration {
    /// `n` seconds.
    pub const fn secs(n: u64) -> Self {
        ConfigDuration(Duration::from_secs(n))
    }

    /// Parses `"<digits><unit>"` with the unit `ms`, `s` or `m`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        let bad = || {
            format!(
                "{text:?} is not a duration: write a whole number and ms, s or m (\"5s\", \"500ms\")"
            )
        };
        let n: u64 = digits.parse().map_err(|_| bad())?;
        let duration = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.checked_mul(60).ok_or_else(bad)?),
            _ => return Err(bad()),
        };
        Ok(ConfigDuration(duration))
    }
}

impl fmt::Display for ConfigDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms % 1000 == 0 {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}

impl<'de> Deserialize<'de> for ConfigDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ConfigDuration::parse(&text).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        let ms = |n| Ok(ConfigDuration(Duration::from_millis(n)));
        assert_eq!(ConfigDuration::parse("500ms"), ms(500));
        assert_eq!(ConfigDuration::parse("5s"), ms(5000));
        assert_eq!(ConfigDuration::parse("2m"), ms(120_000));
        assert_eq!(ConfigDuration::parse("0s"), ms(0));
    }

    #[test]
    fn refusals_name_the_text() {
        for text in [
            "5",
            "s",
            "5 s",
            "-5s",
            "5h",
            "1.5s",
            "",
            "99999999999999999999m",
        ] {
            let err = ConfigDuration::parse(text).unwrap_err();
            assert!(
                err.starts_with(&format!("{text:?} is not a duration")),
                "{err}"
            );
        }
    }

    #[test]
    fn shown_as_written() {
        assert_eq!(ConfigDuration::secs(5).to_string(), "5s");
        assert_eq!(
            ConfigDuration(Duration::from_millis(250)).to_string(),
            "250ms"
        );
    }
}
