//! The local store fed with real OTLP bodies recorded from the OpenTelemetry Python SDK, then
//! queried as the Local source: traces, logs, and PromQL over the metrics.

use prost::Message as _;
use signalscope::model::{SpanStatus, TraceId};
use signalscope::sources::local;
use signalscope::store::sink::{
    ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest,
};
use signalscope::store::{LocalStore, LogQuery, TelemetrySink, TraceQuery};

const TRACES: [&[u8]; 3] = [
    include_bytes!("fixtures/otlp/http-protobuf/traces-frontend.pb"),
    include_bytes!("fixtures/otlp/http-protobuf/traces-checkout.pb"),
    include_bytes!("fixtures/otlp/http-protobuf/traces-payment.pb"),
];
const LOGS: [&[u8]; 3] = [
    include_bytes!("fixtures/otlp/http-protobuf/logs-frontend.pb"),
    include_bytes!("fixtures/otlp/http-protobuf/logs-checkout.pb"),
    include_bytes!("fixtures/otlp/http-protobuf/logs-payment.pb"),
];
const METRICS: [&[u8]; 2] = [
    include_bytes!("fixtures/otlp/http-protobuf/metrics-cumulative-1.pb"),
    include_bytes!("fixtures/otlp/http-protobuf/metrics-cumulative-2.pb"),
];

const STORY_TRACE: &str = "bdd640fb06671ad11c80317fa3b1799d";

fn loaded(store: &LocalStore) {
    for body in TRACES {
        let outcome = store
            .append_traces(ExportTraceServiceRequest::decode(body).unwrap())
            .unwrap();
        assert_eq!(outcome.rejected, 0);
    }
    for body in LOGS {
        store
            .append_logs(ExportLogsServiceRequest::decode(body).unwrap())
            .unwrap();
    }
    for body in METRICS {
        store
            .append_metrics(ExportMetricsServiceRequest::decode(body).unwrap())
            .unwrap();
    }
}

#[test]
fn spans_from_three_services_assemble_into_one_trace() {
    let store = LocalStore::default();
    // Deliver the services out of order: late spans must join their trace.
    for body in TRACES.iter().rev() {
        store
            .append_traces(ExportTraceServiceRequest::decode(*body).unwrap())
            .unwrap();
    }
    let id = TraceId::parse_hex(STORY_TRACE).unwrap();
    let trace = local::trace(&store, id).expect("trace is stored");
    assert_eq!(trace.spans.len(), 10);
    let roots: Vec<_> = trace.spans.iter().filter(|s| s.parent.is_none()).collect();
    assert_eq!(roots.len(), 1, "one root");
    assert_eq!(roots[0].name, "GET /checkout");
    assert_eq!(roots[0].service, "frontend");
    // Every other span's parent is in the trace and starts no later than it.
    for span in &trace.spans {
        if let Some(p) = span.parent {
            let parent = &trace.spans[p as usize];
            assert_eq!(Some(parent.span_id), span.parent_id);
        }
    }
    assert_eq!(
        trace
            .spans
            .iter()
            .filter(|s| s.status == SpanStatus::Error)
            .count(),
        6
    );
    let charge = trace
        .spans
        .iter()
        .find(|s| s.name == "charge card")
        .unwrap();
    assert_eq!(charge.service, "payment");
    assert_eq!(charge.status_message, "card declined");
    let services: Vec<String> = store.services();
    assert_eq!(services, vec!["checkout", "frontend", "payment"]);
}

#[test]
fn trace_search_filters_by_service_operation_errors_and_attributes() {
    let store = LocalStore::default();
    loaded(&store);
    let all = local::find_traces(&store, &TraceQuery::default());
    assert_eq!(all.len(), 2);
    let story = all
        .iter()
        .find(|t| t.trace_id.to_string() == STORY_TRACE)
        .unwrap();
    assert_eq!((story.span_count, story.error_count), (10, 6));
    assert_eq!(story.root_name, "GET /checkout");

    let q = |f: fn(&mut TraceQuery)| {
        let mut q = TraceQuery::default();
        f(&mut q);
        local::find_traces(&store, &q)
    };
    assert_eq!(q(|q| q.errors_only = true).len(), 1);
    assert_eq!(
        q(|q| q.operation = Some("order.created process".into())).len(),
        1
    );
    assert_eq!(q(|q| q.service = Some("nope".into())).len(), 0);
    assert_eq!(q(|q| q.min_duration_ns = u64::MAX / 2).len(), 0);
    let with_attr = q(|q| q.attributes = vec![("http.response.status_code".into(), "402".into())]);
    assert_eq!(with_attr.len(), 1, "{with_attr:?}");
    // Several attributes must hold on one span, as Jaeger's tags do: checkout's call to
    // payment carries both of these, but no span is both a 402 and a Postgres query.
    let one_span = q(|q| {
        q.attributes = vec![
            ("http.response.status_code".into(), "402".into()),
            ("server.address".into(), "payment.shop.svc".into()),
        ]
    });
    assert_eq!(one_span.len(), 1, "{one_span:?}");
    let two_spans = q(|q| {
        q.attributes = vec![
            ("http.response.status_code".into(), "402".into()),
            ("db.system.name".into(), "postgresql".into()),
        ]
    });
    assert!(two_spans.is_empty(), "{two_spans:?}");
}

