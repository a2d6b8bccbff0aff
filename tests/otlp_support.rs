//! Shared by the `otlp_*` integration tests, which include it with
//! `#[path = "otlp_support.rs"] mod support;`: a sink that records what the receiver hands it
//! and answers as told, a receiver on free loopback ports with its own runtime, a small
//! blocking HTTP/1.1 client that can also send what well-behaved clients never send, a raw
//! gRPC client that sends recorded message bytes unchanged, and the copied fixtures
//! (`tests/fixtures/otlp/PROVENANCE.md`).
//!
//! Cargo also builds this file as a test target of its own; it has no tests.
#![allow(dead_code)]

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::bytes::{Buf as _, BufMut as _};
use signalscope::otlp::{Receiver, ReceiverConfig, ReceiverStatsSnapshot};
use signalscope::store::{AppendOutcome, OverBudget, TelemetrySink};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tonic::codec::{Codec, CompressionEncoding, DecodeBuf, Decoder, EncodeBuf, Encoder};

pub const TRACE_ID: &str = "bdd640fb06671ad11c80317fa3b1799d";
pub const LINKED_TRACE_ID: &str = "b74d0fb132e706298fadc1a606cb0fb3";

// ---------------------------------------------------------------------------------------------
// The recording sink

/// How the [`RecordingSink`] answers the next requests.
#[derive(Clone, Debug, PartialEq)]
pub enum SinkAnswer {
    AcceptAll,
    /// Accept the request but report `rejected` items refused, with this message.
    Reject {
        rejected: u64,
        message: Option<String>,
    },
    OverBudget(Duration),
}

/// Keeps every request it accepts.
pub struct RecordingSink {
    traces: Mutex<Vec<ExportTraceServiceRequest>>,
    logs: Mutex<Vec<ExportLogsServiceRequest>>,
    metrics: Mutex<Vec<ExportMetricsServiceRequest>>,
    answer: Mutex<SinkAnswer>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl RecordingSink {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            traces: Mutex::default(),
            logs: Mutex::default(),
            metrics: Mutex::default(),
            answer: Mutex::new(SinkAnswer::AcceptAll),
        })
    }

    pub fn answer_with(&self, answer: SinkAnswer) {
        *lock(&self.answer) = answer;
    }

    pub fn traces(&self) -> Vec<ExportTraceServiceRequest> {
        lock(&self.traces).clone()
    }

    pub fn logs(&self) -> Vec<ExportLogsServiceRequest> {
        lock(&self.logs).clone()
    }

    pub fn metrics(&self) -> Vec<ExportMetricsServiceRequest> {
        lock(&self.metrics).clone()
    }

    /// Every span received, in arrival order.
    pub fn spans(&self) -> Vec<Span> {
        self.traces()
            .into_iter()
            .flat_map(|request| request.resource_spans)
            .flat_map(|resource| resource.scope_spans)
            .flat_map(|scope| scope.spans)
            .collect()
    }

    pub fn request_count(&self) -> usize {
        lock(&self.traces).len() + lock(&self.logs).len() + lock(&self.metrics).len()
    }

    fn answer<T>(
        &self,
        store: &Mutex<Vec<T>>,
        request: T,
        items: u64,
    ) -> Result<AppendOutcome, OverBudget> {
        match lock(&self.answer).clone() {
            SinkAnswer::AcceptAll => {
                lock(store).push(request);
                Ok(AppendOutcome {
                    accepted: items,
                    rejected: 0,
                    message: None,
                })
            }
            SinkAnswer::Reject { rejected, message } => {
                lock(store).push(request);
                Ok(AppendOutcome {
                    accepted: items.saturating_sub(rejected),
                    rejected,
                    message,
                })
            }
            SinkAnswer::OverBudget(retry_after) => Err(OverBudget { retry_after }),
        }
    }
}

impl TelemetrySink for RecordingSink {
    fn append_traces(
        &self,
        request: ExportTraceServiceRequest,
    ) -> Result<AppendOutcome, OverBudget> {
        let spans = request
            .resource_spans
            .iter()
            .flat_map(|resource| &resource.scope_spans)
            .map(|scope| scope.spans.len() as u64)
            .sum();
        self.answer(&self.traces, request, spans)
    }

