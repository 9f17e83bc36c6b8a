//! The connection layer under the router: what nginx does with `client_header_timeout`,
//! `keepalive_timeout` and `worker_connections`. A client that sends half a request header and
//! waits is dropped after [`Limits::header_read_timeout`]; a kept-alive connection that sends
//! nothing more is dropped after the same time (hyper starts the header clock when it begins
//! waiting for the next request); at most [`Limits::max_connections`] connections are open at
//! once, and one over the bound is answered 503 and closed at once, so slow clients cannot use up
//! the process's file descriptors and lock everyone else out.
//!
//! A [`Front`] may answer some requests before the router ([`serve_with_front`]): the cached
//! tiles, which are most of the traffic. Such an answer skips the router's per-request work
//! (boxing the request and response bodies, the extensions it inserts, cloning the matched
//! service, its boxed future); everything else goes to the router as before.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, Response, Uri};
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::util::Oneshot;
use tower::ServiceExt;

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

/// Requests answered in front of the router, from what is at hand (no waiting, no body read).
pub trait Front: Clone + Send + Sync + 'static {
    /// The whole answer to a request (an empty body for none), or `None` to let the router
    /// answer it.
    fn answer(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Option<Response<Bytes>>;
}

/// No front: the router answers everything.
#[derive(Debug, Clone, Copy)]
pub struct NoFront;

impl Front for NoFront {
    fn answer(&self, _: &Method, _: &Uri, _: &HeaderMap) -> Option<Response<Bytes>> {
        None
    }
}

/// A response body: bytes answered by the [`Front`], or the router's body.
#[derive(Debug)]
pub enum AnswerBody {
    /// The front's bytes, `None` once sent (or for an empty body).
    Bytes(Option<Bytes>),
    /// The router's body.
    Router(Body),
}

impl Default for AnswerBody {
    /// An empty body.
    fn default() -> Self {
        AnswerBody::Bytes(None)
    }
}

impl hyper::body::Body for AnswerBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        match self.get_mut() {
            AnswerBody::Bytes(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            AnswerBody::Router(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            AnswerBody::Bytes(bytes) => bytes.is_none(),
            AnswerBody::Router(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            AnswerBody::Bytes(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            AnswerBody::Router(body) => body.size_hint(),
        }
    }
}

/// The service of one connection: the front first, then the router.
#[derive(Clone)]
struct FrontThenRouter<F> {
    front: F,
    app: Router,
}

/// Its future: the front's answer at once, or the router's.
enum AnswerFuture {
    Ready(Option<Response<AnswerBody>>),
    Router(Pin<Box<Oneshot<Router, Request<Incoming>>>>),
}

impl Future for AnswerFuture {
    type Output = Result<Response<AnswerBody>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            AnswerFuture::Ready(r) => Poll::Ready(Ok(r.take().unwrap_or_default())),
            AnswerFuture::Router(f) => f
                .as_mut()
                .poll(cx)
                .map(|r| r.map(|r| r.map(AnswerBody::Router))),
        }
    }
}

impl<F: Front> hyper::service::Service<Request<Incoming>> for FrontThenRouter<F> {
    type Response = Response<AnswerBody>;
    type Error = Infallible;
    type Future = AnswerFuture;

    fn call(&self, request: Request<Incoming>) -> AnswerFuture {
        match self
            .front
            .answer(request.method(), request.uri(), request.headers())
        {
            Some(answer) => AnswerFuture::Ready(Some(
                answer.map(|b| AnswerBody::Bytes((!b.is_empty()).then_some(b))),
            )),
            None => AnswerFuture::Router(Box::pin(self.app.clone().oneshot(request))),
        }
    }
}

/// Serves `app` on `listener` under `limits` until `shutdown` completes, then lets requests in
/// flight finish (up to `limits.drain`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    serve_with_front(listener, NoFront, app, limits, shutdown).await
}

/// [`serve`], with `front` answering what it can before `app`.
pub async fn serve_with_front(
    listener: TcpListener,
    front: impl Front,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let service = FrontThenRouter { front, app };
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
        let conn = builder.serve_connection(TokioIo::new(stream), service.clone());
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Answers `GET /front` with `front bytes` and `GET /empty` with 204; nothing else.
    #[derive(Clone)]
    struct Fixed;

    impl Front for Fixed {
        fn answer(&self, method: &Method, uri: &Uri, _: &HeaderMap) -> Option<Response<Bytes>> {
            let status = match (method, uri.path()) {
                (&Method::GET, "/front") => StatusCode::OK,
                (&Method::GET, "/empty") => StatusCode::NO_CONTENT,
                _ => return None,
            };
            let body = if status == StatusCode::OK {
                Bytes::from_static(b"front bytes")
            } else {
                Bytes::new()
            };
            let mut r = Response::new(body);
            *r.status_mut() = status;
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("public"));
            Some(r)
        }
    }

    /// Sends `requests` on one kept-alive connection (the last closes it) and returns all it read.
    async fn exchange(addr: std::net::SocketAddr, requests: &[&str]) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let mut all = String::new();
        for (i, path) in requests.iter().enumerate() {
            let close = if i + 1 == requests.len() {
                "Connection: close\r\n"
            } else {
                ""
            };
            let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\n{close}\r\n");
            s.write_all(req.as_bytes()).await.expect("write");
        }
        tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut all))
            .await
            .expect("answered")
            .expect("read");
        all
    }

    #[tokio::test]
    async fn the_front_answers_what_it_knows_and_the_router_the_rest_on_one_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let app = Router::new().route("/", get(|| async { "from the router" }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_with_front(
            listener,
            Fixed,
            app,
            Limits::default(),
            async {
                let _ = stopped.await;
            },
        ));
        let out = exchange(addr, &["/front", "/", "/empty", "/front"]).await;
        let answers: Vec<&str> = out.split("HTTP/1.1 ").skip(1).collect();
        assert_eq!(answers.len(), 4, "{out}");
        for i in [0, 3] {
            assert!(answers[i].starts_with("200 OK"), "{}", answers[i]);
            assert!(
                answers[i].contains("cache-control: public\r\n"),
                "{}",
                answers[i]
            );
            assert!(
                answers[i].contains("content-length: 11\r\n"),
                "{}",
                answers[i]
            );
            assert!(
                answers[i].ends_with("\r\n\r\nfront bytes"),
                "{}",
                answers[i]
            );
        }
        assert!(answers[1].starts_with("200 OK") && answers[1].ends_with("from the router"));
        assert!(answers[2].starts_with("204 No Content"), "{}", answers[2]);
        assert!(!answers[2].contains("content-length"), "{}", answers[2]);
        let _ = stop.send(());
        server.await.expect("joined").expect("served");
    }
}
