//! A small hostile HTTP server for the safety tests: it answers every request on 127.0.0.1 the
//! same bad way (a huge body, a gzip bomb made on the fly, …). One thread per connection, every
//! connection closed after one answer, every write bounded by a timeout, so a client that stops
//! reading ends the thread.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::Compression;

/// How the server answers.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// 200 with a JSON-looking body of `bytes` bytes, streamed until the connection closes (no
    /// Content-Length, so only reading can tell its size).
    Huge { bytes: u64 },
    /// 200 with `Content-Encoding: gzip` and a body of zeros that inflates to `inflated` bytes,
    /// compressed as it is sent (a client that stops reading stops the compression).
    GzipBomb { inflated: u64 },
    /// Okta's credential probe (`GET …/Users?startIndex=1&count=2`) answered 200 with an empty
    /// list, every other request 307 to `location` (another origin) plus the request's path.
    RedirectAfterProbe { location: String },
    /// A fixed answer: status, extra header lines, body.
    Fixed {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
}

/// A running hostile server; stops accepting when dropped.
pub struct Hostile {
    pub base_url: String,
    /// Requests received so far.
    pub requests: Arc<AtomicU64>,
    /// The head (request line and headers) of every request received so far.
    pub heads: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Starts a server that answers every request with `behaviour`.
pub fn start(behaviour: Behaviour) -> Hostile {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local addr").port();
    let stop = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicU64::new(0));
    let heads = Arc::new(Mutex::new(Vec::new()));
    let (stop_seen, counted, kept) = (stop.clone(), requests.clone(), heads.clone());
    thread::spawn(move || {
        for stream in listener.incoming() {
            if stop_seen.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let behaviour = behaviour.clone();
            let (counted, kept) = (counted.clone(), kept.clone());
            thread::spawn(move || {
                if let Some(head) = read_request(&stream) {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let behaviour = resolve(behaviour, &head);
                    if let Ok(mut heads) = kept.lock() {
                        heads.push(head);
                    }
                    let _ = answer(stream, &behaviour);
                }
            });
        }
    });
    Hostile {
        base_url: format!("http://127.0.0.1:{port}/scim/v2"),
        requests,
        heads,
        stop,
        port,
    }
}

/// The answer to the request with `head`: [`Behaviour::RedirectAfterProbe`] becomes a fixed one.
fn resolve(behaviour: Behaviour, head: &str) -> Behaviour {
    let Behaviour::RedirectAfterProbe { location } = behaviour else {
        return behaviour;
    };
    let path = head.split(' ').nth(1).unwrap_or("/");
    if path.ends_with("/Users?startIndex=1&count=2") {
        return Behaviour::Fixed {
            status: 200,
            headers: vec![("Content-Type".into(), "application/scim+json".into())],
            body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}"#.into(),
        };
    }
    Behaviour::Fixed {
        status: 307,
        headers: vec![("Location".into(), format!("{location}{path}"))],
        body: String::new(),
    }
}

/// Reads the request head and its body (by Content-Length); returns the head.
fn read_request(stream: &TcpStream) -> Option<String> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0usize;
    for _ in 0..200 {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            let mut body = vec![0u8; length.min(1 << 20)];
            reader.read_exact(&mut body).ok()?;
            return Some(head);
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    None
}

fn answer(mut stream: TcpStream, behaviour: &Behaviour) -> std::io::Result<()> {
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    match behaviour {
        Behaviour::Huge { bytes } => {
            stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nConnection: close\r\n\r\n",
            )?;
            stream.write_all(b"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\"padding\":\"")?;
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0u64;
            while sent < *bytes {
                stream.write_all(&chunk)?;
                sent += chunk.len() as u64;
            }
            stream.write_all(b"\"}")
        }
        Behaviour::GzipBomb { inflated } => {
            stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n",
            )?;
            let mut encoder = GzEncoder::new(stream, Compression::best());
            let zeros = vec![0u8; 1024 * 1024];
            let mut written = 0u64;
            while written < *inflated {
                encoder.write_all(&zeros)?;
                written += zeros.len() as u64;
            }
            encoder.finish().map(|_| ())
        }
        // Resolved to a fixed answer before this is called.
        Behaviour::RedirectAfterProbe { .. } => Ok(()),
        Behaviour::Fixed {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} Hostile\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            stream.write_all(head.as_bytes())?;
            stream.write_all(body.as_bytes())
        }
    }
}

/// The peak resident set (VmHWM, in KiB) of a running process, read from /proc; `None` where
/// /proc is not available or the process is gone.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}
