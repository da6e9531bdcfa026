//! A stand-in for the server's bundle long-poll, for measuring a bundle swap in the real
//! controller process: it holds every request open (the server has nothing new) until the
//! bench releases one bundle, which it hands to the next bundle request. It checks no
//! signature: it is the controller's memory being measured, not the protocol.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// The stand-in, listening on a loopback port.
pub struct BundleServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    release: mpsc::Sender<Vec<u8>>,
}

impl BundleServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let (release, released) = mpsc::channel::<Vec<u8>>();
        let released = Arc::new(Mutex::new(released));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let released = Arc::clone(&released);
                std::thread::spawn(move || answer(stream, &released));
            }
        });
        BundleServer { url, release }
    }

    /// Hands `bundle` (a signed whole bundle's bytes) to the next bundle request.
    pub fn release(&self, bundle: Vec<u8>) {
        self.release.send(bundle).expect("the server thread runs");
    }
}

/// Answers the requests on one connection: bundle requests get the released bundle once
/// there is one; every other request is held open until the controller gives up on it.
fn answer(stream: TcpStream, released: &Mutex<mpsc::Receiver<Vec<u8>>>) {
    let mut writer = stream.try_clone().expect("clone stream");
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if !request_line.starts_with("GET /api/v1/sync/bundle") {
            // Commands, heartbeats, uploads: never answered, as a server that is slow.
            std::thread::park();
            return;
        }
        let Ok(bundle) = released.lock().expect("lock").recv() else {
            return;
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.gatehouse.bundle\r\n\
             content-length: {}\r\n\r\n",
            bundle.len()
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&bundle).is_err() {
            return;
        }
    }
}
