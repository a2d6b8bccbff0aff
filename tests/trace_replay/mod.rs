//! A replay HTTP server for the Jaeger and Tempo client tests: one axum fallback handler that
//! records every request (path and decoded query) and answers through a closure that follows
//! the server's documented API, serving the recorded fixtures.

#![allow(dead_code)]

use signalscope::sources::HttpClient;
use signalscope::workspace::{Connection, ConnectionId};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub type Query = BTreeMap<String, String>;

/// What the replay server answers: status, content type, body.
pub type Answer = (u16, &'static str, Vec<u8>);

pub struct Replay {
    pub url: String,
    requests: Arc<Mutex<Vec<(String, Query)>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Replay {
    pub fn start(answer: impl Fn(&str, &Query) -> Answer + Send + Sync + 'static) -> Self {
        use axum::http::{StatusCode, Uri, header::CONTENT_TYPE};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let answer = Arc::new(answer);
        let app = axum::Router::new().fallback(move |uri: Uri| {
            let (log, answer) = (Arc::clone(&log), Arc::clone(&answer));
            async move {
                let query: Query =
                    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                        .into_owned()
                        .collect();
                let path = uri.path().to_owned();
                let (status, content_type, body) = answer(&path, &query);
                log.lock().expect("log").push((path, query));
                (
                    StatusCode::from_u16(status).expect("status"),
                    [(CONTENT_TYPE, content_type)],
                    body,
                )
            }
        });
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}"),
            requests,
            _runtime: runtime,
        }
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<(String, Query)> {
        self.requests.lock().expect("log").clone()
    }

    /// The paths requested so far, in order.
    pub fn paths(&self) -> Vec<String> {
        self.requests().into_iter().map(|(p, _)| p).collect()
    }

    pub fn http(&self) -> HttpClient {
        client_for(&self.url)
    }
}

pub fn client_for(url: &str) -> HttpClient {
    client_with_timeout(url, 5)
}

pub fn client_with_timeout(url: &str, seconds: u64) -> HttpClient {
    let mut conn = Connection::prometheus(ConnectionId(1), "traces", url);
    conn.timeout_secs = seconds;
    HttpClient::new(&conn).expect("client")
}

/// A server that answers every request with `answer`, but only after `delay`: slower than a
/// client's timeout, it must end in a timeout error.
pub fn slow_server(delay: std::time::Duration, answer: Vec<u8>) -> Replay {
    Replay::start(move |_, _| {
        std::thread::sleep(delay);
        (200, JSON, answer.clone())
    })
}

pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(path),
    )
    .unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub const JSON: &str = "application/json";
pub const TEXT: &str = "text/plain; charset=utf-8";

/// What Go's net/http answers for a route it does not have.
pub fn go_not_found() -> Answer {
    (404, TEXT, b"404 page not found\n".to_vec())
}

/// A port nothing listens on.
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

pub fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}
