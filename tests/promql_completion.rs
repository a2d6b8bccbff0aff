//! PromQL completion: the context at many cursor positions (a `‸` in each query marks the
//! cursor), the function table checked against promql-parser, ranking, candidates, and the
//! CompletionSource over the Local store and over a (replayed) Prometheus with its cache.

mod support;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Gauge, Histogram, HistogramDataPoint, Metric, NumberDataPoint,
    ResourceMetrics, ScopeMetrics, Sum, metric, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use promql_parser::parser::value::ValueType;
use promql_parser::parser::{self, Expr};
use signalscope::analysis::promql_completion::candidates::{
    CandidateKind, MetricInfo, Vocabulary, candidates,
};
use signalscope::analysis::promql_completion::functions::{
    AGGREGATIONS, FUNCTIONS, FunctionDoc, ValueKind, lookup,
};
use signalscope::analysis::promql_completion::rank::{MatchKind, match_kind, rank_strings};
use signalscope::analysis::promql_completion::{
    CompletionAt, CompletionContext as C, completion_at, quoted,
};
use signalscope::sources::HttpClient;
use signalscope::sources::completion::{CompletionBackend, CompletionSource};
use signalscope::store::{LocalStore, TelemetrySink};
use signalscope::workspace::{Connection, ConnectionId};
use std::time::Duration;

/// The completion at the `‸` in `marked`, and the query without the marker.
fn at(marked: &str) -> (CompletionAt, String) {
    let cursor = marked.find('‸').expect("a ‸ marks the cursor");
    let query = marked.replacen('‸', "", 1);
    (completion_at(&query, cursor), query)
}

fn context(marked: &str) -> C {
    at(marked).0.context
}

/// The text a completion would replace, and what is typed.
fn replaced(marked: &str) -> (String, String) {
    let (c, query) = at(marked);
    (query[c.replace.clone()].to_owned(), c.typed)
}

fn s(v: &str) -> String {
    v.to_owned()
}

// ---------------------------------------------------------------- contexts

#[test]
fn metric_names_and_functions_start_an_expression() {
    for q in [
        "‸",
        "htt‸",
        "rate(‸",
        "rate(http_‸",
        "sum(rate(‸",
        "a + ‸",
        "a / b‸",
        "(‸",
        "((‸",
        "histogram_quantile(0.9, ‸",
        "a and ‸",
        "a unless b‸",
        "sum by (job) (‸",
        "  \n  ‸",
    ] {
        assert!(
            matches!(context(q), C::Expression { .. }),
            "{q}: {:?}",
            context(q)
        );
    }
    assert_eq!(replaced("rate(http_‸"), (s("http_"), s("http_")));
    assert_eq!(
        replaced("rate(http_re‸quests_total[5m])"),
        (s("http_requests_total"), s("http_re"))
    );
    let (c, _) = at("‸");
    assert_eq!(c.replace, 0..0);
}

#[test]
fn binary_operators_offer_vector_matching_keywords() {
    assert_eq!(
        context("a + ‸"),
        C::Expression {
            keywords: &["on", "ignoring"]
        }
    );
    assert_eq!(
        context("a > ‸"),
        C::Expression {
            keywords: &["bool", "on", "ignoring"]
        }
    );
    assert_eq!(
        context("a / on(job) ‸"),
        C::Expression {
            keywords: &["group_left", "group_right"]
        }
    );
    assert_eq!(
        context("a / on(job) group_left(x) ‸"),
        C::Expression { keywords: &[] }
    );
}

