//! One HTTP/1.1 exchange with the server: over TLS with the pinned certificate, or plain
//! HTTP to a development server on loopback (an enrollment code with fingerprint `none`).
//! A connection per request: the controller makes a few requests a minute, two of them
//! long-polls, so pooling would save nothing worth its state.

use super::error::SyncError;
use super::pinned_tls;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::Uri;
use hyper::header::{HOST, HeaderMap, HeaderName, HeaderValue};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::net::IpAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The largest answer read: a whole bundle of a 100,000-badge site is a few MiB.
const MAX_ANSWER_BYTES: usize = 64 << 20;

/// A request to the server.
#[derive(Debug)]
pub struct Request {
    /// GET, POST, PUT.
    pub method: hyper::Method,
    /// Path and query, e.g. `/api/v1/sync/bundle?wait=25`.
    pub path_and_query: String,
    /// Extra headers.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body (empty for GET).
    pub body: Vec<u8>,
    /// How long the whole exchange may take (a long-poll's wait plus a margin).
    pub timeout: Duration,
}

/// The server's answer.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value as text, if present and printable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// How to reach the server.
#[derive(Clone)]
pub struct Transport {
    host: String,
    port: u16,
    authority: String,
    tls: Option<TlsConnector>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("authority", &self.authority)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl Transport {
    /// The server at `url` (`https://host[:port]`, no path), its certificate pinned to
    /// `fingerprint`. Without a fingerprint only `http://` to a loopback address is
    /// allowed: a development server on the same machine.
    pub fn new(url: &str, fingerprint: Option<[u8; 32]>) -> Result<Transport, SyncError> {
        let bad = |why: &str| SyncError::Config(format!("server URL {url:?}: {why}"));
        let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
        if uri.path() != "/" && !uri.path().is_empty() || uri.query().is_some() {
            return Err(bad("give the server's address only, without a path"));
        }
        let host = uri.host().ok_or_else(|| bad("no host"))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let tls = match (uri.scheme_str(), fingerprint) {
            (Some("https"), Some(fp)) => Some(TlsConnector::from(pinned_tls::client_config(fp))),
            (Some("https"), None) => {
                return Err(bad(
                    "HTTPS needs the certificate fingerprint (from the enrollment code)",
                ));
            }
            (Some("http"), None) if is_loopback(&host) => None,
            (Some("http"), None) => {
                return Err(bad(
                    "plain HTTP is only for a development server on loopback; use https",
                ));
            }
            (Some("http"), Some(_)) => {
                return Err(bad("the enrollment code pins a certificate: use https://"));
            }
            _ => return Err(bad("the scheme is https (or http on loopback)")),
        };
        let port = uri
            .port_u16()
            .unwrap_or(if tls.is_some() { 443 } else { 80 });
        let authority = uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .ok_or_else(|| bad("no host"))?;
        Ok(Transport {
            host,
            port,
            authority,
            tls,
        })
    }

    /// Sends `request` and reads the whole answer, within its timeout.
    pub async fn send(&self, request: Request) -> Result<Response, SyncError> {
        let timeout = request.timeout;
        tokio::time::timeout(timeout, self.exchange(request))
            .await
            .map_err(|_| SyncError::Unreachable(format!("no answer within {timeout:?}")))?
    }

    async fn exchange(&self, request: Request) -> Result<Response, SyncError> {
        let unreachable =
            |e: &dyn std::fmt::Display| SyncError::Unreachable(format!("{}: {e}", self.authority));
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| unreachable(&e))?;
        tcp.set_nodelay(true).ok();
        match &self.tls {
            Some(connector) => {
                let name = ServerName::try_from(self.host.clone())
                    .map_err(|e| SyncError::Config(format!("server name: {e}")))?;
                let stream = connector
                    .connect(name, tcp)
                    .await
                    .map_err(|e| SyncError::Tls(e.to_string()))?;
                self.http1(TokioIo::new(stream), request).await
            }
            None => self.http1(TokioIo::new(tcp), request).await,
        }
    }

    async fn http1<IO>(&self, io: IO, request: Request) -> Result<Response, SyncError>
    where
        IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let unreachable =
            |e: hyper::Error| SyncError::Unreachable(format!("{}: {e}", self.authority));
        let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(unreachable)?;
        // The connection runs until the answer is read; it ends with this task's request.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let mut builder = hyper::Request::builder()
            .method(request.method)
            .uri(request.path_and_query.as_str())
            .header(HOST, self.authority.as_str());
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        let http_request = builder
            .body(Full::new(Bytes::from(request.body)))
            .map_err(|e| SyncError::Config(format!("request: {e}")))?;
        let answer = sender
            .send_request(http_request)
            .await
            .map_err(unreachable)?;
        let status = answer.status().as_u16();
        let (parts, body) = answer.into_parts();
        let body = Limited::new(body, MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| {
                SyncError::Unreachable(format!("{}: reading the answer: {e}", self.authority))
            })?
            .to_bytes()
            .to_vec();
        Ok(Response {
            status,
            headers: parts.headers,
            body,
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_before_anything_is_sent() {
        let fp = Some([7u8; 32]);
        assert!(Transport::new("https://gatehouse.example.com", fp).is_ok());
        assert!(Transport::new("https://10.0.0.5:8443/", fp).is_ok());
        assert!(Transport::new("http://127.0.0.1:8080", None).is_ok());
        assert!(Transport::new("http://[::1]:8080", None).is_ok());
        let refused = |url: &str, fp: Option<[u8; 32]>, why: &str| {
            let err = Transport::new(url, fp).expect_err(url).to_string();
            assert!(err.contains(why), "{url}: {err}");
        };
        refused("https://gatehouse.example.com", None, "fingerprint");
        refused(
            "http://gatehouse.example.com",
            None,
            "only for a development server",
        );
        refused("http://127.0.0.1:8080", fp, "use https");
        refused("https://example.com/api", fp, "without a path");
        refused("ftp://example.com", fp, "scheme");
        refused("not a url at all", fp, "not a URL");
    }
}
