//! The Jaeger client against replay servers that follow Jaeger's documented HTTP APIs and
//! serve the recorded fixtures: API v3, a legacy-only server (no /api/v3 routes), errors,
//! truncated bodies and a dead server.

mod trace_replay;

use signalscope::fetch::Progress;
use signalscope::model::{SpanStatus, TraceId};
use signalscope::sources::SourceError;
use signalscope::sources::jaeger::{ApiVersion, JaegerClient, TRACE_NOT_FOUND, TraceSearch};
use trace_replay::{JSON, Query, Replay, block_on, dead_url, fixture, go_not_found};

const V3_TRACE: &str = "00000000000000000000000000000001";
const LEGACY_TRACE: &str = "83a9efd15c1c98a977e0711cc93ee28b";
const TRUNCATED_TRACE: &str = "000000000000000000000000000000aa";

fn v3_server() -> Replay {
    Replay::start(|path, q: &Query| {
        match path {
        "/api/v3/services" => (200, JSON, fixture("jaeger/apiv3/GetServices.json")),
        "/api/v3/operations" if q.get("service").is_some() => {
            (200, JSON, fixture("jaeger/apiv3/GetOperations.json"))
        }
        "/api/v3/traces" if q.get("query.service_name").map(String::as_str) == Some("bad") => (
            400,
            JSON,
            br#"{"error":{"httpCode":400,"httpStatus":"Bad Request","message":"start time min and max are required"}}"#
                .to_vec(),
        ),
        "/api/v3/traces" if q.contains_key("query.service_name") => {
            (200, JSON, fixture("jaeger/apiv3/FindTraces.json"))
        }
        "/api/v3/trace-summaries" => (200, JSON, fixture("jaeger/apiv3/FindTraceSummaries.json")),
        p if p == format!("/api/v3/traces/{V3_TRACE}") => {
            (200, JSON, fixture("jaeger/apiv3/GetTrace.json"))
        }
        p if p == format!("/api/v3/traces/{TRUNCATED_TRACE}") => {
            let body = fixture("jaeger/apiv3/GetTrace.json");
            (200, JSON, body[..body.len() / 2].to_vec())
        }
        p if p.starts_with("/api/v3/traces/") => (
            404,
            JSON,
            br#"{"error":{"httpCode":404,"httpStatus":"Not Found","message":"trace not found"}}"#
                .to_vec(),
        ),
        _ => go_not_found(),
    }
    })
}

fn legacy_server() -> Replay {
    Replay::start(|path, q: &Query| {
        match path {
        "/api/services" => (
            200,
            JSON,
            br#"{"data":["telemetrygen","frontend"],"total":2,"limit":0,"offset":0,"errors":null}"#
                .to_vec(),
        ),
        "/api/services/telemetrygen/operations" => (
            200,
            JSON,
            br#"{"data":["okey-dokey-0"],"total":1,"limit":0,"offset":0,"errors":null}"#.to_vec(),
        ),
        "/api/traces" if q.get("service").map(String::as_str) == Some("telemetrygen") => {
            (200, JSON, fixture("jaeger/api-legacy/otlp2jaeger-out.json"))
        }
        "/api/traces" => (
            400,
            JSON,
            br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":400,"msg":"parameter 'service' is required"}]}"#
                .to_vec(),
        ),
        p if p == format!("/api/traces/{LEGACY_TRACE}") => {
            (200, JSON, fixture("jaeger/api-legacy/otlp2jaeger-out.json"))
        }
        p if p.starts_with("/api/traces/") => (
            404,
            JSON,
            br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#
                .to_vec(),
        ),
        _ => go_not_found(),
    }
    })
}

fn search() -> TraceSearch {
    TraceSearch {
        service: "telemetrygen".into(),
        operation: Some("okey-dokey-0".into()),
        tags: vec![("http.status_code".into(), "500".into())],
        min_duration_ns: Some(10_000_000),
        max_duration_ns: Some(2_500_000_000),
        limit: 20,
        start_ns: 1_795_506_784_000_000_000,
        end_ns: 1_795_507_084_500_000_000,
    }
}

fn id(hex: &str) -> TraceId {
    TraceId::parse(hex).expect("id")
}

