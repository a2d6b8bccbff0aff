//! The Tempo client against a replay server that follows Tempo's documented HTTP API and
//! serves the fixtures written from it: traces by id (v2 and v1, hex and base64 ids), TraceQL
//! search, tags and tag values (v2 and v1), plain-text errors, truncated bodies, a dead server.

mod trace_replay;

use signalscope::fetch::Progress;
use signalscope::model::{AttrValue, SpanStatus};
use signalscope::sources::SourceError;
use signalscope::sources::tempo::{TRACE_NOT_FOUND, TempoClient, TraceQlSearch};
use trace_replay::{JSON, Query, Replay, TEXT, block_on, dead_url, fixture, go_not_found};

const STORY: &str = "bdd640fb06671ad11c80317fa3b1799d";
const STORY_BASE64: &str = "vdZA+wZnGtEcgDF/o7F5nQ==";
const CONSUMER: &str = "b74d0fb132e706298fadc1a606cb0fb3";
const PARTIAL: &str = "000000000000000000000000000000bb";
const TRUNCATED: &str = "000000000000000000000000000000aa";

/// A current Tempo: v2 and v1 routes.
fn tempo(with_v2: bool) -> Replay {
    Replay::start(move |path, q: &Query| {
        let v2 = |p: &str| with_v2 && path == p;
        match path {
            _ if v2(&format!("/api/v2/traces/{STORY}")) => {
                (200, JSON, fixture("tempo/trace-v2.json"))
            }
            _ if v2(&format!("/api/v2/traces/{CONSUMER}")) => {
                (200, JSON, fixture("tempo/trace-v2-linked-consumer.json"))
            }
            _ if v2(&format!("/api/v2/traces/{PARTIAL}")) => {
                let mut body = fixture("tempo/trace-v2-linked-consumer.json");
                body.pop();
                body.extend_from_slice(br#","status":"PARTIAL","message":"2 of 5 blocks failed"}"#);
                (200, JSON, body)
            }
            _ if v2(&format!("/api/v2/traces/{TRUNCATED}")) => {
                let body = fixture("tempo/trace-v2.json");
                (200, JSON, body[..body.len() / 3].to_vec())
            }
            p if p == format!("/api/traces/{STORY}") => {
                (200, JSON, fixture("tempo/trace-v1-batches.json"))
            }
            p if p.starts_with("/api/traces/") || (with_v2 && p.starts_with("/api/v2/traces/")) => {
                (404, TEXT, fixture("tempo/error-404-trace-not-found.txt"))
            }
            "/api/search" => match q.get("q").map(String::as_str) {
                Some("{ status = error }") => {
                    (200, JSON, fixture("tempo/search-traceql-status-error.json"))
                }
                Some("{ name = \"nothing\" }") => (200, JSON, fixture("tempo/search-empty.json")),
                _ => (400, TEXT, fixture("tempo/error-400-invalid-traceql.txt")),
            },
            "/api/v2/search/tags" if with_v2 => (200, JSON, fixture("tempo/search-tags-v2.json")),
            "/api/search/tags" => (200, JSON, fixture("tempo/search-tags-v1.json")),
            "/api/v2/search/tag/resource.service.name/values" if with_v2 => (
                200,
                JSON,
                fixture("tempo/search-tag-resource.service.name-values-v2.json"),
            ),
            "/api/v2/search/tag/span.http.response.status_code/values" if with_v2 => (
                200,
                JSON,
                fixture("tempo/search-tag-span.http.response.status_code-values-v2.json"),
            ),
            "/api/search/tag/service.name/values" => (
                200,
                JSON,
                fixture("tempo/search-tag-service.name-values-v1.json"),
            ),
            _ => go_not_found(),
        }
    })
}

#[test]
fn story_trace_by_hex_and_base64_id_over_v2() {
    let server = tempo(true);
    let client = TempoClient::new(server.http());
    let p = Progress::default();
    for id in [STORY, STORY_BASE64, "BDD640FB06671AD11C80317FA3B1799D"] {
        let fetched = block_on(client.trace(id, &p)).expect("trace");
        assert_eq!(fetched.partial, None);
        let trace = &fetched.decoded.traces[0];
        assert_eq!(trace.trace_id.to_string(), STORY);
        assert_eq!(trace.spans.len(), 10);
        assert_eq!(
            trace
                .spans
                .iter()
                .filter(|s| s.status == SpanStatus::Error)
                .count(),
            6
        );
        let roots: Vec<_> = trace.spans.iter().filter(|s| s.parent.is_none()).collect();
        assert_eq!(roots.len(), 1);
        assert_eq!(
            (roots[0].name.as_str(), roots[0].kind),
            ("GET /checkout", 2)
        );
        assert_eq!(roots[0].service, "frontend");

        let charge = trace
            .spans
            .iter()
            .find(|s| s.name == "charge card")
            .expect("charge card");
        assert_eq!(charge.service, "payment");
        assert_eq!(charge.status_message, "card declined");
        assert_eq!(charge.events[0].name, "exception");
        assert_eq!(
            charge.events[0]
                .attributes
                .iter()
                .find(|(k, _)| k == "payment.decline_code")
                .map(|(_, v)| v),
            Some(&AttrValue::Str("51".into()))
        );
        // charge card → POST /api/charge → POST (checkout's client call) → POST /api/checkout.
        let parent = &trace.spans[charge.parent.expect("parent") as usize];
        assert_eq!(parent.name, "POST /api/charge");
        let grandparent = &trace.spans[parent.parent.expect("parent") as usize];
        assert_eq!(grandparent.span_id.to_string(), "0822e8f36c031199");
        assert_eq!(
            trace.spans[grandparent.parent.expect("parent") as usize].name,
            "POST /api/checkout"
        );
    }
    assert!(
        server
            .paths()
            .iter()
            .all(|p| p == &format!("/api/v2/traces/{STORY}"))
    );
}

#[test]
fn linked_consumer_trace_links_back_to_the_story() {
    let server = tempo(true);
    let client = TempoClient::new(server.http());
    let fetched = block_on(client.trace(CONSUMER, &Progress::default())).expect("trace");
    let span = &fetched.decoded.traces[0].spans[0];
    assert_eq!(span.name, "order.created process");
    assert_eq!(span.kind, 5, "SPAN_KIND_CONSUMER");
    assert_eq!(span.links.len(), 1);
    assert_eq!(span.links[0].trace_id.to_string(), STORY);
    assert_eq!(span.links[0].span_id.to_string(), "972a846916419f82");
    assert_eq!(
        span.links[0].attributes[1],
        (
            "link.reason".to_owned(),
            AttrValue::Str("consumed-message".into())
        )
    );
    assert!(
        span.resource
            .iter()
            .any(|(k, v)| k == "service.namespace" && *v == AttrValue::Str("shop".into()))
    );
}

#[test]
fn partial_trace_says_so() {
    let server = tempo(true);
    let client = TempoClient::new(server.http());
    let fetched = block_on(client.trace(PARTIAL, &Progress::default())).expect("trace");
    assert_eq!(fetched.partial.as_deref(), Some("2 of 5 blocks failed"));
}

#[test]
fn v1_batches_are_used_when_v2_is_missing() {
    let server = tempo(false);
    let client = TempoClient::new(server.http());
    let fetched = block_on(client.trace(STORY_BASE64, &Progress::default())).expect("trace");
    assert_eq!(fetched.decoded.traces[0].spans.len(), 10);
    assert_eq!(
        server.paths(),
        vec![
            format!("/api/v2/traces/{STORY}"),
            format!("/api/traces/{STORY}")
        ]
    );
}

#[test]
fn errors_are_typed_with_tempos_words() {
    let server = tempo(true);
    let client = TempoClient::new(server.http());
    let p = Progress::default();
    block_on(async {
        match client.trace("0000000000000000000000000000ffff", &p).await {
            Err(SourceError::Query { error_type, .. }) => assert_eq!(error_type, TRACE_NOT_FOUND),
            other => panic!("{other:?}"),
        }
        match client.trace("not-a-trace-id", &p).await {
            Err(SourceError::Query { message, .. }) => assert!(message.contains("not-a-trace-id")),
            other => panic!("{other:?}"),
        }
        match client.trace(TRUNCATED, &p).await {
            Err(SourceError::Decode { line, .. }) => assert!(line >= 1),
            other => panic!("{other:?}"),
        }
        let bad = TraceQlSearch {
            query: "{ status = }".into(),
            start_s: 0,
            end_s: 0,
            limit: 20,
            spans_per_span_set: None,
        };
        match client.search(&bad, &p).await {
            Err(SourceError::Query {
                error_type,
                message,
                ..
            }) => {
                assert_eq!(error_type, "invalid TraceQL query");
                assert_eq!(
                    message,
                    "invalid TraceQL query: parse error at line 1, col 10: syntax error: unexpected IDENTIFIER"
                );
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn traceql_search_reads_summaries_and_span_sets() {
    let server = tempo(true);
    let client = TempoClient::new(server.http());
    let search = TraceQlSearch {
        query: "{ status = error }".into(),
        start_s: 1_795_506_784,
        end_s: 1_795_507_084,
        limit: 20,
        spans_per_span_set: Some(3),
    };
    let found = block_on(client.search(&search, &Progress::default())).expect("search");
    assert_eq!(found.traces.len(), 2);
    assert_eq!(found.inspected_traces, 4210);
    assert_eq!(found.inspected_bytes, 2_872_011);
    let story = &found.traces[0];
    assert_eq!(story.summary.trace_id.to_string(), STORY);
    assert_eq!(story.summary.root_service, "frontend");
    assert_eq!(story.summary.root_name, "GET /checkout");
    assert_eq!(story.summary.start_ns, 1_795_507_024_241_106_085);
    assert_eq!(story.summary.duration_ns, 51_000_000);
    assert_eq!(
        (story.summary.span_count, story.summary.error_count),
        (10, 6)
    );
    assert_eq!(story.matched_spans(), 6);
    assert_eq!(story.span_sets[0].spans.len(), 3);
    assert_eq!(
        story.span_sets[0].spans[2]
            .span_id
            .map(|s| s.to_string())
            .as_deref(),
        Some("bd9c66b3ad3c2d6d")
    );
    assert_eq!(
        story.span_sets[0].spans[0].attributes[0].1,
        AttrValue::Str("error".into())
    );
    let partial = &found.traces[1];
    assert!(!partial.root_received);
    assert_eq!(partial.summary.root_service, "");
    assert_eq!(
        partial.summary.trace_id.to_string(),
        "07e2b1c5a4d3f60918273a4b5c6d7e8f",
        "Tempo drops leading zeros"
    );
    let (_, q) = &server.requests()[0];
    for (key, value) in [
        ("q", "{ status = error }"),
        ("start", "1795506784"),
        ("end", "1795507084"),
        ("limit", "20"),
        ("spss", "3"),
    ] {
        assert_eq!(q.get(key).map(String::as_str), Some(value), "{key}");
    }

    let empty = TraceQlSearch {
        query: "{ name = \"nothing\" }".into(),
        ..search
    };
    let none = block_on(client.search(&empty, &Progress::default())).expect("search");
    assert!(none.traces.is_empty());
}

#[test]
fn tags_and_values_from_v2_and_v1() {
    let p = Progress::default();
    let v2 = tempo(true);
    let client = TempoClient::new(v2.http());
    block_on(async {
        let scopes = client.tags(Some("resource"), &p).await.expect("tags");
        let names: Vec<&str> = scopes.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["resource", "span", "event", "link", "intrinsic"]);
        assert!(scopes[0].tags.contains(&"service.name".to_owned()));
        let values = client
            .tag_values("resource.service.name", Some("{}"), &p)
            .await
            .expect("values");
        let services: Vec<&str> = values.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(services, ["checkout", "frontend", "payment"]);
        assert_eq!(values[0].kind, "string");
        let codes = client
            .tag_values("span.http.response.status_code", None, &p)
            .await
            .expect("values");
        assert_eq!(
            (codes[0].kind.as_str(), codes[0].value.as_str()),
            ("int", "402")
        );
    });
    let requests = v2.requests();
    assert_eq!(
        requests[0].1.get("scope").map(String::as_str),
        Some("resource")
    );
    assert_eq!(requests[1].1.get("q").map(String::as_str), Some("{}"));

    let v1 = tempo(false);
    let client = TempoClient::new(v1.http());
    block_on(async {
        let scopes = client.tags(None, &p).await.expect("tags");
        assert_eq!(scopes.len(), 1);
        assert!(scopes[0].tags.contains(&"cart.id".to_owned()));
        let values = client
            .tag_values("resource.service.name", None, &p)
            .await
            .expect("values");
        assert_eq!(values.len(), 3);
        assert_eq!(values[1].kind, "");
    });
    assert!(
        v1.paths()
            .contains(&"/api/search/tag/service.name/values".to_owned())
    );
}

#[test]
fn dead_server_is_unreachable() {
    let client = TempoClient::new(trace_replay::client_for(&dead_url()));
    let result = block_on(client.trace(STORY, &Progress::default()));
    assert!(
        matches!(result, Err(SourceError::Unreachable { .. })),
        "{result:?}"
    );
}

#[test]
fn a_server_slower_than_the_timeout_is_a_timeout_error() {
    let slow = trace_replay::slow_server(
        std::time::Duration::from_secs(3),
        fixture("tempo/trace-v2.json"),
    );
    let client = TempoClient::new(trace_replay::client_with_timeout(&slow.url, 1));
    let result = block_on(client.trace(STORY, &Progress::default()));
    assert!(
        matches!(result, Err(SourceError::Timeout { .. })),
        "{:?}",
        result.err()
    );
}
