//! The local HTTP server, with the bounds a public intake needs and
//! `axum::serve` does not set: a client must send its request head within
//! `header_read` (which also ends a kept-alive connection that stays idle
//! that long), and a request must be answered within `body_read`, however
//! slowly its body trickles in (408 otherwise); at most `max_connections`
//! connections are served at once (more wait in the kernel's backlog); and a
//! stopping server waits at most `shutdown_grace` for open requests.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Service;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// How long clients may take, and how many may be served at once.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub header_read: Duration,
    pub body_read: Duration,
    pub max_connections: usize,
    pub shutdown_grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open
/// requests finish for at most `bounds.shutdown_grace`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    bounds: Bounds,
    shutdown: impl Future<Output = ()>,
) {
    // The body as a whole (a client sending a byte a minute is cut off too);
    // applications already being stored are finished all the same.
    let router = router
        .layer(RequestBodyTimeoutLayer::new(bounds.body_read))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            bounds.body_read,
        ));
    let permits = Arc::new(Semaphore::new(bounds.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => permit,
            () = &mut shutdown => break,
        };
        let Ok(permit) = permit else { break };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, then go on.
                    tracing::warn!(error = %error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let mut router = router.clone();
            async move { Ok::<_, Infallible>(router.call(request).await.unwrap_or_else(|e| match e {})) }
        });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(bounds.header_read);
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    if tokio::time::timeout(bounds.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_seconds = bounds.shutdown_grace.as_secs(),
            "stopped with requests still open"
        );
    }
}