    fn append_logs(&self, request: ExportLogsServiceRequest) -> Result<AppendOutcome, OverBudget> {
        let records = request
            .resource_logs
            .iter()
            .flat_map(|resource| &resource.scope_logs)
            .map(|scope| scope.log_records.len() as u64)
            .sum();
        self.answer(&self.logs, request, records)
    }

    fn append_metrics(
        &self,
        request: ExportMetricsServiceRequest,
    ) -> Result<AppendOutcome, OverBudget> {
        use opentelemetry_proto::tonic::metrics::v1::metric::Data;
        let points = request
            .resource_metrics
            .iter()
            .flat_map(|resource| &resource.scope_metrics)
            .flat_map(|scope| &scope.metrics)
            .map(|metric| match &metric.data {
                Some(Data::Gauge(gauge)) => gauge.data_points.len(),
                Some(Data::Sum(sum)) => sum.data_points.len(),
                Some(Data::Histogram(histogram)) => histogram.data_points.len(),
                Some(Data::ExponentialHistogram(histogram)) => histogram.data_points.len(),
                Some(Data::Summary(summary)) => summary.data_points.len(),
                None => 0,
            } as u64)
            .sum();
        self.answer(&self.metrics, request, points)
    }
}

// ---------------------------------------------------------------------------------------------
// A receiver under test

/// A receiver on free loopback ports, its own runtime and its recording sink. Dropping it
/// stops the receiver before the runtime.
pub struct TestReceiver {
    pub receiver: Receiver,
    pub sink: Arc<RecordingSink>,
    pub runtime: tokio::runtime::Runtime,
}

impl TestReceiver {
    pub fn start() -> Self {
        Self::start_with(ReceiverConfig::on_free_loopback_ports())
    }

    pub fn start_with(config: ReceiverConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let sink = RecordingSink::new();
        let receiver = Receiver::start(config, sink.clone(), runtime.handle());
        Self {
            receiver,
            sink,
            runtime,
        }
    }

    pub fn http_addr(&self) -> SocketAddr {
        self.receiver
            .http_status()
            .local_addr()
            .unwrap_or_else(|| panic!("HTTP listener: {:?}", self.receiver.http_status()))
    }

    pub fn grpc_addr(&self) -> SocketAddr {
        self.receiver
            .grpc_status()
            .local_addr()
            .unwrap_or_else(|| panic!("gRPC listener: {:?}", self.receiver.grpc_status()))
    }

    pub fn stats(&self) -> ReceiverStatsSnapshot {
        self.receiver.stats().snapshot()
    }

    /// POSTs a recorded body with its recorded headers.
    pub fn replay(&self, recorded: &RecordedHttp) -> HttpReply {
        let mut headers = vec![("Content-Type", recorded.content_type.as_str())];
        if let Some(encoding) = &recorded.content_encoding {
            headers.push(("Content-Encoding", encoding.as_str()));
        }
        post(self.http_addr(), &recorded.path, &headers, &recorded.body)
    }

    /// Sends `message` unchanged as the request of a unary gRPC call to `method`.
    pub fn grpc_call(
        &self,
        method: &str,
        message: Vec<u8>,
        gzip: bool,
    ) -> Result<Vec<u8>, tonic::Status> {
        self.runtime
            .block_on(grpc_call(self.grpc_addr(), method, message, gzip))
    }

    /// Sends one good trace request and asserts it is accepted: the receiver still works.
    pub fn assert_still_accepts_requests(&self) {
        let before = self.sink.traces().len();
        let reply = post(
            self.http_addr(),
            "/v1/traces",
            &[("Content-Type", "application/x-protobuf")],
            &fixture("recorded/http-protobuf/traces-frontend.pb"),
        );
        assert_eq!(
            reply.status, 200,
            "a good request after a bad one: {reply:?}"
        );
        assert_eq!(self.sink.traces().len(), before + 1);
    }
}

// ---------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 client

/// A response as it came off the wire.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// POSTs `body` with a correct `Content-Length`.
pub fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpReply {
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    send_raw(addr, &request)
}