#[test]
fn keywords_follow_a_complete_expression() {
    let after_aggregation = C::Keyword {
        keywords: &["by", "without", "and", "or", "unless", "atan2"],
    };
    assert_eq!(context("sum(rate(x[5m])) ‸"), after_aggregation);
    assert_eq!(context("sum(rate(x[5m])) b‸"), after_aggregation);
    assert_eq!(replaced("sum(rate(x[5m])) b‸"), (s("b"), s("b")));
    assert_eq!(
        context("sum ‸"),
        C::Keyword {
            keywords: &["by", "without"]
        }
    );
    let after_selector = C::Keyword {
        keywords: &["and", "or", "unless", "atan2", "offset"],
    };
    assert_eq!(context("up ‸"), after_selector);
    assert_eq!(context("up{job=\"a\"} ‸"), after_selector);
    assert_eq!(
        context("rate(x[5m]) ‸"),
        C::Keyword {
            keywords: &["and", "or", "unless", "atan2"]
        }
    );
    assert_eq!(context("x[5m] ‸"), after_selector);
    assert_eq!(
        context("1 ‸"),
        C::Keyword {
            keywords: &["and", "or", "unless", "atan2"]
        }
    );
    assert_eq!(
        context("sum(x) by (job) ‸"),
        C::Keyword {
            keywords: &["and", "or", "unless", "atan2"]
        }
    );
    // Prefix form: the aggregation's body must come next, not a keyword.
    assert_eq!(context("sum by (job) ‸"), C::Nothing);
}

