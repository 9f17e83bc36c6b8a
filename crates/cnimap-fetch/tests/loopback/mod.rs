//! A small HTTP/1.1 server on 127.0.0.1 for the fetch tests: serves files from memory, honours
//! `Range: bytes=N-`, and can break on purpose (truncated body, wrong status, a slow start, a
//! connection dropped half way). Every request is logged with its Range header.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How the server answers for one path.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// 200 (or 206 for a Range request) with the bytes.
    Serve(Vec<u8>),
    /// 200 with only the first half of the bytes (Content-Length says the half: a consistent but
    /// truncated file).
    Truncated(Vec<u8>),
    /// Only this status, no body.
    Status(u16),
    /// Headers at once, then the body only after the delay.
    Slow(Vec<u8>, Duration),
    /// Content-Length of the whole, then only the first `cut` bytes, then the connection closes.
    Drop(Vec<u8>, usize),
}

/// One logged request: path and Range header.
pub type Logged = (String, Option<String>);

/// A running server; stops when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    routes: Arc<Mutex<HashMap<String, Behaviour>>>,
    log: Arc<Mutex<Vec<Logged>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server with no routes (everything is 404).
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let routes: Arc<Mutex<HashMap<String, Behaviour>>> = Arc::default();
        let log: Arc<Mutex<Vec<Logged>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (routes, log, stop) = (routes.clone(), log.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (routes, log) = (routes.clone(), log.clone());
                            std::thread::spawn(move || handle(stream, &routes, &log));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Server {
            base,
            routes,
            log,
            stop,
            thread: Some(thread),
        }
    }

    /// Sets how `path` (starting with `/`) is answered.
    pub fn route(&self, path: &str, behaviour: Behaviour) {
        self.routes
            .lock()
            .expect("routes")
            .insert(path.to_string(), behaviour);
    }

    /// The requests so far.
    pub fn log(&self) -> Vec<Logged> {
        self.log.lock().expect("log").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn handle(stream: TcpStream, routes: &Mutex<HashMap<String, Behaviour>>, log: &Mutex<Vec<Logged>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let mut range = None;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("range") {
                        range = Some(v.trim().to_string());
                    }
                }
            }
        }
    }
    log.lock().expect("log").push((path.clone(), range.clone()));
    let behaviour = routes
        .lock()
        .expect("routes")
        .get(&path)
        .cloned()
        .unwrap_or(Behaviour::Status(404));
    let start: usize = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut out = stream;
    let head = |status: u16, len: usize, extra: &str| {
        let reason = match status {
            200 => "OK",
            206 => "Partial Content",
            404 => "Not Found",
            410 => "Gone",
            416 => "Range Not Satisfiable",
            _ => "Error",
        };
        format!("HTTP/1.1 {status} {reason}\r\nContent-Length: {len}\r\n{extra}Connection: close\r\n\r\n")
    };
    match behaviour {
        Behaviour::Serve(bytes) => {
            if start == 0 {
                let _ = out.write_all(head(200, bytes.len(), "").as_bytes());
                let _ = out.write_all(&bytes);
            } else if start < bytes.len() {
                let extra = format!(
                    "Content-Range: bytes {start}-{}/{}\r\n",
                    bytes.len() - 1,
                    bytes.len()
                );
                let _ = out.write_all(head(206, bytes.len() - start, &extra).as_bytes());
                let _ = out.write_all(&bytes[start..]);
            } else {
                let _ = out.write_all(head(416, 0, "").as_bytes());
            }
        }
        Behaviour::Truncated(bytes) => {
            let half = &bytes[..bytes.len() / 2];
            let _ = out.write_all(head(200, half.len(), "").as_bytes());
            let _ = out.write_all(half);
        }
        Behaviour::Status(code) => {
            let _ = out.write_all(head(code, 0, "").as_bytes());
        }
        Behaviour::Slow(bytes, delay) => {
            let _ = out.write_all(head(200, bytes.len(), "").as_bytes());
            let _ = out.flush();
            std::thread::sleep(delay);
            let _ = out.write_all(&bytes);
        }
        Behaviour::Drop(bytes, cut) => {
            let _ = out.write_all(head(200, bytes.len(), "").as_bytes());
            let _ = out.write_all(&bytes[..cut.min(bytes.len())]);
            let _ = out.flush();
            let _ = out.shutdown(std::net::Shutdown::Both);
        }
    }
    let _ = out.flush();
}
