//! The receiver refuses bad requests the way the OTLP specification says — 400 with a
//! `google.rpc.Status` saying what was malformed, 413, 415, 405, 429 with `Retry-After`, gRPC
//! `RESOURCE_EXHAUSTED` with `RetryInfo` — never panics, and keeps accepting good requests
//! afterwards. Also: a port already in use is a status, not a crash, and shutdown closes both
//! listeners.
//!
//! The malformed bodies are the shared library's `otlp/malformed/` files
//! (`tests/fixtures/otlp/PROVENANCE.md`).

#[path = "otlp_support.rs"]
mod support;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, KeyValueList, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use prost::Message;
use signalscope::otlp::{ListenerStatus, ReceiverConfig, Transport};
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;
use support::{SinkAnswer, TRACE_EXPORT, TestReceiver, fixture, post, send_raw};

/// `google.rpc.Status`, to read error bodies.
#[derive(Clone, PartialEq, Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<ProtoAny>,
}

#[derive(Clone, PartialEq, Message)]
struct ProtoAny {
    #[prost(string, tag = "1")]
    type_url: String,
    #[prost(bytes = "vec", tag = "2")]
    value: Vec<u8>,
}

/// `google.rpc.RetryInfo` with its `google.protobuf.Duration`.
#[derive(Clone, PartialEq, Message)]
struct RetryInfo {
    #[prost(message, optional, tag = "1")]
    retry_delay: Option<ProtoDuration>,
}

#[derive(Clone, PartialEq, Message)]
struct ProtoDuration {
    #[prost(int64, tag = "1")]
    seconds: i64,
    #[prost(int32, tag = "2")]
    nanos: i32,
}

const PROTOBUF: (&str, &str) = ("Content-Type", "application/x-protobuf");
const JSON: (&str, &str) = ("Content-Type", "application/json");
const GZIP: (&str, &str) = ("Content-Encoding", "gzip");

fn status_of(reply: &support::HttpReply) -> RpcStatus {
    assert_eq!(reply.header("content-type"), Some("application/x-protobuf"));
    RpcStatus::decode(reply.body.as_slice()).expect("a google.rpc.Status body")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("in memory");
    encoder.finish().expect("in memory")
}

#[test]
fn garbage_protobuf_gets_400_with_the_decode_error_and_a_bad_request_detail() {
    let receiver = TestReceiver::start();
    let reply = post(
        receiver.http_addr(),
        "/v1/traces",
        &[PROTOBUF],
        &fixture("malformed/otlp-traces-garbage.pb"),
    );
    assert_eq!(reply.status, 400);
    let status = status_of(&reply);
    assert!(
        status
            .message
            .contains("not a valid protobuf ExportTraceServiceRequest")
            && status.message.contains("failed to decode Protobuf message"),
        "{}",
        status.message
    );
    assert_eq!(status.code, tonic::Code::InvalidArgument as i32);
    assert_eq!(
        status.details[0].type_url,
        "type.googleapis.com/google.rpc.BadRequest"
    );
    assert_eq!(receiver.stats().traces.malformed_requests, 1);
    assert!(receiver.sink.traces().is_empty());
    receiver.assert_still_accepts_requests();
}

#[test]
fn truncated_protobuf_gets_400_saying_the_buffer_ran_out() {
    let receiver = TestReceiver::start();
    let reply = post(
        receiver.http_addr(),
        "/v1/traces",
        &[PROTOBUF],
        &fixture("malformed/otlp-traces-truncated.pb"),
    );
    assert_eq!(reply.status, 400);
    let message = status_of(&reply).message;
    assert!(message.contains("buffer underflow"), "{message}");
    receiver.assert_still_accepts_requests();
}

