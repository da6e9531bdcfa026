//! The demo's own folder. It is started afresh on every run, so it must be one the demo
//! made: a folder without the demo's marker is never emptied, and one whose demo is still
//! running is left alone.

use super::Failure;
use std::path::Path;

/// The file that marks a folder as the demo's.
const MARKER: &str = ".gatehouse-demo";
/// The running demo's process id.
const PID_FILE: &str = "demo.pid";

/// Empties (or creates) `dir` for a new run and records this process in it.
pub fn start_afresh(dir: &Path) -> Result<(), Failure> {
    if dir.exists() {
        let is_demo = dir.join(MARKER).exists();
        let is_empty = std::fs::read_dir(dir)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        if !is_demo && !is_empty {
            return Err(Failure::Usage(format!(
                "{} is not the demo's folder (it has no {MARKER}); the demo empties its folder \
                 on every run, so give it a new one with --dir",
                dir.display()
            )));
        }
        if let Some(pid) = running_demo(dir) {
            return Err(Failure::Refused(format!(
                "a demo is already running in {} (process {pid}); stop it with Ctrl-C first",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(dir)
            .map_err(|e| Failure::Refused(format!("cannot empty {}: {e}", dir.display())))?;
    }
    let write = |name: &str, text: String| {
        std::fs::write(dir.join(name), text)
            .map_err(|e| Failure::Refused(format!("cannot write in {}: {e}", dir.display())))
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Refused(format!("cannot create {}: {e}", dir.display())))?;
    write(
        MARKER,
        "This folder belongs to `gatehouse demo`, which empties it on every run.\n".into(),
    )?;
    write(PID_FILE, format!("{}\n", std::process::id()))
}

/// Forgets this process: the folder stays, for a look at what the demo left.
pub fn finish(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(PID_FILE));
}

/// The process id of a demo still running in `dir`.
fn running_demo(dir: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(dir.join(PID_FILE))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Path::new(&format!("/proc/{pid}")).exists().then_some(pid)
}