#[test]
fn logs_are_found_by_service_severity_text_and_trace_id() {
    let store = LocalStore::default();
    loaded(&store);
    let everything = local::find_logs(
        &store,
        &LogQuery {
            end_ns: u64::MAX,
            limit: 1000,
            ..LogQuery::default()
        },
    );
    assert!(everything.len() >= 6, "{} records", everything.len());
    assert_eq!(everything.matched, everything.len());
    // A limit cuts the list but the count of what matched stays.
    let two = local::find_logs(
        &store,
        &LogQuery {
            end_ns: u64::MAX,
            limit: 2,
            ..LogQuery::default()
        },
    );
    assert_eq!((two.len(), two.matched), (2, everything.len()));
    assert_eq!(two.time_ns[..], everything.time_ns[..2]);
    // Newest first.
    assert!(everything.time_ns.windows(2).all(|w| w[0] >= w[1]));

    let story = TraceId::parse_hex(STORY_TRACE).unwrap();
    let in_trace = local::find_logs(
        &store,
        &LogQuery {
            trace_id: Some(story),
            end_ns: u64::MAX,
            limit: 1000,
            ..LogQuery::default()
        },
    );
    assert!(!in_trace.is_empty());
    assert!(in_trace.trace_id.iter().all(|t| *t == Some(story)));

    let errors = local::find_logs(
        &store,
        &LogQuery {
            min_severity: 17,
            end_ns: u64::MAX,
            limit: 1000,
            ..LogQuery::default()
        },
    );
    assert!(!errors.is_empty());
    assert!(errors.severity.iter().all(|&s| s >= 17));
    let payment = local::find_logs(
        &store,
        &LogQuery {
            service: Some("payment".into()),
            text: Some("DECLINED".into()),
            end_ns: u64::MAX,
            limit: 1000,
            ..LogQuery::default()
        },
    );
    assert!(!payment.is_empty());
    for i in 0..payment.len() {
        assert_eq!(payment.service[i], "payment");
        assert!(
            payment.body(i).to_lowercase().contains("declined"),
            "{}",
            payment.body(i)
        );
    }
}

