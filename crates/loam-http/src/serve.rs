//! How connections are served: our own accept loop on hyper, so that a slow or idle client cannot
//! hold the server.
//!
//! - At most `max_connections` connections are served at once; beyond that the loop stops
//!   accepting, so new connections wait in the kernel's listen backlog (bounded) until one ends.
//! - A request head must arrive whole within `header_timeout`; hyper starts that clock whenever a
//!   connection waits for a head, so it also closes a keep-alive connection left idle that long.
//! - A request body must keep making progress: every `body_timeout` at least [`BODY_PROGRESS`]
//!   bytes (or its end) must arrive, whatever its size, so a 64 MB upload on a slow link is fine
//!   and a stalled or trickling one is cut off with a 408. A response must keep moving too: a
//!   client that reads none of it for `body_timeout` is disconnected.
//! - A response to a request whose body was left unread (a 413, a 401 before the body, a 408)
//!   says `Connection: close`, so the client never sends its next request after a half-read body;
//!   and the connection then lingers a little, reading and dropping what the client still sends,
//!   so a client that writes its whole body before it reads (httpx, requests) gets the answer
//!   instead of a broken pipe.
//! - Every request carries `ConnectInfo<SocketAddr>`, the client's address (behind a trusted
//!   reverse proxy, the one it names: `forwarded.rs`).
//! - On shutdown the loop stops accepting, idle connections close, in-flight requests finish.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncRead;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

use crate::error::ApiError;
use crate::forwarded::TrustedProxies;

/// How long a connection closing after a body was left unread keeps reading and dropping what
/// the client still sends, at most, and how long without data it waits.
const LINGER_MAX: Duration = Duration::from_secs(5);
const LINGER_IDLE: Duration = Duration::from_secs(1);

/// The least a request body must deliver within each `body_timeout` (unless it ends first).
pub const BODY_PROGRESS: usize = 1024;

