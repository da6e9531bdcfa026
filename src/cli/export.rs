//! `gatehouse export events --csv`: the events controllers uploaded, as CSV, newest first
//! (the order the store pages them in). Rows are read a page at a time and written as they
//! come, so an export of millions of events holds one page in memory.

use super::Failure;
use super::admin::StoreArgs;
use super::server::load_config;
use clap::{Args, Subcommand};
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::JournalId;
use gatehouse_server::data_dir::DataDir;
use gatehouse_server::startup::open_store;
use gatehouse_server::store::{EventQuery, EventRecord, Store};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Access and door events, newest first.
    Events(EventsArgs),
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Write CSV: the only format for now, required so that a format added later cannot
    /// change what a script gets.
    #[arg(long, required = true)]
    csv: bool,
    /// Events at or after this time: RFC 3339 (2026-11-25T09:00:00Z) or Unix milliseconds.
    #[arg(long, value_name = "TIME", value_parser = parse_when)]
    from: Option<i64>,
    /// Events before this time: RFC 3339 or Unix milliseconds.
    #[arg(long, value_name = "TIME", value_parser = parse_when)]
    to: Option<i64>,
    /// Only this person's events.
    #[arg(long, value_name = "ID")]
    person: Option<u64>,
    /// Only events at this door.
    #[arg(long, value_name = "ID")]
    door: Option<u32>,
    /// Write to this file (replaced once the export is complete) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// The header line; every row has these columns.
pub const HEADER: &str =
    "at,controller,journal,seq,kind,door,zone,person,pass_serial,granted,reason";

/// Events read per query.
const PAGE: u32 = 1000;

/// A time on the command line: Unix milliseconds, or an RFC 3339 time.
fn parse_when(text: &str) -> Result<i64, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse()
            .map_err(|_| format!("{text} is too large for Unix milliseconds"));
    }
    super::parse_time(text).map(|t| t.0).map_err(|_| {
        format!(
            "{text:?} is neither an RFC 3339 time (e.g. 2026-11-25T09:00:00Z) nor Unix milliseconds"
        )
    })
}

pub fn run(cmd: ExportCommand) -> Result<(), Failure> {
    let ExportCommand::Events(args) = cmd;
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if to <= from {
            return Err(Failure::Usage("--to must be later than --from".into()));
        }
    }
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Failure::Usage(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(export_events(args))
}

async fn export_events(args: EventsArgs) -> Result<(), Failure> {
    let store = open(&args.store).await?;
    let site = store
        .sites()
        .await
        .map_err(|e| Failure::Usage(e.to_string()))?
        .first()
        .map(|s| s.id)
        .ok_or_else(|| Failure::Usage("this database holds no site yet: no events".into()))?;
    let query = EventQuery {
        person: args.person,
        door: args.door,
        from: args.from,
        to: args.to,
        limit: PAGE,
        ..EventQuery::default()
    };
    let pages = Pages { store, site, query };
    match &args.out {
        None => match pages.write_to(&mut io::stdout().lock()).await {
            // The reader went away (`| head`): what it wanted was written.
            Err(Written::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|e| e.failure("stdout")),
        },
        Some(out) => write_file(out, pages).await,
    }
}

/// Opens the store the server uses; a data directory without a database is a mistake in
/// `--data-dir`, not a request to create one.
async fn open(args: &StoreArgs) -> Result<Store, Failure> {
    let config = load_config(args.config.as_deref(), args.data_dir.clone(), None)?;
    let database = DataDir::new(&config.data_dir).database();
    if config.database_url.is_none() && !database.is_file() {
        return Err(Failure::Usage(format!(
            "no database at {} (--data-dir names the server's data directory)",
            database.display()
        )));
    }
    open_store(&config)
        .await
        .map_err(|e| Failure::Usage(e.to_string()))
}

/// Writes next to `out` and renames when complete: a file that exists is a whole export.
async fn write_file(out: &Path, pages: Pages) -> Result<(), Failure> {
    let name = out
        .file_name()
        .ok_or_else(|| Failure::Usage(format!("--out {} is not a file name", out.display())))?;
    let partial = out.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    let cannot = |e: io::Error| Failure::Usage(format!("--out {}: {e}", out.display()));
    let mut file = std::fs::File::create(&partial).map_err(cannot)?;
    let written = match pages.write_to(&mut file).await {
        Ok(()) => file
            .sync_all()
            .and_then(|()| std::fs::rename(&partial, out))
            .map_err(cannot),
        Err(e) => Err(e.failure(&format!("--out {}", out.display()))),
    };
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// Why writing stopped.
enum Written {
    Io(io::Error),
    Store(String),
}

impl Written {
    fn failure(self, target: &str) -> Failure {
        match self {
            Written::Io(e) => Failure::Usage(format!("cannot write to {target}: {e}")),
            Written::Store(e) => Failure::Usage(format!("reading the events: {e}")),
        }
    }
}

/// The search, read a page at a time.
struct Pages {
    store: Store,
    site: gatehouse_core::ids::SiteId,
    query: EventQuery,
}

impl Pages {
    async fn write_to(mut self, out: &mut impl Write) -> Result<(), Written> {
        let mut out = io::BufWriter::new(out);
        writeln!(out, "{HEADER}").map_err(Written::Io)?;
        loop {
            let (page, next) = self
                .store
                .search_events(self.site, &self.query)
                .await
                .map_err(|e| Written::Store(e.to_string()))?;
            for event in &page {
                out.write_all(row(event).as_bytes()).map_err(Written::Io)?;
            }
            match next {
                Some(cursor) => self.query.after = Some(cursor),
                None => break,
            }
        }
        out.flush().map_err(Written::Io)
    }
}

/// One CSV line, its newline included.
fn row(e: &EventRecord) -> String {
    let at = Timestamp(e.at).to_utc().map_or(e.at.to_string(), |t| {
        t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    });
    let journal = e
        .event
        .get("journal")
        .and_then(serde_json::Value::as_u64)
        .map(|j| JournalId(j).to_string());
    let text = |v: Option<String>| v.unwrap_or_default();
    let number = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
    let fields = [
        at,
        e.controller.to_string(),
        text(journal),
        e.seq.to_string(),
        e.kind.clone(),
        number(e.door),
        number(e.zone),
        number(e.person),
        number(e.pass_serial),
        text(e.granted.map(|g| g.to_string())),
        text(e.reason.clone()),
    ];
    let mut line = String::with_capacity(96);
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_field(&mut line, field);
    }
    line.push('\n');
    line
}

/// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, its
/// quotes doubled.
fn push_field(line: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let mut line = String::new();
        for (i, f) in ["plain", "a,b", "say \"hi\"", "two\nlines", ""]
            .iter()
            .enumerate()
        {
            if i > 0 {
                line.push(',');
            }
            push_field(&mut line, f);
        }
        assert_eq!(line, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",");
    }

    #[test]
    fn times_are_unix_ms_or_rfc_3339() {
        assert_eq!(parse_when("1795597200000"), Ok(1_795_597_200_000));
        assert_eq!(parse_when("2026-11-25T09:00:00Z"), Ok(1_795_597_200_000));
        assert_eq!(
            parse_when("2026-11-25T10:00:00+01:00"),
            Ok(1_795_597_200_000)
        );
        assert!(
            parse_when("yesterday")
                .unwrap_err()
                .contains("\"yesterday\"")
        );
        assert!(parse_when("").is_err());
        assert!(parse_when("99999999999999999999").is_err());
    }
}
