//! Serving the API on a bound socket until told to stop.

use crate::http;
use crate::startup::Prepared;
use axum_server::tls_rustls::RustlsConfig;
use std::future::Future;
use std::net::TcpListener;
use std::time::Duration;

/// How long open requests (long-polls included) may take to finish after shutdown starts.
const GRACE: Duration = Duration::from_secs(5);

/// The URL clients use for a listener.
pub fn url_of(listener: &TcpListener, tls: bool) -> std::io::Result<String> {
    let addr = listener.local_addr()?;
    Ok(format!("{}://{addr}", if tls { "https" } else { "http" }))
}

/// Serves until `shutdown` completes, over TLS unless TLS is off.
pub async fn serve(
    prepared: Prepared,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let app = http::router(prepared.state);
    match prepared.tls {
        Some(tls) => {
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                shutdown.await;
                stopper.graceful_shutdown(Some(GRACE));
            });
            axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(tls.rustls_config()))
                .handle(handle)
                .serve(app.into_make_service())
                .await
        }
        None => {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        }
    }
}