#[test]
fn metrics_answer_promql_with_prometheus_names() {
    let store = LocalStore::default();
    loaded(&store);
    let names = store.metric_names();
    for expected in [
        "app_orders_placed_total",
        "http_server_request_duration_bucket",
        "http_server_request_duration_count",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not in {names:?}"
        );
    }
    // The two recorded collections are seconds apart; query a window around them.
    let t = store.with_metrics(|m| {
        m.select(
            |l| l.metric_name() == Some("app_orders_placed_total"),
            0,
            u64::MAX,
        )[0]
        .time_ns
        .clone()
    });
    let (first, last) = (t[0] as f64 / 1e9, *t.last().unwrap() as f64 / 1e9);
    // Evaluated at `first` the first collection counts (card 12 + paypal 7); a second after
    // `last`, the second (22 + 17).
    let result = local::range_query(
        &store,
        "sum by (service_name) (app_orders_placed_total)",
        first.ceil(),
        last.ceil() + 1.0,
        1.0,
    )
    .unwrap();
    assert_eq!(result.series.len(), 1);
    assert_eq!(
        result.series[0].labels.get("service_name"),
        Some("checkout")
    );
    assert_eq!(result.series[0].values.first(), Some(&19.0));
    assert_eq!(result.series[0].values.last(), Some(&39.0));
    let rate = local::range_query(
        &store,
        "sum(increase(app_orders_placed_total[10s]))",
        last.ceil() + 1.0,
        last.ceil() + 1.0,
        1.0,
    )
    .unwrap();
    // Prometheus' extrapolation, by hand: both series rose by 10 over the 1.108 s between the
    // two collections, evaluated at the next whole second + 1 with a 10 s window. card (12 → 22):
    // zero would be 1.33 s before its first sample, beyond 1.1 × the gap, so half a gap is
    // added on each side: × 2 → 20. paypal (7 → 17): zero is 0.78 s back, inside the
    // threshold, so that much is added at the start and half a gap at the end: × 2.2 → 22.
    let total = rate.series[0].values[0];
    assert!((total - 42.0).abs() < 1e-6, "increase {total}");

    let p = local::range_query(
        &store,
        "histogram_quantile(0.5, sum by (le) (http_server_request_duration_bucket))",
        last.ceil(),
        last.ceil(),
        1.0,
    )
    .unwrap();
    assert_eq!(p.series.len(), 1);
    assert!(p.series[0].values[0].is_finite() && p.series[0].values[0] >= 0.0);

    // `or` fills in a zero series where the left side has none, as error-ratio panels need.
    let zero = local::range_query(
        &store,
        "sum by (service_name) (app_orders_placed_total{app_payment_method=\"crypto\"}) or sum by (service_name) (app_orders_placed_total) * 0",
        last.ceil() + 1.0,
        last.ceil() + 1.0,
        1.0,
    )
    .unwrap();
    assert_eq!(zero.series.len(), 1);
    assert_eq!(zero.series[0].values, vec![0.0]);
    let card = local::range_query(
        &store,
        "sum by (service_name) (app_orders_placed_total{app_payment_method=\"card\"}) or sum by (service_name) (app_orders_placed_total) * 0",
        last.ceil() + 1.0,
        last.ceil() + 1.0,
        1.0,
    )
    .unwrap();
    assert_eq!(
        card.series[0].values,
        vec![22.0],
        "the left side wins where it has data"
    );

    let err = local::range_query(&store, "topk(3, up)", first, first, 1.0).unwrap_err();
    assert!(err.to_string().contains("topk"), "{err}");
}

#[test]
fn memory_budget_evicts_oldest_data_and_counts_it() {
    let budget = 2 * 1024 * 1024;
    let store = LocalStore::new(budget);
    let request = ExportTraceServiceRequest::decode(TRACES[1]).unwrap();
    let mut accepted = 0;
    for i in 0..20_000u32 {
        // Distinct trace ids so the index grows as it would with real traffic.
        let mut r = request.clone();
        for rs in &mut r.resource_spans {
            for ss in &mut rs.scope_spans {
                for s in &mut ss.spans {
                    s.trace_id[..4].copy_from_slice(&i.to_be_bytes());
                }
            }
        }
        accepted += store
            .append_traces(r)
            .expect("room is made by eviction")
            .accepted;
        let stats = store.stats();
        assert!(
            stats.bytes <= budget,
            "{} bytes over a {budget} budget",
            stats.bytes
        );
    }
    let stats = store.stats();
    assert!(stats.traces.evicted > 0, "nothing was evicted");
    assert_eq!(stats.traces.stored + stats.traces.evicted, accepted);
}

#[test]
fn a_request_larger_than_the_budget_is_refused_and_counted() {
    let store = LocalStore::new(100);
    let r = ExportTraceServiceRequest::decode(TRACES[1]).unwrap();
    assert!(store.append_traces(r).is_err());
    assert_eq!(store.stats().traces.refused_over_budget, 1);
}

#[test]
fn data_dir_survives_a_restart_and_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, replayed) = LocalStore::open(dir.path(), 64 * 1024 * 1024).unwrap();
        assert_eq!(replayed, 0);
        loaded(&store);
    }
    // A crash mid-write leaves a partial record at the end of the last segment.
    let last = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&last)
        .unwrap();
    std::io::Write::write_all(&mut f, &[0, 200, 0, 0]).unwrap();
    drop(f);

    let (store, replayed) = LocalStore::open(dir.path(), 64 * 1024 * 1024).unwrap();
    assert_eq!(replayed, 8, "3 trace + 3 log + 2 metric requests");
    let id = TraceId::parse_hex(STORY_TRACE).unwrap();
    assert_eq!(store.trace(id).unwrap().spans.len(), 10);
    assert_eq!(store.stats().persist_damaged_records, 1);
}
