//! Starting and stopping the receiver: both listeners are bound synchronously in
//! [`Receiver::start`] so their status is known at once (and a port already taken is a
//! status for the UI, not a panic), then each server runs as a task on the given runtime
//! until [`Receiver::shutdown`] or drop.

use super::{ReceiverConfig, ReceiverStats, grpc, http_router};
use crate::store::TelemetrySink;
use std::fmt;
use std::future::{Future, IntoFuture as _};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// After a stop is requested, in-flight requests get this long before connections are cut.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// The two OTLP transports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    Http,
    Grpc,
}

impl Transport {
    pub fn name(self) -> &'static str {
        match self {
            Self::Http => "OTLP/HTTP",
            Self::Grpc => "OTLP/gRPC",
        }
    }
}

/// Whether a listener is up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenerStatus {
    /// Accepting connections on this address (the real port when 0 was asked for).
    Listening(SocketAddr),
    /// Could not bind `addr`; `error` says why in words a user understands.
    Failed { addr: SocketAddr, error: String },
}

impl ListenerStatus {
    /// The bound address, when listening.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        match self {
            Self::Listening(addr) => Some(*addr),
            Self::Failed { .. } => None,
        }
    }

    pub fn is_listening(&self) -> bool {
        matches!(self, Self::Listening(_))
    }

    /// One line for the UI, e.g. "OTLP/HTTP on 127.0.0.1:4318: address in use".
    pub fn describe(&self, transport: Transport) -> String {
        match self {
            Self::Listening(addr) => format!("{} listening on {addr}", transport.name()),
            Self::Failed { addr, error } => format!("{} on {addr}: {error}", transport.name()),
        }
    }
}

/// The running receiver. Dropping it (or [`Receiver::shutdown`]) stops both servers.
pub struct Receiver {
    http: ListenerStatus,
    grpc: ListenerStatus,
    stats: Arc<ReceiverStats>,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Receiver")
            .field("http", &self.http)
            .field("grpc", &self.grpc)
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// Binds both listeners and starts serving on `handle`'s runtime. A listener that cannot
    /// bind is reported in its [`ListenerStatus`]; the other one runs regardless.
    pub fn start(
        config: ReceiverConfig,
        sink: Arc<dyn TelemetrySink>,
        handle: &Handle,
    ) -> Receiver {
        let ReceiverConfig {
            http_addr,
            grpc_addr,
            max_body_bytes,
        } = config;
        let stats = Arc::new(ReceiverStats::new());
        let (stop, stopped) = watch::channel(false);
        let mut servers = Vec::new();

        let http = match bind(http_addr, handle) {
            Ok((listener, local_addr)) => {
                let router = http_router(Arc::clone(&sink), Arc::clone(&stats), max_body_bytes);
                let stop_requested = stop_requested(stopped.clone());
                servers.push(
                    handle.spawn(serve_until_stopped(
                        Transport::Http,
                        axum::serve(listener, router)
                            .with_graceful_shutdown(stop_requested)
                            .into_future(),
                        stopped.clone(),
                    )),
                );
                ListenerStatus::Listening(local_addr)
            }
            Err(error) => ListenerStatus::Failed {
                addr: http_addr,
                error,
            },
        };

        let grpc = match bind(grpc_addr, handle) {
            Ok((listener, local_addr)) => {
                let stop_requested = stop_requested(stopped.clone());
                servers.push(handle.spawn(serve_until_stopped(
                    Transport::Grpc,
                    grpc::serve(
                        listener,
                        sink,
                        Arc::clone(&stats),
                        max_body_bytes,
                        stop_requested,
                    ),
                    stopped,
                )));
                ListenerStatus::Listening(local_addr)
            }
            Err(error) => ListenerStatus::Failed {
                addr: grpc_addr,
                error,
            },
        };

        for (transport, status) in [(Transport::Http, &http), (Transport::Grpc, &grpc)] {
            match status {
                ListenerStatus::Listening(_) => tracing::info!("{}", status.describe(transport)),
                ListenerStatus::Failed { .. } => tracing::warn!("{}", status.describe(transport)),
            }
        }

        Receiver {
            http,
            grpc,
            stats,
            stop,
            servers,
        }
    }

    pub fn status(&self, transport: Transport) -> &ListenerStatus {
        match transport {
            Transport::Http => &self.http,
            Transport::Grpc => &self.grpc,
        }
    }

    pub fn http_status(&self) -> &ListenerStatus {
        &self.http
    }

    pub fn grpc_status(&self) -> &ListenerStatus {
        &self.grpc
    }

    /// The live counters; keep the `Arc` to read them after the receiver is gone.
    pub fn stats(&self) -> &Arc<ReceiverStats> {
        &self.stats
    }

    /// Stops accepting, lets in-flight requests finish (at most a couple of seconds) and waits
    /// until both listening sockets are closed.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        for server in std::mem::take(&mut self.servers) {
            // A server task that panicked has stopped too; nothing more to do.
            let _ = server.await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // The server tasks see this (or the sender going away) and stop on their own.
        self.stop.send_replace(true);
    }
}

/// Binds with std (synchronously, so the result is known now) and hands the socket to tokio.
fn bind(
    addr: SocketAddr,
    handle: &Handle,
) -> Result<(tokio::net::TcpListener, SocketAddr), String> {
    let listener = std::net::TcpListener::bind(addr).map_err(|error| bind_error_text(&error))?;
    let local_addr = listener
        .local_addr()
        .map_err(|error| bind_error_text(&error))?;
    listener
        .set_nonblocking(true)
        .map_err(|error| bind_error_text(&error))?;
    let _runtime = handle.enter();
    let listener =
        tokio::net::TcpListener::from_std(listener).map_err(|error| bind_error_text(&error))?;
    Ok((listener, local_addr))
}

/// Short, user-facing wording for the usual bind failures.
fn bind_error_text(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::AddrInUse => {
            "address in use (another OTLP receiver or collector may be running)".to_owned()
        }
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::AddrNotAvailable => "address not available on this machine".to_owned(),
        _ => error.to_string(),
    }
}

/// Completes when a stop is requested or the [`Receiver`] is gone.
async fn stop_requested(mut stopped: watch::Receiver<bool>) {
    // An error means the sender was dropped: stop as well.
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// Runs a server (which shuts down gracefully on its own stop signal) and cuts it off if it is
/// still draining connections `SHUTDOWN_GRACE` after the stop.
async fn serve_until_stopped<E: fmt::Display>(
    transport: Transport,
    server: impl Future<Output = Result<(), E>>,
    stopped: watch::Receiver<bool>,
) {
    let deadline = async {
        stop_requested(stopped).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => {
            if let Err(error) = result {
                tracing::warn!("{} server stopped: {error}", transport.name());
            }
        }
        () = deadline => {
            tracing::info!("{} server stopped with connections still open", transport.name());
        }
    }
}