#[test]
fn label_names_inside_braces_know_the_metric_and_the_labels_used() {
    assert_eq!(
        context("http_requests_total{‸"),
        C::LabelName {
            metric: Some(s("http_requests_total")),
            used: vec![]
        }
    );
    assert_eq!(
        context("http_requests_total{jo‸}"),
        C::LabelName {
            metric: Some(s("http_requests_total")),
            used: vec![]
        }
    );
    assert_eq!(replaced("up{jo‸b=\"x\"}"), (s("job"), s("jo")));
    assert_eq!(
        context(r#"up{job="a",‸"#),
        C::LabelName {
            metric: Some(s("up")),
            used: vec![s("job")]
        }
    );
    assert_eq!(
        context(r#"up{job="a", ‸, code=~"5.."}"#),
        C::LabelName {
            metric: Some(s("up")),
            used: vec![s("job"), s("code")]
        }
    );
    assert_eq!(
        context(r#"{__name__="up", ‸}"#),
        C::LabelName {
            metric: Some(s("up")),
            used: vec![s("__name__")]
        }
    );
    assert_eq!(
        context("{‸"),
        C::LabelName {
            metric: None,
            used: vec![]
        }
    );
    assert_eq!(
        context("sum(rate(http_requests_total{‸}[5m]))"),
        C::LabelName {
            metric: Some(s("http_requests_total")),
            used: vec![]
        }
    );
    // After a label name the operator comes: nothing to complete.
    assert_eq!(context("up{job ‸"), C::Nothing);
}

#[test]
fn grouping_labels_come_from_the_query_metric() {
    let job = |used: Vec<String>| C::GroupingLabel {
        metric: Some(s("http_requests_total")),
        used,
    };
    assert_eq!(
        context("sum by (‸) (rate(http_requests_total[5m]))"),
        job(vec![])
    );
    assert_eq!(
        context("sum(rate(http_requests_total[5m])) by (‸"),
        job(vec![])
    );
    assert_eq!(
        context("sum(rate(http_requests_total[5m])) by (job, ‸"),
        job(vec![s("job")])
    );
    assert_eq!(
        context("sum(http_requests_total) without (in‸)"),
        job(vec![])
    );
    assert_eq!(
        replaced("sum(http_requests_total) without (in‸)"),
        (s("in"), s("in"))
    );
    assert_eq!(
        context("a / on(‸) http_requests_total"),
        C::GroupingLabel {
            metric: Some(s("a")),
            used: vec![]
        }
    );
    assert_eq!(
        context("count by (‸)"),
        C::GroupingLabel {
            metric: None,
            used: vec![]
        }
    );
}

#[test]
fn label_values_after_every_matcher_operator() {
    for op in ["=", "!=", "=~", "!~"] {
        let q = format!("http_requests_total{{code{op}\"‸");
        assert_eq!(
            context(&q),
            C::LabelValue {
                metric: Some(s("http_requests_total")),
                label: s("code"),
                quote: Some('"'),
            },
            "{q}"
        );
        let q = format!("http_requests_total{{code{op}‸");
        assert_eq!(
            context(&q),
            C::LabelValue {
                metric: Some(s("http_requests_total")),
                label: s("code"),
                quote: None,
            },
            "{q}"
        );
    }
    assert_eq!(
        context(r#"up{job="a", instance='lo‸'}"#),
        C::LabelValue {
            metric: Some(s("up")),
            label: s("instance"),
            quote: Some('\'')
        }
    );
    assert_eq!(
        context("up{job=`a‸`}"),
        C::LabelValue {
            metric: Some(s("up")),
            label: s("job"),
            quote: Some('`')
        }
    );
}

#[test]
fn label_value_replace_range_is_the_string_content() {
    // Closed string: replace the content, not the quotes.
    assert_eq!(
        replaced(r#"up{job="pro‸metheus"}"#),
        (s("prometheus"), s("pro"))
    );
    // Unclosed string: to the end of the query.
    assert_eq!(replaced(r#"up{job="pro‸"#), (s("pro"), s("pro")));
    // Nothing typed yet between the quotes.
    assert_eq!(replaced(r#"up{job="‸"}"#), (s(""), s("")));
    // Escaped quotes stay inside the string, and `typed` is unescaped.
    assert_eq!(replaced(r#"up{path="a\"b‸"}"#), (s(r#"a\"b"#), s("a\"b")));
    assert_eq!(
        context(r#"up{path="a\"b‸"}"#),
        C::LabelValue {
            metric: Some(s("up")),
            label: s("path"),
            quote: Some('"')
        }
    );
    assert_eq!(replaced(r#"up{path="a\\‸"}"#), (s(r#"a\\"#), s("a\\")));
    // After the closing quote the string is done.
    assert_eq!(context(r#"up{job="a"‸}"#), C::Nothing);
}

#[test]
fn strings_that_are_not_label_values_complete_nothing() {
    assert_eq!(context(r#"label_replace(up, "ds‸"#), C::Nothing);
    assert_eq!(context(r#"count_values("va‸", up)"#), C::Nothing);
}

#[test]
fn durations_inside_brackets_subqueries_and_offset() {
    for q in [
        "rate(x[‸",
        "rate(x[5‸",
        "rate(x[5m‸])",
        "max_over_time(rate(x[5m])[1h:‸])",
        "x offset ‸",
        "x offset 5‸",
    ] {
        assert_eq!(context(q), C::Duration, "{q}");
    }
    assert_eq!(replaced("rate(x[5m‸])"), (s("5m"), s("5m")));
    assert_eq!(context("rate(x[5m ‸"), C::Nothing);
}

#[test]
fn comments_numbers_and_at_complete_nothing() {
    assert_eq!(context("up # a comm‸ent"), C::Nothing);
    assert_eq!(context("up > 10‸"), C::Nothing);
    assert_eq!(context("up @ ‸"), C::Nothing);
    // A comment does not hide what precedes the next line.
    assert!(matches!(context("rate( # why\n  ‸"), C::Expression { .. }));
}

#[test]
fn incomplete_and_odd_input_never_panics() {
    let queries = [
        "",
        "{",
        "}",
        "((((",
        "))))",
        "[",
        "]",
        "\"",
        "'",
        "`",
        "up{job=\"",
        "up{job=~\"a|b",
        "sum by (",
        "a /",
        "é",
        "up{é=\"ü‸\"}",
        "1e",
        ".5",
        "x[5m:",
        "\\",
        "up{,,,}",
        "#",
        "up{job!}",
        "rate(x[5m]) offset",
        "a == bool",
        ":x",
        "a::b{",
    ];
    for q in queries {
        for cursor in 0..=q.len() + 2 {
            let c = completion_at(q, cursor);
            assert!(
                c.replace.start <= c.replace.end && c.replace.end <= q.len(),
                "{q} @ {cursor}"
            );
            assert!(q.is_char_boundary(c.replace.start) && q.is_char_boundary(c.replace.end));
        }
    }
    // A cursor inside a multi-byte character is moved back to its start.
    let c = completion_at("ü", 1);
    assert_eq!(c.replace, 0..0);
}

#[test]
fn colons_in_recording_rule_names_are_part_of_the_name() {
    assert_eq!(
        replaced("job:http_requests:rate5‸m"),
        (s("job:http_requests:rate5m"), s("job:http_requests:rate5"))
    );
    assert_eq!(
        context("job:http:rate5m{‸"),
        C::LabelName {
            metric: Some(s("job:http:rate5m")),
            used: vec![]
        }
    );
}

// ---------------------------------------------------------------- functions

fn kind_of(v: ValueType) -> ValueKind {
    match v {
        ValueType::Vector => ValueKind::InstantVector,
        ValueType::Matrix => ValueKind::RangeVector,
        ValueType::Scalar => ValueKind::Scalar,
        ValueType::String => ValueKind::String,
    }
}

/// A call of `f` with an argument of the right type in every position.
fn example_call(f: &FunctionDoc) -> String {
    let args: Vec<&str> = f
        .args
        .iter()
        .map(|a| match a.kind {
            ValueKind::InstantVector => "x",
            ValueKind::RangeVector => "x[1m]",
            ValueKind::Scalar => "1",
            ValueKind::String => "\"l\"",
        })
        .collect();
    format!("{}({})", f.name, args.join(", "))
}

#[test]
fn function_table_matches_promql_parser() {
    assert!(
        FUNCTIONS.windows(2).all(|w| w[0].name < w[1].name),
        "sorted for lookup"
    );
    for f in FUNCTIONS {
        let call = example_call(f);
        let expr = parser::parse(&call).unwrap_or_else(|e| panic!("{call}: {e}"));
        let Expr::Call(parsed) = expr else {
            panic!("{call} is not a call");
        };
        let theirs = parsed.func;
        assert_eq!(theirs.name, f.name);
        let their_args: Vec<ValueKind> = theirs.arg_types.iter().copied().map(kind_of).collect();
        let our_args: Vec<ValueKind> = f.args.iter().map(|a| a.kind).collect();
        assert_eq!(their_args, our_args, "{}", f.name);
        assert_eq!(i32::from(f.variadic), theirs.variadic, "{}", f.name);
        assert_eq!(kind_of(theirs.return_type), f.returns, "{}", f.name);
        assert_eq!(theirs.experimental, f.experimental, "{}", f.name);
        assert!(!f.doc.is_empty());
    }
    // The check above would catch a made-up name.
    assert!(parser::parse("no_such_function(x)").is_err());
}

#[test]
fn aggregations_parse_with_their_parameters() {
    for f in AGGREGATIONS {
        let call = example_call(f);
        let expr = parser::parse(&call).unwrap_or_else(|e| panic!("{call}: {e}"));
        assert!(matches!(expr, Expr::Aggregate(_)), "{call}");
        let grouped = format!(
            "{} by (job) ({})",
            f.name,
            &call[f.name.len() + 1..call.len() - 1]
        );
        assert!(parser::parse(&grouped).is_ok(), "{grouped}");
    }
}

#[test]
fn signatures_show_types_optional_and_repeated_arguments() {
    assert_eq!(
        lookup("histogram_quantile").unwrap().signature(),
        "histogram_quantile(φ scalar, b instant-vector) → instant-vector"
    );
    assert_eq!(
        lookup("round").unwrap().signature(),
        "round(v instant-vector, [to_nearest scalar]) → instant-vector"
    );
    assert_eq!(
        lookup("label_join").unwrap().signature(),
        "label_join(v instant-vector, dst_label string, separator string, src_label string...) → instant-vector"
    );
    assert_eq!(lookup("time").unwrap().signature(), "time() → scalar");
    assert_eq!(
        lookup("topk").unwrap().signature(),
        "topk(k scalar, v instant-vector) → instant-vector"
    );
    assert!(lookup("nope").is_none());
}

// ---------------------------------------------------------------- ranking and candidates

#[test]
fn ranking_puts_prefix_then_substring_then_fuzzy_and_keeps_order() {
    let names: Vec<String> = [
        "go_goroutines",
        "http_requests_total",
        "process_cpu_seconds_total",
        "http_request_duration_seconds_bucket",
        "prometheus_http_requests_total",
        "hxtxtxp",
        "unrelated",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(
        rank_strings(&names, "http"),
        [
            "http_requests_total",
            "http_request_duration_seconds_bucket",
            "prometheus_http_requests_total",
            "hxtxtxp",
        ]
    );
    assert_eq!(
        rank_strings(&names, "").len(),
        names.len(),
        "empty prefix keeps all"
    );
    assert_eq!(
        rank_strings(&names, "HTTP_R")[0],
        "http_requests_total",
        "case-insensitive"
    );
    assert_eq!(match_kind("rate", "rt"), Some(MatchKind::Fuzzy));
    assert_eq!(match_kind("rate", "tr"), None);
    assert_eq!(match_kind("irate", "rate"), Some(MatchKind::Substring));
}

#[test]
fn candidates_for_an_expression_rank_metrics_functions_and_aggregations() {
    let vocabulary = Vocabulary {
        metrics: vec![
            MetricInfo {
                name: s("rate_limited_total"),
                kind: s("counter"),
                help: s("Requests refused."),
                unit: String::new(),
            },
            MetricInfo {
                name: s("http_request_duration_seconds"),
                kind: s("histogram"),
                help: s("Latency."),
                unit: s("seconds"),
            },
        ],
        ..Vocabulary::default()
    };
    let (c, _) = at("sum(rat‸");
    let list = candidates(&c, &vocabulary);
    let labels: Vec<&str> = list.iter().take(3).map(|c| c.label.as_str()).collect();
    // Prefix matches (a metric, then `rate`), then substrings in input order: metrics
    // ("du-rat-ion"), then aggregations (`limit_ratio`), then functions (`irate`).
    assert_eq!(
        labels,
        [
            "rate_limited_total",
            "rate",
            "http_request_duration_seconds"
        ]
    );
    let substrings: Vec<&str> = list[2..5].iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        substrings,
        ["http_request_duration_seconds", "limit_ratio", "irate"]
    );
    assert_eq!(list[0].kind, CandidateKind::Metric);
    assert_eq!(list[0].detail, "counter");
    assert_eq!(list[1].insert, "rate(");
    assert_eq!(list[1].detail, "rate(v range-vector) → instant-vector");
    let (c, _) = at("http‸");
    let first = &candidates(&c, &vocabulary)[0];
    assert_eq!(first.detail, "histogram (seconds)");
    let (c, _) = at("su‸");
    assert_eq!(
        candidates(&c, &vocabulary)[0].kind,
        CandidateKind::Aggregation
    );
}

#[test]
fn label_value_candidates_are_quoted_or_escaped_for_where_they_go() {
    let vocabulary = Vocabulary {
        label_values: vec![s("a\"b"), s("plain")],
        ..Vocabulary::default()
    };
    let (c, _) = at("up{x=‸");
    let inserts: Vec<String> = candidates(&c, &vocabulary)
        .into_iter()
        .map(|c| c.insert)
        .collect();
    assert_eq!(inserts, [r#""a\"b""#, r#""plain""#]);
    let (c, _) = at("up{x=\"‸\"}");
    let inserts: Vec<String> = candidates(&c, &vocabulary)
        .into_iter()
        .map(|c| c.insert)
        .collect();
    assert_eq!(inserts, [r#"a\"b"#, "plain"]);
    let (c, _) = at("up{x='pl‸'}");
    let inserts: Vec<String> = candidates(&c, &vocabulary)
        .into_iter()
        .map(|c| c.insert)
        .collect();
    assert_eq!(inserts, ["plain"]);
    assert_eq!(quoted("x\\y"), r#""x\\y""#);
}

#[test]
fn label_name_candidates_skip_the_labels_already_used() {
    let vocabulary = Vocabulary {
        label_names: vec![s("code"), s("instance"), s("job")],
        ..Vocabulary::default()
    };
    let (c, _) = at(r#"up{job="a", ‸"#);
    let labels: Vec<String> = candidates(&c, &vocabulary)
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert_eq!(labels, ["code", "instance"]);
    let (c, _) = at("rate(x[‸");
    let first = &candidates(&c, &Vocabulary::default())[0];
    assert_eq!(
        (first.kind, first.insert.as_str()),
        (CandidateKind::Duration, "1m")
    );
}

// ---------------------------------------------------------------- CompletionSource

fn text(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.into())),
        }),
        ..Default::default()
    }
}

fn point(attrs: Vec<KeyValue>, value: f64) -> NumberDataPoint {
    NumberDataPoint {
        attributes: attrs,
        time_unix_nano: 1_700_000_000_000_000_000,
        value: Some(number_data_point::Value::AsDouble(value)),
        ..Default::default()
    }
}

/// A counter `http.requests` (route, code), a gauge `queue.depth` and a histogram
/// `http.duration` from service `shop`.
fn store_with_metrics() -> LocalStore {
    let metrics = vec![
        Metric {
            name: "http.requests".into(),
            data: Some(metric::Data::Sum(Sum {
                data_points: vec![
                    point(vec![text("route", "/cart"), text("code", "200")], 5.0),
                    point(vec![text("route", "/pay"), text("code", "500")], 1.0),
                ],
                aggregation_temporality: AggregationTemporality::Cumulative as i32,
                is_monotonic: true,
            })),
            ..Default::default()
        },
        Metric {
            name: "queue.depth".into(),
            data: Some(metric::Data::Gauge(Gauge {
                data_points: vec![point(vec![text("queue", "emails")], 3.0)],
            })),
            ..Default::default()
        },
        Metric {
            name: "http.duration".into(),
            data: Some(metric::Data::Histogram(Histogram {
                data_points: vec![HistogramDataPoint {
                    attributes: vec![text("route", "/cart")],
                    time_unix_nano: 1_700_000_000_000_000_000,
                    count: 3,
                    sum: Some(0.6),
                    bucket_counts: vec![1, 2],
                    explicit_bounds: vec![0.1],
                    ..Default::default()
                }],
                aggregation_temporality: AggregationTemporality::Cumulative as i32,
            })),
            ..Default::default()
        },
    ];
    let request = ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(Resource {
                attributes: vec![text("service.name", "shop")],
                ..Default::default()
            }),
            scope_metrics: vec![ScopeMetrics {
                metrics,
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    let store = LocalStore::default();
    store.append_metrics(request).expect("stored");
    store
}

#[tokio::test]
async fn completion_source_over_the_local_store() {
    let source = CompletionSource::new(
        CompletionBackend::Local(store_with_metrics()),
        Duration::from_secs(60),
    );
    let metrics = source.metrics().await.expect("metrics");
    let described: Vec<(&str, &str)> = metrics
        .iter()
        .map(|m| (m.name.as_str(), m.kind.as_str()))
        .collect();
    assert_eq!(
        described,
        [
            ("http_duration_bucket", "histogram"),
            ("http_duration_count", "histogram"),
            ("http_duration_sum", "histogram"),
            ("http_requests_total", "counter"),
            ("queue_depth", "unknown"),
        ]
    );
    assert_eq!(
        source
            .label_names(Some("http_requests_total"))
            .await
            .unwrap(),
        ["code", "route", "service_name"]
    );
    assert_eq!(
        source.label_names(None).await.unwrap(),
        ["code", "le", "queue", "route", "service_name"]
    );
    assert_eq!(
        source
            .label_values(Some("http_requests_total"), "code")
            .await
            .unwrap(),
        ["200", "500"]
    );
    assert_eq!(
        source
            .label_values(Some("queue_depth"), "route")
            .await
            .unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        source
            .label_values(Some("http_duration_bucket"), "le")
            .await
            .unwrap(),
        ["+Inf", "0.1"]
    );
    // What was fetched is now in the cache the UI reads.
    {
        let cache = source.cache();
        let cache = cache.lock().unwrap();
        let now = std::time::Instant::now();
        assert_eq!(cache.metrics(now).map(<[_]>::len), Some(5));
        assert_eq!(
            cache.label_values(Some("http_requests_total"), "code", now),
            Some(&[s("200"), s("500")][..])
        );
    }

    // The whole path: context → vocabulary → candidates.
    let (c, _) = at("sum(rate(http_requests_total{code=\"5‸");
    let vocabulary = source.vocabulary_for(&c.context).await.unwrap();
    let list = candidates(&c, &vocabulary);
    assert_eq!(list[0].insert, "500");
}

#[tokio::test]
async fn completion_source_over_prometheus_caches_per_connection() {
    use support::{Replay, Route};
    let replay = Replay::routes(vec![
        Route {
            path: "/api/v1/label/__name__/values",
            status: 200,
            body: include_bytes!("fixtures/prometheus/label-name-values.json"),
        },
        Route {
            path: "/api/v1/metadata",
            status: 200,
            body: include_bytes!("fixtures/prometheus/metadata.json"),
        },
        Route {
            path: "/api/v1/label/job/values",
            status: 200,
            body: include_bytes!("fixtures/prometheus/label-job-values.json"),
        },
        Route {
            path: "/api/v1/labels",
            status: 200,
            body: include_bytes!("fixtures/prometheus/labels-match-demo.json"),
        },
    ]);
    let http = HttpClient::new(&Connection::prometheus(ConnectionId(1), "p", &replay.url)).unwrap();
    let source = CompletionSource::new(
        CompletionBackend::Prometheus(http.clone()),
        Duration::from_secs(60),
    );

    let metrics = source.metrics().await.expect("metrics");
    assert_eq!(metrics.len(), 224);
    let requests = metrics
        .iter()
        .find(|m| m.name == "demo_http_requests_total")
        .unwrap();
    assert_eq!(requests.kind, "counter");
    assert_eq!(
        requests.help,
        "Total HTTP requests served by the demo service."
    );
    let bucket = metrics
        .iter()
        .find(|m| m.name == "demo_http_request_duration_seconds_bucket")
        .unwrap();
    assert_eq!(
        (bucket.kind.as_str(), bucket.unit.as_str()),
        ("histogram", "seconds")
    );

    let names = source
        .label_names(Some("demo_http_requests_total"))
        .await
        .unwrap();
    assert_eq!(
        names,
        ["code", "env", "instance", "job", "route", "service"],
        "__name__ is not offered"
    );
    let jobs = source.label_values(Some("up"), "job").await.unwrap();
    assert_eq!(jobs, ["demo", "down-target", "prometheus"]);

    let before = replay.requests();
    assert_eq!(before.len(), 4, "{before:?}");
    assert!(
        before[2].contains("match%5B%5D=%7B__name__%3D%22demo_http_requests_total%22%7D"),
        "{before:?}"
    );
    // Within the TTL nothing is fetched again.
    source.metrics().await.unwrap();
    source
        .label_names(Some("demo_http_requests_total"))
        .await
        .unwrap();
    source.label_values(Some("up"), "job").await.unwrap();
    assert_eq!(replay.requests().len(), 4);

    // A zero TTL always asks the server.
    let eager = CompletionSource::new(CompletionBackend::Prometheus(http), Duration::ZERO);
    eager.label_values(Some("up"), "job").await.unwrap();
    eager.label_values(Some("up"), "job").await.unwrap();
    assert_eq!(replay.requests().len(), 6);
}

#[tokio::test]
async fn completion_source_reports_errors_and_caches_nothing() {
    let dead = HttpClient::new(&Connection::prometheus(
        ConnectionId(1),
        "p",
        &format!("http://127.0.0.1:{}", support::free_port()),
    ))
    .unwrap();
    let source =
        CompletionSource::new(CompletionBackend::Prometheus(dead), Duration::from_secs(60));
    assert!(source.metrics().await.is_err());
    assert!(
        source
            .cache()
            .lock()
            .unwrap()
            .metrics(std::time::Instant::now())
            .is_none()
    );
    let local = CompletionSource::new(
        CompletionBackend::Local(LocalStore::default()),
        Duration::from_secs(60),
    );
    let values = local.label_values(Some("up\"}"), "job").await;
    assert_eq!(
        values.unwrap(),
        Vec::<String>::new(),
        "a quote in the name is escaped, not a parse error"
    );
}
