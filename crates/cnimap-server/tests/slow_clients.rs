//! The connection layer under hostile clients, on loopback with a tiny router (no data needed):
//! clients that send half a header and wait are dropped, a real request is answered while
//! hundreds of them wait, kept-alive idle connections are closed, and connections over the bound
//! get a 503 and are closed at once.

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use cnimap_server::listener::{serve, Limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: Duration = Duration::from_millis(800);

async fn start(max_connections: usize) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    let app = Router::new().route("/", get(|| async { "ok" }));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let limits = Limits {
        header_read_timeout: HEADER_TIMEOUT,
        max_connections,
        drain: Duration::from_secs(1),
    };
    tokio::spawn(async move {
        serve(listener, app, limits, async {
            let _ = stopped.await;
        })
        .await
        .expect("serve");
    });
    (addr, stop)
}

/// Sends half a request header and keeps the socket.
async fn slow_client(addr: std::net::SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("write half a header");
    s
}

/// Whether the server has closed the connection (EOF or reset) within `wait`.
async fn closed_within(s: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 256];
    match tokio::time::timeout(wait, s.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) => {
            // hyper may answer 408 before closing; the close follows.
            matches!(
                tokio::time::timeout(wait, s.read(&mut buf)).await,
                Ok(Ok(0)) | Ok(Err(_))
            )
        }
        Err(_) => false,
    }
}

async fn real_request(addr: std::net::SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut out = String::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut out))
        .await
        .expect("answered within 5 s")
        .expect("read");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_dropped_and_a_real_request_is_answered_while_they_wait() {
    let (addr, _stop) = start(2_000).await;
    let mut slow = Vec::new();
    for _ in 0..500 {
        slow.push(slow_client(addr).await);
    }
    let answer = real_request(addr).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");
    // Every slow client is dropped soon after the header timeout.
    let t = Instant::now();
    let mut dropped = 0;
    for s in &mut slow {
        if closed_within(s, HEADER_TIMEOUT * 4).await {
            dropped += 1;
        }
    }
    assert_eq!(
        dropped,
        slow.len(),
        "slow clients still held after {:?}",
        t.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_that_goes_quiet_is_closed() {
    let (addr, _stop) = start(100).await;
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = vec![0u8; 1024];
    let n = s.read(&mut buf).await.expect("response");
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // Still open for a moment (keep-alive), closed once it has been idle past the timeout.
    assert!(
        !closed_within(&mut s, HEADER_TIMEOUT / 4).await,
        "closed too early"
    );
    assert!(
        closed_within(&mut s, HEADER_TIMEOUT * 4).await,
        "idle connection kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_bound_get_503_and_are_closed() {
    let (addr, _stop) = start(20).await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(slow_client(addr).await);
    }
    // Let the server accept them all.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut extra = TcpStream::connect(addr).await.expect("connect");
    let mut out = String::new();
    tokio::time::timeout(Duration::from_secs(5), extra.read_to_string(&mut out))
        .await
        .expect("refused at once")
        .expect("read");
    assert!(out.starts_with("HTTP/1.1 503"), "{out:?}");
    // Once the slow ones are dropped, a real request gets through again.
    for s in &mut held {
        assert!(closed_within(s, HEADER_TIMEOUT * 4).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(real_request(addr).await.starts_with("HTTP/1.1 200"));
}