#[test]
fn truncated_json_gets_a_400_json_status_naming_where_the_text_ends() {
    let receiver = TestReceiver::start();
    let reply = post(
        receiver.http_addr(),
        "/v1/traces",
        &[JSON],
        &fixture("malformed/otlp-traces-truncated.json"),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let status: serde_json::Value = serde_json::from_slice(&reply.body).expect("a JSON Status");
    let message = status["message"].as_str().expect("a message");
    assert!(
        message.contains("not a valid OTLP/JSON ExportTraceServiceRequest")
            && message.contains("EOF while parsing")
            && message.contains("line 1 column 1500"),
        "{message}"
    );
    assert_eq!(
        status["details"][0]["@type"],
        "type.googleapis.com/google.rpc.BadRequest"
    );
    receiver.assert_still_accepts_requests();
}

#[test]
fn truncated_gzip_gets_400_saying_it_could_not_be_decompressed() {
    let receiver = TestReceiver::start();
    let reply = post(
        receiver.http_addr(),
        "/v1/traces",
        &[PROTOBUF, GZIP],
        &fixture("malformed/otlp-traces-gzip-truncated.pb.gz"),
    );
    assert_eq!(reply.status, 400);
    let message = status_of(&reply).message;
    assert!(
        message.contains("gzip") && message.contains("decompress"),
        "{message}"
    );
    receiver.assert_still_accepts_requests();
}

#[test]
fn gzip_header_on_an_uncompressed_body_gets_400() {
    let receiver = TestReceiver::start();
    let reply = post(
        receiver.http_addr(),
        "/v1/logs",
        &[PROTOBUF, GZIP],
        &fixture("recorded/http-protobuf/logs-frontend.pb"),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(receiver.stats().logs.malformed_requests, 1);
    receiver.assert_still_accepts_requests();
}

fn small_limit_receiver(limit: usize) -> TestReceiver {
    TestReceiver::start_with(ReceiverConfig {
        max_body_bytes: limit,
        ..ReceiverConfig::on_free_loopback_ports()
    })
}

#[test]
fn a_declared_length_over_the_limit_gets_413_before_any_body_is_sent() {
    let receiver = small_limit_receiver(64 * 1024);
    let addr = receiver.http_addr();
    // Only the head: the answer must not wait for a body that never comes.
    let head = format!(
        "POST /v1/traces HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-protobuf\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        64 * 1024 + 1
    );
    let reply = send_raw(addr, head.as_bytes());
    assert_eq!(reply.status, 413);
    let message = status_of(&reply).message;
    assert!(
        message.contains("larger than the receiver's limit of 65536 bytes"),
        "{message}"
    );
    assert_eq!(receiver.stats().traces.oversized_requests, 1);
    receiver.assert_still_accepts_requests();
}

#[test]
fn a_chunked_body_growing_over_the_limit_gets_413_while_it_is_read() {
    let receiver = small_limit_receiver(64 * 1024);
    let addr = receiver.http_addr();
    let mut request = format!(
        "POST /v1/traces HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-protobuf\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    let chunk = vec![0x0a_u8; 16 * 1024];
    for _ in 0..5 {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(&chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let reply = send_raw(addr, &request);
    assert_eq!(reply.status, 413);
    assert_eq!(receiver.stats().traces.oversized_requests, 1);
    receiver.assert_still_accepts_requests();
}

#[test]
fn a_gzip_bomb_gets_413_without_being_inflated() {
    let limit = 1024 * 1024;
    let receiver = small_limit_receiver(limit);
    // 16 MiB of zeros in about 16 KiB.
    let bomb = gzip(&vec![0u8; 16 * 1024 * 1024]);
    assert!(bomb.len() < limit / 8, "{} bytes", bomb.len());
    let reply = post(
        receiver.http_addr(),
        "/v1/metrics",
        &[PROTOBUF, GZIP],
        &bomb,
    );
    assert_eq!(reply.status, 413);
    let message = status_of(&reply).message;
    assert!(
        message.contains("decompressed request body is larger"),
        "{message}"
    );
    assert_eq!(receiver.stats().metrics.oversized_requests, 1);
    receiver.assert_still_accepts_requests();
}

#[test]
fn unsupported_content_types_and_encodings_get_415() {
    let receiver = TestReceiver::start();
    let body = fixture("recorded/http-protobuf/traces-frontend.pb");
    let cases: [&[(&str, &str)]; 4] = [
        &[("Content-Type", "text/plain")],
        &[("Content-Type", "application/grpc")],
        &[],
        &[PROTOBUF, ("Content-Encoding", "br")],
    ];
    for headers in cases {
        let reply = post(receiver.http_addr(), "/v1/traces", headers, &body);
        assert_eq!(reply.status, 415, "{headers:?}");
        let message = status_of(&reply).message;
        assert!(message.contains("unsupported Content-"), "{message}");
    }
    assert_eq!(receiver.stats().traces.malformed_requests, 4);
    assert!(receiver.sink.traces().is_empty());
    receiver.assert_still_accepts_requests();
}

#[test]
fn wrong_methods_get_405_and_unknown_paths_404() {
    let receiver = TestReceiver::start();
    let addr = receiver.http_addr();
    for method in ["GET", "PUT", "DELETE"] {
        let request =
            format!("{method} /v1/traces HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        let reply = send_raw(addr, request.as_bytes());
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("allow"), Some("POST"));
    }
    let reply = post(addr, "/v1/profiles", &[PROTOBUF], b"");
    assert_eq!(reply.status, 404);
    receiver.assert_still_accepts_requests();
}

#[test]
fn an_over_budget_store_gets_429_with_retry_after_in_both_encodings() {
    let receiver = TestReceiver::start();
    receiver
        .sink
        .answer_with(SinkAnswer::OverBudget(Duration::from_millis(2500)));
    let reply = post(
        receiver.http_addr(),
        "/v1/traces",
        &[PROTOBUF],
        &fixture("recorded/http-protobuf/traces-payment.pb"),
    );
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("retry-after"), Some("3"));
    let status = status_of(&reply);
    assert!(
        status.message.contains("over its memory budget"),
        "{}",
        status.message
    );
    assert_eq!(
        status.details[0].type_url,
        "type.googleapis.com/google.rpc.RetryInfo"
    );
    let retry = RetryInfo::decode(status.details[0].value.as_slice()).expect("RetryInfo");
    assert_eq!(
        retry.retry_delay,
        Some(ProtoDuration {
            seconds: 2,
            nanos: 500_000_000
        })
    );

    let reply = post(
        receiver.http_addr(),
        "/v1/logs",
        &[JSON],
        &fixture("recorded/http-json/logs-payment.json"),
    );
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("retry-after"), Some("3"));
    let status: serde_json::Value = serde_json::from_slice(&reply.body).expect("JSON Status");
    assert_eq!(status["details"][0]["retryDelay"], "2.5s");

    let stats = receiver.stats();
    assert_eq!(stats.traces.over_budget_refusals, 1);
    assert_eq!(stats.logs.over_budget_refusals, 1);
    assert_eq!(stats.traces.items_received, 0);

    receiver.sink.answer_with(SinkAnswer::AcceptAll);
    receiver.assert_still_accepts_requests();
}

#[test]
fn an_over_budget_store_over_grpc_is_resource_exhausted_with_retry_info() {
    let receiver = TestReceiver::start();
    receiver
        .sink
        .answer_with(SinkAnswer::OverBudget(Duration::from_secs(5)));
    let status = receiver
        .grpc_call(
            TRACE_EXPORT,
            fixture("recorded/grpc/traces-payment.pb"),
            false,
        )
        .expect_err("refused");
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    assert!(status.message().contains("retry"), "{}", status.message());
    assert_eq!(
        status
            .metadata()
            .get("grpc-retry-pushback-ms")
            .and_then(|value| value.to_str().ok()),
        Some("5000")
    );
    let details = RpcStatus::decode(status.details()).expect("google.rpc.Status details");
    assert_eq!(
        details.details[0].type_url,
        "type.googleapis.com/google.rpc.RetryInfo"
    );
    let retry = RetryInfo::decode(details.details[0].value.as_slice()).expect("RetryInfo");
    assert_eq!(retry.retry_delay.map(|delay| delay.seconds), Some(5));
    assert_eq!(receiver.stats().traces.over_budget_refusals, 1);
    assert_eq!(receiver.stats().traces.malformed_requests, 0);
}

#[test]
fn garbage_and_truncated_messages_over_grpc_are_refused_and_counted() {
    let receiver = TestReceiver::start();
    for file in ["otlp-traces-garbage.pb", "otlp-traces-truncated.pb"] {
        let status = receiver
            .grpc_call(TRACE_EXPORT, fixture(&format!("malformed/{file}")), false)
            .expect_err("refused");
        // tonic's codec says INTERNAL; the receiver answers what OTLP recommends.
        assert_eq!(
            status.code(),
            tonic::Code::InvalidArgument,
            "{file}: {status:?}"
        );
        assert!(
            status
                .message()
                .contains("failed to decode Protobuf message"),
            "{}",
            status.message()
        );
    }
    let stats = receiver.stats();
    assert_eq!(stats.traces.malformed_requests, 2);
    assert_eq!(stats.traces.requests, 2);
    receiver
        .grpc_call(
            TRACE_EXPORT,
            fixture("recorded/grpc/traces-frontend.pb"),
            true,
        )
        .expect("a good message after bad ones");
    assert_eq!(receiver.sink.traces().len(), 1);
}

#[test]
fn a_grpc_message_over_the_limit_is_resource_exhausted() {
    // 2,176 bytes, about 1,190 gzip-compressed: too large either way once decompressed.
    let receiver = small_limit_receiver(1500);
    let message = fixture("recorded/grpc/traces-checkout.pb");
    assert!(message.len() > 1500);
    let status = receiver
        .grpc_call(TRACE_EXPORT, message, false)
        .expect_err("too large");
    // tonic's codec says OUT_OF_RANGE, which OTLP clients would retry; this must not be.
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    assert!(
        status.message().contains("too large"),
        "{}",
        status.message()
    );
    assert!(status.details().is_empty(), "no RetryInfo: not retryable");
    assert_eq!(receiver.stats().traces.oversized_requests, 1);
    // Compressed or not, the limit holds for the decompressed message.
    let status = receiver
        .grpc_call(
            TRACE_EXPORT,
            fixture("recorded/grpc/traces-checkout.pb"),
            true,
        )
        .expect_err("too large once decompressed");
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    assert!(
        status.message().contains("while decompressing"),
        "{}",
        status.message()
    );
    assert_eq!(receiver.stats().traces.oversized_requests, 2);
    assert!(receiver.sink.traces().is_empty());
}

#[test]
fn deeply_nested_attributes_get_400_not_a_stack_overflow() {
    let receiver = TestReceiver::start();
    let mut value = AnyValue {
        value: Some(any_value::Value::StringValue("bottom".into())),
    };
    for _ in 0..500 {
        value = AnyValue {
            value: Some(any_value::Value::KvlistValue(KeyValueList {
                values: vec![KeyValue {
                    key: "k".into(),
                    value: Some(value),
                    key_strindex: 0,
                }],
            })),
        };
    }
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![KeyValue {
                    key: "deep".into(),
                    value: Some(value),
                    key_strindex: 0,
                }],
                ..Resource::default()
            }),
            ..ResourceSpans::default()
        }],
    };
    let reply = post(
        receiver.http_addr(),
        "/v1/traces",
        &[PROTOBUF],
        &request.encode_to_vec(),
    );
    assert_eq!(reply.status, 400);
    let message = status_of(&reply).message;
    assert!(message.contains("recursion limit"), "{message}");

    let json = format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{}"#,
        r#"{"key":"k","value":{"kvlistValue":{"values":["#.repeat(10_000)
    );
    let reply = post(receiver.http_addr(), "/v1/traces", &[JSON], json.as_bytes());
    assert_eq!(reply.status, 400);
    receiver.assert_still_accepts_requests();
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