/// Limits on how connections are served.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// How long a request head may take to arrive, and how long an idle keep-alive connection
    /// waits for its next request.
    pub header_timeout: Duration,
    /// How long a request body may go without delivering [`BODY_PROGRESS`] bytes.
    pub body_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (the sign-in throttle's address).
    pub trusted_proxies: TrustedProxies,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_connections: 512,
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// Connections the kernel holds for us, handshake done, until the loop accepts them: bursts and
/// the connections beyond `max_connections` wait here (the system's `somaxconn` may lower it).
pub const LISTEN_BACKLOG: u32 = 1024;

/// Listens on `addr` (`host:port`; port 0 picks a free one) with a backlog of [`LISTEN_BACKLOG`]
/// (the standard library's 128 overflows in a burst, and clients then wait a second to retry).
pub async fn bind(addr: &str) -> std::io::Result<TcpListener> {
    let mut last = None;
    for addr in tokio::net::lookup_host(addr).await? {
        let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
        // As std does on Unix: a restarted server may bind while old connections linger.
        #[cfg(unix)]
        socket.set_reuseaddr(true)?;
        match socket.bind(addr).and_then(|()| socket.listen(LISTEN_BACKLOG)) {
            Ok(listener) => return Ok(listener),
            Err(err) => last = Some(err),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address to bind")))
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let max = config.max_connections.clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let slots = Arc::new(Semaphore::new(max));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(config.header_timeout).keep_alive(true);
    let builder = Arc::new(builder);
    let trusted = Arc::new(config.trusted_proxies);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(it) => it,
                Err(err) if is_connection_error(&err) => continue,
                Err(err) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                        () = &mut shutdown => break,
                    }
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let builder = Arc::clone(&builder);
        let mut stop = stop_rx.clone();
        let body_timeout = config.body_timeout;
        let trusted = Arc::clone(&trusted);
        tokio::spawn(async move {
            let linger = Arc::new(AtomicBool::new(false));
            let io = ConnIo {
                inner: stream,
                linger: Arc::clone(&linger),
                closing: None,
                write_timeout: body_timeout,
                write_stall: None,
            };
            let service = hyper::service::service_fn(move |req| {
                let client = trusted.client(remote, req.headers());
                handle(app.clone(), client, body_timeout, Arc::clone(&linger), req)
            });
            let conn = builder.serve_connection(TokioIo::new(io), service);
            let mut conn = std::pin::pin!(conn);
            let stopping = async move {
                let _ = stop.wait_for(|stop| *stop).await;
            };
            let res = tokio::select! {
                res = conn.as_mut() => res,
                () = stopping => {
                    conn.as_mut().graceful_shutdown();
                    conn.as_mut().await
                }
            };
            if let Err(err) = res {
                tracing::debug!(%remote, error = %err, "connection closed");
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection gives its slot back when it ends.
    let _ = slots.acquire_many(max as u32).await;
    Ok(())
}

/// Errors of one connection that say nothing about the listener.
fn is_connection_error(err: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(err.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}

/// One request: the client's address in, the body watched, the connection closed after a response
/// that left the body unread.
async fn handle(
    app: Router,
    remote: SocketAddr,
    body_timeout: Duration,
    linger: Arc<AtomicBool>,
    req: Request<Incoming>,
) -> Result<Response, Infallible> {
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(ConnectInfo(remote));
    let watch = Arc::new(BodyWatch::default());
    if body.is_end_stream() {
        watch.ended.store(true, Ordering::Relaxed);
    }
    let body = WatchedBody { inner: body, timeout: body_timeout, sleep: None, progress: 0, watch: Arc::clone(&watch) };
    let req = Request::from_parts(parts, axum::body::Body::new(body));
    let mut res = match app.oneshot(req).await {
        Ok(res) => res,
        Err(never) => match never {},
    };
    if watch.timed_out.load(Ordering::Relaxed) {
        res = ApiError::Detail(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "The request body stalled: less than {BODY_PROGRESS} bytes arrived in {} s",
                body_timeout.as_secs_f64()
            ),
        )
        .into_response();
    }
    if !watch.ended.load(Ordering::Relaxed) {
        res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        linger.store(true, Ordering::Relaxed);
    }
    Ok(res)
}

/// A connection's socket, which lingers when it closes after a body was left unread: having sent
/// its end of stream, it reads and drops what the client still sends until the client's own end,
/// [`LINGER_IDLE`] without data, or [`LINGER_MAX`]. Closing at once would answer those bytes with
/// a reset, and a client still writing its body would see a broken pipe, never the answer.
struct ConnIo {
    inner: tokio::net::TcpStream,
    /// Set by [`handle`] when a body was left unread.
    linger: Arc<AtomicBool>,
    /// While lingering: the deadline and the idle timer.
    closing: Option<(tokio::time::Instant, Pin<Box<tokio::time::Sleep>>)>,
    /// How long a write may wait for the client to read (the body timeout, the other way).
    write_timeout: Duration,
    /// Started when a write finds the client's window full; dropped when a write goes through.
    write_stall: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl ConnIo {
    /// A write's outcome, failed once the client has read nothing for `write_timeout`.
    fn watch_write<T>(&mut self, cx: &mut Context<'_>, res: Poll<std::io::Result<T>>) -> Poll<std::io::Result<T>> {
        if res.is_ready() {
            self.write_stall = None;
            return res;
        }
        let timeout = self.write_timeout;
        let stall = self.write_stall.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if stall.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client read none of the response",
            )));
        }
        Poll::Pending
    }
}

impl tokio::io::AsyncRead for ConnIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for ConnIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let res = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch_write(cx, res)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let res = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch_write(cx, res)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.closing.is_none() {
            std::task::ready!(Pin::new(&mut this.inner).poll_shutdown(cx))?;
            if !this.linger.load(Ordering::Relaxed) {
                return Poll::Ready(Ok(()));
            }
            let now = tokio::time::Instant::now();
            this.closing = Some((now + LINGER_MAX, Box::pin(tokio::time::sleep(LINGER_IDLE))));
        }
        let Some((deadline, idle)) = this.closing.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let mut buf = [0u8; 16 * 1024];
        // A bounded number of reads per poll, so a fast sender cannot hold the worker thread.
        for _ in 0..64 {
            let now = tokio::time::Instant::now();
            if now >= *deadline {
                return Poll::Ready(Ok(()));
            }
            let mut read = tokio::io::ReadBuf::new(&mut buf);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) if read.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => idle.as_mut().reset(now + LINGER_IDLE),
                Poll::Ready(Err(_)) => return Poll::Ready(Ok(())),
                Poll::Pending => {
                    return if idle.as_mut().poll(cx).is_ready() { Poll::Ready(Ok(())) } else { Poll::Pending };
                }
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// What the server learns about a request body while the handler reads it.
#[derive(Default)]
struct BodyWatch {
    /// The body was read to its end.
    ended: AtomicBool,
    /// The body was cut off for want of progress.
    timed_out: AtomicBool,
}

/// A request body that fails once it goes `timeout` without delivering [`BODY_PROGRESS`] bytes.
struct WatchedBody {
    inner: Incoming,
    timeout: Duration,
    /// The deadline of the current window; started at the first read.
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Bytes delivered in the current window.
    progress: usize,
    watch: Arc<BodyWatch>,
}

/// The error a stalled body ends with (mapped to 408 by [`handle`]).
#[derive(Debug, thiserror::Error)]
#[error("request body stalled")]
struct BodyStalled;

impl HttpBody for WatchedBody {
    type Data = axum::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let timeout = this.timeout;
        let sleep = this.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.progress += data.len();
                    if this.progress >= BODY_PROGRESS {
                        this.progress = 0;
                        sleep.as_mut().reset(tokio::time::Instant::now() + timeout);
                    }
                }
                if this.inner.is_end_stream() {
                    this.watch.ended.store(true, Ordering::Relaxed);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(err.into()))),
            Poll::Ready(None) => {
                this.watch.ended.store(true, Ordering::Relaxed);
                Poll::Ready(None)
            }
            Poll::Pending => {
                if sleep.as_mut().poll(cx).is_ready() {
                    this.watch.timed_out.store(true, Ordering::Relaxed);
                    return Poll::Ready(Some(Err(BodyStalled.into())));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::{Read, Write};

    use axum::routing::get;

    use super::*;

    /// Every request carries the client's address, and the loop stops when told to.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_carry_the_client_address() {
        let listener = bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/", get(|ConnectInfo(client): ConnectInfo<SocketAddr>| async move { client.to_string() }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, app, ServeConfig::default(), async move {
            let _ = stopped.await;
        }));
        let (client, body) = tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            let client = stream.local_addr().unwrap();
            stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
            let mut res = String::new();
            stream.read_to_string(&mut res).unwrap();
            (client, res.split_once("\r\n\r\n").unwrap().1.to_owned())
        })
        .await
        .unwrap();
        assert_eq!(body, client.to_string());
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), server).await.unwrap().unwrap().unwrap();
    }

    /// A client that reads none of a response is disconnected after the timeout: the connection
    /// ends and its slot is free, so shutdown does not wait for it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_response_the_client_never_reads_is_cut_off() {
        let listener = bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let big = 64 * 1024 * 1024;
        let app = Router::new().route("/", get(move || async move { vec![b'x'; big] }));
        let config = ServeConfig { body_timeout: Duration::from_secs(1), ..ServeConfig::default() };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, app, config, async move {
            let _ = stopped.await;
        }));
        let stream = tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            stream
        })
        .await
        .unwrap();
        // Not reading; after the timeout the server has let go of the connection, so shutdown
        // (which waits for every connection) is prompt.
        tokio::time::sleep(Duration::from_secs(3)).await;
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(2), server).await.unwrap().unwrap().unwrap();
        // What did arrive is only a part of the response.
        let read = tokio::task::spawn_blocking(move || {
            let mut stream = stream;
            let mut all = Vec::new();
            let _ = stream.read_to_end(&mut all);
            all.len()
        })
        .await
        .unwrap();
        assert!(read < big, "{read} bytes");
    }
}
