//! The demo's door controllers: each a real `gatehouse door run` process on the simulated
//! hardware, configured in `<demo>/controllers/<name>/door.toml` and enrolled with a
//! one-time code, exactly as an installer enrolls a Raspberry Pi.

use super::site::DemoController;
use gatehouse_door::runtime::status::StatusReport;
use gatehouse_server::enrollment_code;
use gatehouse_server::state::AppState;
use gatehouse_server::store::DeviceKind;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The folder of the controllers' configurations and state.
pub fn folder(demo: &Path) -> PathBuf {
    demo.join("controllers")
}

/// A running controller process.
#[derive(Debug)]
pub struct Running {
    /// Its name.
    pub name: &'static str,
    /// Its log file.
    pub log: PathBuf,
    /// Its state folder, where it writes its status report.
    state_dir: PathBuf,
    child: Child,
}

/// Writes the controller's configuration, enrolls it with the server at `url` and starts
/// it.
pub async fn start(
    demo: &Path,
    state: &AppState,
    url: &str,
    controller: &DemoController,
) -> Result<Running, String> {
    let dir = folder(demo).join(controller.name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let config = dir.join("door.toml");
    std::fs::write(&config, configuration(&dir, controller))
        .map_err(|e| format!("{}: {e}", config.display()))?;
    let (code, _) = enrollment_code::issue(state, DeviceKind::Controller, controller.id.0.into())
        .await
        .map_err(|e| format!("enrollment code for {}: {e}", controller.name))?;
    gatehouse_door::sync::enroll(url, &code.to_string(), &dir)
        .await
        .map_err(|e| format!("enrolling {}: {e}", controller.name))?;
    let log = dir.join("controller.log");
    let log_file = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let exe = std::env::current_exe().map_err(|e| format!("this program's path: {e}"))?;
    let child = Command::new(exe)
        .args(["door", "run", "--config"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", controller.name))?;
    Ok(Running {
        name: controller.name,
        log,
        state_dir: dir,
        child,
    })
}

/// A controller's configuration: its doors on the simulated hardware, a reader on each
/// side, a three-second strike.
fn configuration(dir: &Path, controller: &DemoController) -> String {
    let mut text = format!(
        "# The demo's controller {name}: `gatehouse demo present` drives its simulated readers.\n\
         [controller]\nname = \"{name}\"\nstate_dir = \"{dir}\"\n\n[hardware]\nbackend = \"sim\"\n",
        name = controller.name,
        dir = dir.display()
    );
    for door in &controller.doors {
        text.push_str(&format!(
            "\n[[door]]\nname = \"{name}\"\nid = {id}\nlock = \"fail_secure\"\nstrike_time = \"3s\"\n\
             [[door.reader]]\nname = \"{name}-in\"\ndirection = \"in\"\ninterface = \"sim\"\n\
             [[door.reader]]\nname = \"{name}-out\"\ndirection = \"out\"\ninterface = \"sim\"\n",
            name = door.name,
            id = door.id.0
        ));
    }
    text
}

impl Running {
    /// Waits until the controller serves its doors from a bundle of the server's, or says
    /// why not.
    pub async fn wait_until_serving(&mut self, within: Duration) -> Result<(), String> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.exited() {
                return Err(format!(
                    "controller {} stopped ({status}); see {}",
                    self.name,
                    self.log.display()
                ));
            }
            if let Ok(report) = StatusReport::load(&self.state_dir) {
                if report.pid == self.child.id() && report.bundle.is_some() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "controller {} had no bundle after {within:?}; see {}",
                    self.name,
                    self.log.display()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// How it ended, if it has.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Stops it as systemd does (SIGTERM), killing it if it has not stopped within `grace`.
    pub fn stop(mut self, grace: Duration) {
        if self.exited().is_some() {
            return;
        }
        // Without `unsafe` there is no kill(2) here: the `kill` utility sends the signal.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + grace;
        while self.exited().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