#[test]
fn corrupted_recorded_bodies_get_200_or_400_and_never_break_the_receiver() {
    let receiver = TestReceiver::start();
    let originals = [
        (
            "/v1/traces",
            PROTOBUF,
            None,
            fixture("recorded/http-protobuf/traces-payment.pb"),
        ),
        (
            "/v1/metrics",
            PROTOBUF,
            None,
            fixture("recorded/http-protobuf/metrics-cumulative-1.pb"),
        ),
        (
            "/v1/logs",
            JSON,
            None,
            fixture("recorded/http-json/logs-payment.json"),
        ),
        (
            "/v1/metrics",
            JSON,
            None,
            fixture("recorded/http-json/metrics-cumulative-1.json"),
        ),
        (
            "/v1/traces",
            PROTOBUF,
            Some(GZIP),
            fixture("recorded/http-protobuf-gzip/traces-checkout.pb.gz"),
        ),
    ];
    let mut rng = Rng(0x5eed_f00d);
    let mut statuses = std::collections::BTreeMap::new();
    for round in 0..400 {
        let (path, content_type, encoding, original) = &originals[round % originals.len()];
        let mut body = original.clone();
        match rng.below(3) {
            0 => body.truncate(rng.below(body.len())),
            1 => {
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(body.len());
                    body[at] ^= 1 << rng.below(8);
                }
            }
            _ => {
                let at = rng.below(body.len());
                let junk: Vec<u8> = (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect();
                body.splice(at..at, junk);
            }
        }
        let mut headers = vec![*content_type];
        headers.extend(encoding.iter().copied());
        let reply = post(receiver.http_addr(), path, &headers, &body);
        assert!(
            reply.status == 200 || reply.status == 400,
            "round {round}: {path} got {reply:?}"
        );
        *statuses.entry(reply.status).or_insert(0) += 1;
    }
    // Both outcomes occur: some corruptions still decode (e.g. a flipped bit in a string).
    assert!(statuses.len() == 2, "{statuses:?}");
    let stats = receiver.stats().total();
    assert_eq!(stats.requests, 400);
    assert_eq!(stats.malformed_requests, statuses[&400]);
    receiver.assert_still_accepts_requests();
}