/// Writes `request` as is (write errors are ignored: the server may answer and close before
/// reading everything) and reads the response until the server closes the connection.
pub fn send_raw(addr: SocketAddr, request: &[u8]) -> HttpReply {
    let mut stream = TcpStream::connect(addr).expect("connect to the receiver");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("set a read timeout");
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    if let Err(error) = stream.read_to_end(&mut response) {
        assert!(
            !response.is_empty(),
            "no response before the connection failed: {error}"
        );
    }
    parse_response(&response)
}

fn parse_response(response: &[u8]) -> HttpReply {
    let head_end = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "no response head in {:?}",
                String::from_utf8_lossy(response)
            )
        });
    let head = String::from_utf8_lossy(&response[..head_end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let reply = HttpReply {
        status,
        headers,
        body: response[head_end + 4..].to_vec(),
    };
    assert_ne!(
        reply.header("transfer-encoding"),
        Some("chunked"),
        "this client does not decode chunked responses"
    );
    reply
}

// ---------------------------------------------------------------------------------------------
// A raw gRPC client

/// Passes message bytes through unchanged in both directions.
#[derive(Clone, Copy, Default)]
struct RawCodec;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> RawCodec {
        RawCodec
    }

    fn decoder(&mut self) -> RawCodec {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(&mut self, item: Vec<u8>, buffer: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        buffer.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn decode(&mut self, buffer: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
        let mut message = vec![0; buffer.remaining()];
        buffer.copy_to_slice(&mut message);
        Ok(Some(message))
    }
}

pub const TRACE_EXPORT: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
pub const LOGS_EXPORT: &str = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
pub const METRICS_EXPORT: &str = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

pub async fn grpc_call(
    addr: SocketAddr,
    method: &str,
    message: Vec<u8>,
    gzip: bool,
) -> Result<Vec<u8>, tonic::Status> {
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
        .expect("a valid URI")
        .connect()
        .await
        .expect("connect to the gRPC listener");
    let mut client = tonic::client::Grpc::new(channel);
    if gzip {
        client = client.send_compressed(CompressionEncoding::Gzip);
    }
    client.ready().await.expect("the channel becomes ready");
    let path: tonic::codegen::http::uri::PathAndQuery =
        method.parse().expect("a valid gRPC method path");
    client
        .unary(tonic::Request::new(message), path, RawCodec)
        .await
        .map(tonic::Response::into_inner)
}

// ---------------------------------------------------------------------------------------------
// Fixtures

pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/otlp")
}

/// A file under `tests/fixtures/otlp/`.
pub fn fixture(relative: &str) -> Vec<u8> {
    let path = fixture_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A recorded OTLP/HTTP request: the body and what its `.headers.json` says.
#[derive(Clone, Debug)]
pub struct RecordedHttp {
    /// e.g. `http-json/traces-frontend`.
    pub name: String,
    pub path: String,
    pub content_type: String,
    pub content_encoding: Option<String>,
    pub body: Vec<u8>,
}

/// Every recorded request of `recorded/<folder>/`, sorted by name.
pub fn recorded_http(folder: &str) -> Vec<RecordedHttp> {
    let dir = fixture_dir().join("recorded").join(folder);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".headers.json").map(str::to_owned))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let meta: serde_json::Value =
                serde_json::from_slice(&fixture(&format!("recorded/{folder}/{name}.headers.json")))
                    .expect("headers.json is JSON");
            let header = |wanted: &str| {
                meta["headers"].as_object().and_then(|headers| {
                    headers
                        .iter()
                        .find(|(key, _)| key.eq_ignore_ascii_case(wanted))
                        .and_then(|(_, value)| value.as_str().map(str::to_owned))
                })
            };
            let body_file = meta["body_file"].as_str().expect("body_file");
            RecordedHttp {
                name: format!("{folder}/{name}"),
                path: meta["path"].as_str().expect("path").to_owned(),
                content_type: header("content-type").expect("a Content-Type"),
                content_encoding: header("content-encoding"),
                body: fixture(&format!("recorded/{folder}/{body_file}")),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reading OTLP values

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The value of attribute `key`.
pub fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a any_value::Value> {
    attributes
        .iter()
        .find(|attribute| attribute.key == key)
        .and_then(|attribute| attribute.value.as_ref())
        .and_then(|value: &AnyValue| value.value.as_ref())
}

pub fn string_attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    match attribute(attributes, key) {
        Some(any_value::Value::StringValue(text)) => Some(text),
        _ => None,
    }
}
