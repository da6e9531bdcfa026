//! The control socket: a Unix socket speaking JSON lines (see `docs/hardware-simulator.md`).

use super::Simulator;
use super::line_reader::{MAX_LINE, Read, read_line};
use super::protocol::{Response, answer};
use std::future::Future;
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinSet;

/// Serves the control protocol for `sim` on `listener` until `shutdown` completes; then
/// closes every open connection.
pub async fn serve(sim: Simulator, listener: UnixListener, shutdown: impl Future<Output = ()>) {
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(connection(sim.clone(), stream));
                }
                Err(e) => {
                    // Out of file descriptors and the like pass; a pause keeps the loop
                    // from spinning on them.
                    tracing::warn!(error = %e, "simulator control socket: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn connection(sim: Simulator, stream: UnixStream) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    loop {
        let response = match read_line(&mut read, MAX_LINE).await {
            Ok(Read::Line(line)) => answer(&sim, &line).await,
            Ok(Read::TooLong) => Response::error(format!(
                "request longer than {MAX_LINE} bytes: send one JSON object per line"
            )),
            Ok(Read::Eof) | Err(_) => return,
        };
        let mut out = serde_json::to_vec(&response).unwrap_or_else(|_| {
            br#"{"ok":false,"error":"internal: response could not be encoded"}"#.to_vec()
        });
        out.push(b'\n');
        if write.write_all(&out).await.is_err() {
            return;
        }
    }
}