#[test]
fn a_port_in_use_is_a_failed_status_while_the_other_listener_works() {
    let occupied = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a port");
    let taken = occupied.local_addr().expect("its address");

    let receiver = TestReceiver::start_with(ReceiverConfig {
        http_addr: taken,
        ..ReceiverConfig::on_free_loopback_ports()
    });
    let status = receiver.receiver.status(Transport::Http);
    match status {
        ListenerStatus::Failed { addr, error } => {
            assert_eq!(*addr, taken);
            assert!(error.starts_with("address in use"), "{error}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(
        status.describe(Transport::Http),
        format!(
            "OTLP/HTTP on {taken}: address in use (another OTLP receiver or collector may be running)"
        )
    );
    assert!(receiver.receiver.grpc_status().is_listening());
    receiver
        .grpc_call(
            TRACE_EXPORT,
            fixture("recorded/grpc/traces-frontend.pb"),
            false,
        )
        .expect("gRPC works while HTTP could not bind");

    let receiver = TestReceiver::start_with(ReceiverConfig {
        grpc_addr: taken,
        ..ReceiverConfig::on_free_loopback_ports()
    });
    assert!(!receiver.receiver.grpc_status().is_listening());
    assert_eq!(receiver.receiver.grpc_status().local_addr(), None);
    receiver.assert_still_accepts_requests();
}

#[test]
fn shutdown_closes_both_listeners() {
    let receiver = TestReceiver::start();
    let addrs: [SocketAddr; 2] = [receiver.http_addr(), receiver.grpc_addr()];
    receiver.assert_still_accepts_requests();
    let TestReceiver {
        receiver: running,
        runtime,
        ..
    } = receiver;
    runtime.block_on(running.shutdown());
    for addr in addrs {
        let error = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
            .expect_err("nothing listens any more");
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::ConnectionRefused,
            "{addr}"
        );
    }
}

#[test]
fn dropping_the_receiver_stops_both_listeners() {
    let receiver = TestReceiver::start();
    let addrs: [SocketAddr; 2] = [receiver.http_addr(), receiver.grpc_addr()];
    let TestReceiver {
        receiver: running,
        runtime,
        ..
    } = receiver;
    drop(running);
    // The servers stop on their own tasks; give them a moment.
    for addr in addrs {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            assert!(
                std::time::Instant::now() < deadline,
                "{addr} still accepts connections"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    drop(runtime);
}