#[test]
fn v3_services_operations_search_and_trace() {
    let server = v3_server();
    let client = JaegerClient::new(server.http());
    let p = Progress::default();
    block_on(async {
        assert_eq!(client.services(&p).await.expect("services"), vec!["foo"]);
        assert_eq!(client.api_version(), Some(ApiVersion::V3));
        let ops = client
            .operations("foo", Some("server"), &p)
            .await
            .expect("operations");
        assert_eq!(ops[0].name, "get_users");
        assert_eq!(ops[0].span_kind.as_deref(), Some("server"));

        let found = client.search(&search(), &p).await.expect("search");
        let span = &found.traces[0].spans[0];
        assert_eq!((span.name.as_str(), span.kind), ("foobar", 2));
        assert_eq!(span.status, SpanStatus::Error);

        let summaries = client.search_summaries(&search(), &p).await.expect("sums");
        assert_eq!(summaries.len(), 1);
        assert_eq!(summaries[0].root_service, "frontend");
        assert_eq!(summaries[0].root_name, "HTTP GET /");
        assert_eq!((summaries[0].span_count, summaries[0].error_count), (2, 1));
        assert_eq!(summaries[0].duration_ns, 1_000_000_000);

        let trace = client.trace(id(V3_TRACE), &p).await.expect("trace");
        assert_eq!(trace.traces[0].trace_id.to_string(), V3_TRACE);
        assert_eq!(trace.span_count(), 1);
    });
    let requests = server.requests();
    let (_, ops) = &requests[1];
    assert_eq!(ops.get("service").map(String::as_str), Some("foo"));
    assert_eq!(ops.get("span_kind").map(String::as_str), Some("server"));
    let (path, q) = &requests[2];
    assert_eq!(path, "/api/v3/traces");
    let expect = [
        ("query.service_name", "telemetrygen"),
        ("query.operation_name", "okey-dokey-0"),
        ("query.attributes", r#"{"http.status_code":"500"}"#),
        ("query.start_time_min", "2026-11-24T07:53:04Z"),
        ("query.start_time_max", "2026-11-24T07:58:04.500Z"),
        ("query.duration_min", "10ms"),
        ("query.duration_max", "2500ms"),
        ("query.search_depth", "20"),
    ];
    for (key, value) in expect {
        assert_eq!(q.get(key).map(String::as_str), Some(value), "{key}");
    }
    assert_eq!(requests[3].0, "/api/v3/trace-summaries");
    assert!(server.paths().iter().all(|p| p.starts_with("/api/v3/")));
}

#[test]
fn v3_errors_are_typed() {
    let server = v3_server();
    let client = JaegerClient::new(server.http());
    let p = Progress::default();
    block_on(async {
        let mut bad = search();
        bad.service = "bad".into();
        match client.search(&bad, &p).await {
            Err(SourceError::Query { message, .. }) => {
                assert_eq!(message, "start time min and max are required")
            }
            other => panic!("{other:?}"),
        }
        match client
            .trace(id("0000000000000000000000000000ffff"), &p)
            .await
        {
            Err(SourceError::Query { error_type, .. }) => assert_eq!(error_type, TRACE_NOT_FOUND),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            client.api_version(),
            Some(ApiVersion::V3),
            "no fallback on a v3 404"
        );
        match client.trace(id(TRUNCATED_TRACE), &p).await {
            Err(SourceError::Decode { line, .. }) => assert!(line >= 1),
            other => panic!("{other:?}"),
        }
    });
    assert!(!server.paths().iter().any(|p| p.starts_with("/api/traces")));
}

#[test]
fn legacy_server_is_used_after_v3_answers_404_and_remembered() {
    let server = legacy_server();
    let client = JaegerClient::new(server.http());
    let p = Progress::default();
    block_on(async {
        let services = client.services(&p).await.expect("services");
        assert_eq!(services, vec!["frontend", "telemetrygen"]);
        assert_eq!(client.api_version(), Some(ApiVersion::Legacy));
        let ops = client
            .operations("telemetrygen", None, &p)
            .await
            .expect("ops");
        assert_eq!(ops[0].name, "okey-dokey-0");
        assert_eq!(ops[0].span_kind, None);

        let found = client.search(&search(), &p).await.expect("search");
        assert_eq!(found.span_count(), 2);
        let span = &found.traces[0].spans[0];
        assert_eq!(span.name, "okey-dokey-0");
        assert_eq!(span.kind, 2, "span.kind=server tag");
        assert_eq!(span.service, "telemetrygen");

        // Summaries fall back to summarising the search.
        let summaries = client.search_summaries(&search(), &p).await.expect("sums");
        assert_eq!(summaries[0].trace_id.to_string(), LEGACY_TRACE);
        assert_eq!(summaries[0].span_count, 2);

        let trace = client.trace(id(LEGACY_TRACE), &p).await.expect("trace");
        assert_eq!(trace.traces[0].trace_id.to_string(), LEGACY_TRACE);
        match client
            .trace(id("0000000000000000000000000000ffff"), &p)
            .await
        {
            Err(SourceError::Query { error_type, .. }) => assert_eq!(error_type, TRACE_NOT_FOUND),
            other => panic!("{other:?}"),
        }
        let mut no_service = search();
        no_service.service = String::new();
        match client.search(&no_service, &p).await {
            Err(SourceError::Query { message, .. }) => {
                assert_eq!(message, "parameter 'service' is required")
            }
            other => panic!("{other:?}"),
        }
    });
    let paths = server.paths();
    // Only the first call tried v3; everything after went straight to the legacy API.
    assert_eq!(
        paths.iter().filter(|p| p.starts_with("/api/v3/")).count(),
        1
    );
    let (_, q) = server
        .requests()
        .into_iter()
        .find(|(p, _)| p == "/api/traces")
        .expect("search request");
    let expect = [
        ("service", "telemetrygen"),
        ("operation", "okey-dokey-0"),
        ("tags", r#"{"http.status_code":"500"}"#),
        ("minDuration", "10ms"),
        ("maxDuration", "2500ms"),
        ("limit", "20"),
        ("start", "1795506784000000"),
        ("end", "1795507084500000"),
    ];
    for (key, value) in expect {
        assert_eq!(q.get(key).map(String::as_str), Some(value), "{key}");
    }
}

#[test]
fn dead_server_is_unreachable() {
    let client = JaegerClient::new(trace_replay::client_for(&dead_url()));
    let result = block_on(client.services(&Progress::default()));
    assert!(
        matches!(result, Err(SourceError::Unreachable { .. })),
        "{result:?}"
    );
}

#[test]
fn a_server_slower_than_the_timeout_is_a_timeout_error() {
    let slow = trace_replay::slow_server(
        std::time::Duration::from_secs(3),
        fixture("jaeger/apiv3/GetTrace.json"),
    );
    let client = JaegerClient::new(trace_replay::client_with_timeout(&slow.url, 1));
    let result = block_on(client.trace(id(V3_TRACE), &Progress::default()));
    assert!(
        matches!(result, Err(SourceError::Timeout { .. })),
        "{result:?}"
    );
}
