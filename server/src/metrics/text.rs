//! The Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE` lines, then
//! one `name{label="value",…} number` line per series.

use std::fmt::{Display, Write};

/// The content type of a scrape.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A scrape being written.
#[derive(Debug, Default)]
pub struct Text(String);

impl Text {
    /// Starts a metric family: its help text and type (`counter`, `gauge`, `histogram`).
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}").expect("to a String");
    }

    /// One series of the family.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (i, (label, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                write!(self.0, "{label}=\"{}\"", escape(v)).expect("to a String");
            }
            self.0.push('}');
        }
        writeln!(self.0, " {value}").expect("to a String");
    }

    /// The text written.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A label value as the format quotes it: backslash, double quote and newline escaped.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_series_are_written_with_escaped_labels() {
        let mut text = Text::default();
        text.family("x_total", "counter", "Things.");
        text.sample("x_total", &[], 3);
        text.sample("x_total", &[("a", "q\"b\\c\nd"), ("b", "/p/{id}")], 1.5);
        assert_eq!(
            text.into_string(),
            "# HELP x_total Things.\n# TYPE x_total counter\nx_total 3\n\
             x_total{a=\"q\\\"b\\\\c\\nd\",b=\"/p/{id}\"} 1.5\n"
        );
    }
}
