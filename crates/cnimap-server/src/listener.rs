//! The connection layer under the router: what nginx does with `client_header_timeout`,
//! `keepalive_timeout` and `worker_connections`. A client that sends half a request header and
//! waits is dropped after [`Limits::header_read_timeout`]; a kept-alive connection that sends
//! nothing more is dropped after the same time (hyper starts the header clock when it begins
//! waiting for the next request); at most [`Limits::max_connections`] connections are open at
//! once, and one over the bound is answered 503 and closed at once, so slow clients cannot use up
//! the process's file descriptors and lock everyone else out.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Connection limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time allowed for a whole request header, and for a kept-alive connection to start its next
    /// request.
    pub header_read_timeout: Duration,
    /// Open connections at once.
    pub max_connections: usize,
    /// After shutdown is asked for, how long requests in flight may take to finish.
    pub drain: Duration,
}

impl Default for Limits {
    /// 15 s for a header or an idle keep-alive, 4,096 connections (the process may open 20,000
    /// files here), 10 s to drain.
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(15),
            max_connections: 4096,
            drain: Duration::from_secs(10),
        }
    }
}

const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 1\r\ncontent-type: application/json\r\ncontent-length: 68\r\n\r\n{\"error\":\"overloaded\",\"message\":\"too many connections; try again\"}\n";

/// Serves `app` on `listener` under `limits` until `shutdown` completes, then lets requests in
/// flight finish (up to `limits.drain`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors or a connection reset before accept: keep going.
                    tracing::warn!(%e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, max = limits.max_connections, "connection refused: too many open");
            // Best effort: the 503 fits one segment; the socket closes when dropped.
            let _ = stream.try_write(BUSY);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, %e, "connection closed with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections finished"),
        () = tokio::time::sleep(limits.drain) => tracing::warn!("drain time over; closing the rest"),
    }
    Ok(())
}
