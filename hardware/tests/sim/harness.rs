//! A simulator serving its control socket in a temp dir.

use gatehouse_hardware::door_io::LockWiring;
use gatehouse_hardware::sim::control::Client;
use gatehouse_hardware::sim::{SimConfig, SimEvents, Simulator, serve};
use std::path::PathBuf;
use tokio::net::UnixListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Running {
    pub sim: Simulator,
    pub events: SimEvents,
    pub socket: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Running {
    /// Readers `front-in`; doors `front` (fail-safe maglock) and `store` (fail-secure
    /// strike).
    pub fn start() -> Self {
        let config = SimConfig::new()
            .reader("front-in")
            .door("front", LockWiring::FailSafe)
            .door("store", LockWiring::FailSecure);
        let (sim, events) = Simulator::new(&config);
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("sim.sock");
        let listener = UnixListener::bind(&socket).unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(sim.clone(), listener, async {
            let _ = stopped.await;
        }));
        Running {
            sim,
            events,
            socket,
            stop: Some(stop),
            server,
            _dir: dir,
        }
    }

    pub async fn client(&self) -> Client {
        Client::connect(&self.socket).await.unwrap()
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.server).await.unwrap();
    }
}
