//! SLO arithmetic, definitions, imports, queries and recorded-rule detection, without a
//! server; and a whole evaluation over the Local source's PromQL.

use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Histogram, HistogramDataPoint, Metric, NumberDataPoint,
    ResourceMetrics, ScopeMetrics, Sum, metric, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use signalscope::analysis::slo::*;
use signalscope::model::Labels;
use signalscope::slo::import_openslo::windowed;
use signalscope::slo::queries::{error_ratio_query, parse_duration, prom_duration};
use signalscope::slo::recording_rules::{RuleSource, from_series};
use signalscope::slo::{
    LocalEngine, RecordedRules, Sli, SloDefinition, SloWindow, evaluate, import_openslo,
    import_sloth,
};
use signalscope::store::sink::ExportMetricsServiceRequest;
use signalscope::store::{LocalStore, TelemetrySink};
use std::collections::BTreeMap;

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/slo/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn ratio_slo(objective: f64) -> SloDefinition {
    SloDefinition {
        name: "availability".into(),
        service: "checkout".into(),
        sli: Sli::BadOverTotal {
            bad: r#"sum(rate(http_requests_total{code="500"}[{{.window}}]))"#.into(),
            total: "sum(rate(http_requests_total[{{.window}}]))".into(),
        },
        objective,
        window: SloWindow::default(),
        labels: BTreeMap::new(),
        description: String::new(),
    }
}

// ---- the math ----

#[test]
fn zero_traffic_is_no_data_not_zero_errors() {
    assert_eq!(error_ratio(0.0, 0.0), None);
    assert_eq!(error_ratio(0.0, 100.0), Some(0.0));
    assert_eq!(burn_rate(None, 0.999), None);
    assert_eq!(budget_remaining(None, 0.999), None);
    assert_eq!(
        time_to_exhaustion(None, Some(1.0), 30.0 * DAY),
        Exhaustion::NoData
    );
}

#[test]
fn nan_inputs_are_no_data() {
    assert_eq!(error_ratio(f64::NAN, 10.0), None);
    assert_eq!(error_ratio(1.0, f64::NAN), None);
    // Prometheus answers 0/0 with NaN.
    assert_eq!(burn_rate(Some(f64::NAN), 0.999), None);
    assert_eq!(burn_rate(Some(0.01), f64::NAN), None);
    let w = BurnPreset::sre_workbook_30d().rows[0];
    assert_eq!(
        alert_state(&w, Some(f64::NAN), Some(100.0)),
        AlertState::NoData
    );
    assert_eq!(alert_state(&w, Some(100.0), None), AlertState::NoData);
}

#[test]
fn budget_and_burn_follow_the_definitions() {
    let e = Some(0.0038);
    assert!((burn_rate(e, 0.999).unwrap() - 3.8).abs() < 1e-12);
    assert!((budget_consumed(e, 0.999).unwrap() - 3.8).abs() < 1e-12);
    assert!((budget_remaining(Some(0.0005), 0.999).unwrap() - 0.5).abs() < 1e-12);
    assert!((budget_remaining(Some(0.0038), 0.99).unwrap() - 0.62).abs() < 1e-12);
}

#[test]
fn overspent_budget_goes_negative_and_is_already_exhausted() {
    let remaining = budget_remaining(Some(0.0038), 0.999);
    assert!((remaining.unwrap() + 2.8).abs() < 1e-12);
    assert_eq!(
        time_to_exhaustion(remaining, Some(20.0), 30.0 * DAY),
        Exhaustion::AlreadyExhausted
    );
    assert_eq!(
        time_to_exhaustion(Some(0.0), Some(0.0), 30.0 * DAY),
        Exhaustion::AlreadyExhausted,
        "a spent budget is exhausted even when nothing burns now"
    );
}

#[test]
fn objective_of_100_percent_has_no_budget() {
    assert_eq!(burn_rate(Some(0.0), 1.0), Some(0.0));
    assert_eq!(budget_remaining(Some(0.0), 1.0), Some(1.0));
    assert_eq!(burn_rate(Some(1e-9), 1.0), Some(f64::INFINITY));
    assert_eq!(budget_remaining(Some(1e-9), 1.0), Some(f64::NEG_INFINITY));
    let w = BurnPreset::sre_workbook_30d().rows[0];
    assert_eq!(
        alert_state(&w, Some(f64::INFINITY), Some(f64::INFINITY)),
        AlertState::Page
    );
    assert_eq!(
        time_to_exhaustion(Some(1.0), Some(0.0), 30.0 * DAY),
        Exhaustion::NotBurning
    );
}

#[test]
fn time_to_exhaustion_is_remaining_budget_times_window_over_burn() {
    // Half the budget left, burning at 2: a 30-day budget lasts 15 days at 2, half of it 7.5.
    assert_eq!(
        time_to_exhaustion(Some(0.5), Some(2.0), 30.0 * DAY),
        Exhaustion::In(7.5 * DAY)
    );
    assert_eq!(
        time_to_exhaustion(Some(0.5), Some(0.0), 30.0 * DAY),
        Exhaustion::NotBurning
    );
}

#[test]
fn alerting_needs_both_windows_above_the_factor() {
    let preset = BurnPreset::sre_workbook_30d();
    let page = preset.rows[0];
    assert_eq!(alert_state(&page, Some(15.0), Some(15.0)), AlertState::Page);
    assert_eq!(
        alert_state(&page, Some(15.0), Some(1.0)),
        AlertState::Ok,
        "recovered"
    );
    assert_eq!(
        alert_state(&page, Some(1.0), Some(15.0)),
        AlertState::Ok,
        "a blip"
    );
    assert_eq!(
        alert_state(&page, Some(14.4), Some(14.4)),
        AlertState::Ok,
        "strictly above"
    );
    let ticket = preset.rows[3];
    assert_eq!(
        alert_state(&ticket, Some(1.5), Some(1.5)),
        AlertState::Ticket
    );

    let rows = alert_table(&preset, |_| Some(4.0), Some(0.5), 30.0 * DAY);
    let states: Vec<_> = rows.iter().map(|r| r.state).collect();
    assert_eq!(
        states,
        [
            AlertState::Ok,
            AlertState::Ok,
            AlertState::Ticket,
            AlertState::Ticket
        ]
    );
    assert_eq!(overall_state(&rows), AlertState::Ticket);
    assert_eq!(rows[0].exhaustion, Exhaustion::In(0.5 * 30.0 * DAY / 4.0));
    assert_eq!(overall_state(&[]), AlertState::NoData);
}

#[test]
fn presets_match_their_sources() {
    let sre = BurnPreset::sre_workbook_30d();
    let table: Vec<(f64, f64, f64, Severity)> = sre
        .rows
        .iter()
        .map(|r| (r.long_secs, r.short_secs, r.factor, r.severity))
        .collect();
    assert_eq!(
        table,
        [
            (HOUR, 300.0, 14.4, Severity::Page),
            (6.0 * HOUR, 1800.0, 6.0, Severity::Page),
            (DAY, 2.0 * HOUR, 3.0, Severity::Ticket),
            (3.0 * DAY, 6.0 * HOUR, 1.0, Severity::Ticket),
        ]
    );
    // The Workbook's factors spend 2 % (1h), 5 % (6h), 10 % (1d) and 10 % (3d) of 30 days.
    for (row, share) in sre.rows.iter().zip([0.02, 0.05, 0.10, 0.10]) {
        assert!((row.factor * row.long_secs / (30.0 * DAY) - share).abs() < 1e-12);
    }
    let pyrra = BurnPreset::pyrra_28d();
    let table: Vec<(f64, f64, f64)> = pyrra
        .rows
        .iter()
        .map(|r| (r.long_secs, r.short_secs, r.factor))
        .collect();
    assert_eq!(
        table,
        [
            (HOUR, 300.0, 14.0),
            (6.0 * HOUR, 1800.0, 7.0),
            (DAY, 2.0 * HOUR, 2.0),
            (4.0 * DAY, 6.0 * HOUR, 1.0),
        ]
    );
    assert_eq!(BurnPreset::for_window(28.0 * DAY), pyrra);
    assert_eq!(BurnPreset::for_window(30.0 * DAY), sre);
    assert_eq!(
        sre.windows(),
        [300.0, 1800.0, HOUR, 2.0 * HOUR, 6.0 * HOUR, DAY, 3.0 * DAY]
    );
}

// ---- definitions ----

#[test]
fn validation_names_the_field() {
    assert!(ratio_slo(0.999).validate().is_ok());
    assert!(ratio_slo(1.0).validate().is_ok(), "100 % is allowed");
    for bad in [0.0, -0.5, 1.5, 99.9, f64::NAN] {
        let err = ratio_slo(bad).validate().unwrap_err();
        assert_eq!(err.field, "objective", "{bad}");
    }
    let mut def = ratio_slo(0.999);
    def.window = SloWindow { days: 0 };
    assert_eq!(def.validate().unwrap_err().field, "window");
    let mut def = ratio_slo(0.999);
    def.sli = Sli::BadOverTotal {
        bad: "sum(rate(errors_total[5m]))".into(),
        total: "sum(rate(requests_total[{{.window}}]))".into(),
    };
    let err = def.validate().unwrap_err();
    assert_eq!(err.field, "sli.bad");
    assert!(err.to_string().contains("{{.window}}"), "{err}");
    let mut def = ratio_slo(0.999);
    def.sli = Sli::Latency {
        bucket_metric: "x_bucket".into(),
        threshold_le: "fast".into(),
        selector: String::new(),
    };
    assert_eq!(def.validate().unwrap_err().field, "sli.threshold_le");
}

#[test]
fn definitions_round_trip_through_ron() {
    let mut def = ratio_slo(0.999);
    def.window = SloWindow::DAYS_28;
    def.labels.insert("team".into(), "payments".into());
    let text = ron::ser::to_string_pretty(&def, ron::ser::PrettyConfig::default()).unwrap();
    let back: SloDefinition = ron::from_str(&text).unwrap();
    assert_eq!(back, def);
    // The window and labels may be left out: 30 days, no labels.
    let short =
        r#"(name: "a", service: "s", sli: ErrorRatio(query: "x[{{.window}}]"), objective: 0.99)"#;
    let parsed: SloDefinition = ron::from_str(short).unwrap();
    assert_eq!(parsed.window, SloWindow::DAYS_30);
}

// ---- queries ----

#[test]
fn durations_use_the_largest_exact_unit() {
    assert_eq!(prom_duration(30.0 * DAY), "30d");
    assert_eq!(prom_duration(300.0), "5m");
    assert_eq!(prom_duration(5400.0), "90m");
    assert_eq!(prom_duration(6.0 * HOUR), "6h");
    assert_eq!(prom_duration(61.0), "61s");
    assert_eq!(parse_duration("4d"), Some(4.0 * DAY));
    assert_eq!(parse_duration("2w"), Some(14.0 * DAY));
    assert_eq!(parse_duration("1h30m"), None);
    assert_eq!(parse_duration("d"), None);
}

#[test]
fn error_ratio_queries_fill_the_window() {
    let none = RecordedRules::none();
    assert_eq!(
        error_ratio_query(&ratio_slo(0.999), HOUR, &none),
        r#"(sum(rate(http_requests_total{code="500"}[1h]))) / (sum(rate(http_requests_total[1h])))"#
    );
    let mut good = ratio_slo(0.999);
    good.sli = Sli::GoodOverTotal {
        good: "sum(rate(ok_total[{{.window}}]))".into(),
        total: "sum(rate(all_total[{{.window}}]))".into(),
    };
    assert_eq!(
        error_ratio_query(&good, 30.0 * DAY, &none),
        "1 - ((sum(rate(ok_total[30d]))) / (sum(rate(all_total[30d]))))"
    );
    let mut latency = ratio_slo(0.99);
    latency.sli = Sli::Latency {
        bucket_metric: "http_server_duration_seconds_bucket".into(),
        threshold_le: "0.5".into(),
        selector: r#"service_name="checkout""#.into(),
    };
    assert_eq!(
        error_ratio_query(&latency, 300.0, &none),
        r#"1 - (sum(rate(http_server_duration_seconds_bucket{service_name="checkout",le="0.5"}[5m])) / sum(rate(http_server_duration_seconds_bucket{service_name="checkout",le="+Inf"}[5m])))"#
    );
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    Labels::new(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

#[test]
fn sloth_recording_rules_are_used_where_they_exist() {
    let def = ratio_slo(0.999);
    let series = [
        labels(&[
            ("__name__", "slo:sli_error:ratio_rate5m"),
            ("sloth_service", "checkout"),
            ("sloth_slo", "availability"),
        ]),
        labels(&[
            ("__name__", "slo:sli_error:ratio_rate30d"),
            ("sloth_service", "checkout"),
            ("sloth_slo", "availability"),
        ]),
        // Another SLO's rule is not ours.
        labels(&[
            ("__name__", "slo:sli_error:ratio_rate1h"),
            ("sloth_service", "checkout"),
            ("sloth_slo", "latency"),
        ]),
    ];
    let rules = from_series(&def, &series);
    assert_eq!(rules.source, Some(RuleSource::Sloth));
    assert_eq!(rules.windows.len(), 2);
    assert_eq!(
        error_ratio_query(&def, 300.0, &rules),
        r#"max(slo:sli_error:ratio_rate5m{sloth_service="checkout",sloth_slo="availability"})"#
    );
    assert_eq!(
        error_ratio_query(&def, 30.0 * DAY, &rules),
        r#"max(slo:sli_error:ratio_rate30d{sloth_service="checkout",sloth_slo="availability"})"#
    );
    // No 1h rule for this SLO: computed from the SLI.
    assert!(error_ratio_query(&def, HOUR, &rules).starts_with("(sum(rate("));
}

#[test]
fn pyrra_recording_rules_are_found_by_their_slo_label() {
    let def = ratio_slo(0.999);
    let series = [
        labels(&[
            ("__name__", "http_requests:burnrate5m"),
            ("slo", "availability"),
        ]),
        labels(&[
            ("__name__", "http_requests:burnrate4d"),
            ("slo", "availability"),
        ]),
        labels(&[("__name__", "http_requests:burnrate1h"), ("slo", "other")]),
    ];
    let rules = from_series(&def, &series);
    assert_eq!(rules.source, Some(RuleSource::Pyrra));
    assert_eq!(
        error_ratio_query(&def, 4.0 * DAY, &rules),
        r#"max(http_requests:burnrate4d{slo="availability"})"#
    );
    assert_eq!(from_series(&def, &[]), RecordedRules::none());
}

// ---- imports ----

#[test]
fn sloth_getting_started_imports_with_its_objective_and_queries() {
    let defs = import_sloth(&fixture("sloth-getting-started.yml")).unwrap();
    assert_eq!(defs.len(), 1);
    let d = &defs[0];
    assert_eq!(d.name, "requests-availability");
    assert_eq!(d.service, "myservice");
    assert_eq!(d.objective, 0.999);
    assert_eq!(d.window, SloWindow::DAYS_30);
    assert_eq!(d.labels.get("owner").map(String::as_str), Some("myteam"));
    let Sli::BadOverTotal { bad, total } = &d.sli else {
        panic!("{:?}", d.sli)
    };
    assert!(bad.contains(r#"code=~"(5..|429)"}[{{.window}}]"#), "{bad}");
    assert!(total.ends_with("[{{.window}}]))"), "{total}");
}

#[test]
fn sloth_kubernetes_form_imports_like_the_plain_spec() {
    let plain = import_sloth(&fixture("sloth-getting-started.yml")).unwrap();
    let k8s = import_sloth(&fixture("sloth-k8s-getting-started.yml")).unwrap();
    assert_eq!(k8s, plain);
    // Go templates allow spaces inside the braces.
    let spaced = fixture("sloth-getting-started.yml").replace("{{.window}}", "{{ .window }}");
    assert_eq!(import_sloth(&spaced).unwrap(), plain);
}

#[test]
fn sloth_raw_and_multi_document_specs_import() {
    let raw = import_sloth(&fixture("sloth-raw-home-wifi.yml")).unwrap();
    assert_eq!(raw[0].objective, 0.95);
    assert!(matches!(&raw[0].sli, Sli::ErrorRatio { query } if query.contains("count_over_time")));
    let multi = import_sloth(&fixture("sloth-multifile.yml")).unwrap();
    let names: Vec<(&str, f64)> = multi
        .iter()
        .map(|d| (d.service.as_str(), d.objective))
        .collect();
    assert_eq!(names, [("myservice", 0.999), ("myservice2", 0.9999)]);
}

#[test]
fn sloth_errors_name_the_document_and_field() {
    let yaml = "version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    objective: 99\n    sli:\n      events:\n        error_query: e[{{.window}}]\n        total_query: t[{{.window}}]\n---\nversion: prometheus/v1\nservice: b\nslos:\n  - name: ok\n    objective: 99\n    sli:\n      raw:\n        error_ratio_query: r[{{.window}}]\n  - name: y\n    objective: 120\n    sli:\n      raw:\n        error_ratio_query: r[{{.window}}]\n";
    let err = import_sloth(yaml).unwrap_err();
    assert_eq!(
        (err.document, err.field.as_str()),
        (2, "slos[1].objective"),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("document 2: slos[1].objective: 120"),
        "{err}"
    );

    let no_total = "version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    objective: 99\n    sli:\n      events:\n        error_query: e[{{.window}}]\n";
    let err = import_sloth(no_total).unwrap_err();
    assert_eq!(err.field, "slos[0].sli.events.total_query");
    let k8s = "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\n";
    assert_eq!(import_sloth(k8s).unwrap_err().field, "spec");
    let k8s = fixture("sloth-k8s-getting-started.yml").replace("objective: 99.9", "objective: 0");
    let err = import_sloth(&k8s).unwrap_err();
    assert_eq!(
        (err.document, err.field.as_str()),
        (1, "spec.slos[0].objective")
    );
    let openslo = fixture("openslo-ratio.yaml");
    assert_eq!(import_sloth(&openslo).unwrap_err().field, "apiVersion");
    let broken = "version: prometheus/v1\nslos: [\n";
    assert_eq!(import_sloth(broken).unwrap_err().document, 0);
}

#[test]
fn openslo_ratio_slos_import_inline_and_by_reference() {
    let defs = import_openslo(&fixture("openslo-ratio.yaml")).unwrap();
    assert_eq!(defs.len(), 2, "the Service and SLI documents are not SLOs");
    let main = &defs[0];
    assert_eq!(
        (main.name.as_str(), main.service.as_str()),
        ("main-page", "web-shop")
    );
    assert_eq!(main.objective, 0.99);
    assert_eq!(main.window, SloWindow { days: 14 });
    let Sli::GoodOverTotal { good, total } = &main.sli else {
        panic!("{:?}", main.sli)
    };
    assert_eq!(
        good,
        r#"sum(rate(http_requests_total{handler="/",code=~"2.."}[{{.window}}]))"#
    );
    assert_eq!(
        total,
        r#"sum(rate(http_requests_total{handler="/"}[{{.window}}]))"#
    );
    let checkout = &defs[1];
    assert_eq!(checkout.window, SloWindow::DAYS_28);
    assert_eq!(checkout.objective, 0.999);
    assert!(matches!(&checkout.sli, Sli::BadOverTotal { bad, .. } if bad.contains("code=\"500\"")));
}

#[test]
fn openslo_errors_name_the_document_and_field() {
    let yaml = fixture("openslo-ratio.yaml").replace(
        "type: Prometheus\n            spec:\n              query: http",
        "type: Datadog\n            spec:\n              query: http",
    );
    let err = import_openslo(&yaml).unwrap_err();
    assert_eq!(err.document, 2);
    assert_eq!(
        err.field,
        "spec.indicator.spec.ratioMetric.total.metricSource"
    );
    assert!(err.to_string().contains("Datadog"), "{err}");

    let yaml = fixture("openslo-ratio.yaml")
        .replace("indicatorRef: checkout-errors", "indicatorRef: nope");
    let err = import_openslo(&yaml).unwrap_err();
    assert_eq!((err.document, err.field.as_str()), (4, "spec.indicatorRef"));

    let yaml = fixture("openslo-ratio.yaml").replace(
        "duration: 28d\n      isRolling: true",
        "duration: 1M\n      isRolling: false",
    );
    let err = import_openslo(&yaml).unwrap_err();
    assert_eq!(err.field, "spec.timeWindow[0].isRolling");

    let yaml = fixture("openslo-ratio.yaml").replace("target: 0.999", "target: 99.9");
    let err = import_openslo(&yaml).unwrap_err();
    assert_eq!(
        (err.document, err.field.as_str()),
        (4, "spec.objectives[0].target")
    );

    let v1alpha = "apiVersion: openslo/v1alpha\nkind: SLO\n";
    assert_eq!(import_openslo(v1alpha).unwrap_err().field, "apiVersion");
}

#[test]
fn openslo_queries_get_a_window() {
    assert_eq!(
        windowed("sum(rate(x_total[5m])) + sum(rate(y_total[1h]))", false).unwrap(),
        "sum(rate(x_total[{{.window}}])) + sum(rate(y_total[{{.window}}]))"
    );
    // A subquery's range is not the SLI's window.
    assert_eq!(
        windowed("max_over_time(rate(x_total[5m])[1h:1m])", false).unwrap(),
        "max_over_time(rate(x_total[{{.window}}])[1h:1m])"
    );
    assert_eq!(
        windowed(r#"x_total{a="[b]"}"#, true).unwrap(),
        r#"sum(rate(x_total{a="[b]"}[{{.window}}]))"#
    );
    assert!(windowed("x_gauge", false).is_err(), "a gauge is not events");
    assert!(windowed("sum(x_total)", true).is_err());
}

// ---- a whole evaluation over the Local source ----

fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.into())),
        }),
        ..Default::default()
    }
}

/// Two days of one-minute cumulative points for service "checkout": 1,000 requests a minute,
/// 0.2 % errors, then 2 % for the last six hours; 1 % of requests slower than 0.5 s.
fn two_days_of_requests(end_s: u64) -> ExportMetricsServiceRequest {
    let minutes = 2 * 24 * 60;
    let (mut ok, mut err, mut buckets) = (Vec::new(), Vec::new(), Vec::new());
    let (mut n_ok, mut n_err) = (0.0, 0.0);
    for i in 0..=minutes {
        let t = (end_s - (minutes - i) * 60) * 1_000_000_000;
        if i > 0 {
            let errors = if i > minutes - 6 * 60 { 20.0 } else { 2.0 };
            n_err += errors;
            n_ok += 1000.0 - errors;
        }
        for (points, v, code) in [(&mut ok, n_ok, "200"), (&mut err, n_err, "500")] {
            points.push(NumberDataPoint {
                attributes: vec![kv("code", code)],
                time_unix_nano: t,
                value: Some(number_data_point::Value::AsDouble(v)),
                ..Default::default()
            });
        }
        let total = i * 1000;
        buckets.push(HistogramDataPoint {
            time_unix_nano: t,
            count: total,
            bucket_counts: vec![total * 9 / 10, total * 9 / 100, total / 100],
            explicit_bounds: vec![0.1, 0.5],
            ..Default::default()
        });
    }
    let sum = |points| {
        metric::Data::Sum(Sum {
            data_points: points,
            aggregation_temporality: AggregationTemporality::Cumulative as i32,
            is_monotonic: true,
        })
    };
    let mut all = ok;
    all.extend(err);
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(Resource {
                attributes: vec![kv("service.name", "checkout")],
                ..Default::default()
            }),
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![
                    Metric {
                        name: "http_requests".into(),
                        data: Some(sum(all)),
                        ..Default::default()
                    },
                    Metric {
                        name: "http_server_duration_seconds".into(),
                        data: Some(metric::Data::Histogram(Histogram {
                            data_points: buckets,
                            aggregation_temporality: AggregationTemporality::Cumulative as i32,
                        })),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

#[tokio::test]
async fn the_local_source_evaluates_ratio_and_latency_slos() {
    let end = 1_706_659_200u64;
    let store = LocalStore::new(256 * 1024 * 1024);
    store.append_metrics(two_days_of_requests(end)).unwrap();
    let engine = LocalEngine { store: &store };
    let preset = BurnPreset::sre_workbook_30d();

    let mut def = ratio_slo(0.999);
    def.window = SloWindow { days: 1 };
    let status = evaluate(
        &engine,
        &def,
        &preset,
        &RecordedRules::none(),
        end as f64,
        48,
    )
    .await
    .expect("local status");
    assert!(status.notes.is_empty(), "{:?}", status.notes);
    for secs in [300.0, 1800.0, HOUR, 2.0 * HOUR, 6.0 * HOUR] {
        let b = status.burn_rate(secs).expect("burn");
        assert!((b - 20.0).abs() < 1e-6, "burn over {secs}s: {b}");
    }
    // Last day: 18 h at 0.2 % and 6 h at 2 %: e = 0.0065, budget 1 − 6.5.
    assert!(
        (status.error_ratio.unwrap() - 0.0065).abs() < 1e-5,
        "{:?}",
        status.error_ratio
    );
    assert!(
        (status.budget_remaining.unwrap() + 5.5).abs() < 1e-2,
        "{:?}",
        status.budget_remaining
    );
    assert_eq!(status.alerts[0].state, AlertState::Page);
    assert!(!status.budget.is_empty() && !status.sli.is_empty());

    let mut latency = ratio_slo(0.99);
    latency.window = SloWindow { days: 1 };
    latency.sli = Sli::Latency {
        bucket_metric: "http_server_duration_seconds_bucket".into(),
        threshold_le: "0.5".into(),
        selector: r#"service_name="checkout""#.into(),
    };
    let status = evaluate(
        &engine,
        &latency,
        &preset,
        &RecordedRules::none(),
        end as f64,
        24,
    )
    .await
    .expect("local latency status");
    assert!(
        (status.error_ratio.unwrap() - 0.01).abs() < 1e-9,
        "{:?}",
        status.error_ratio
    );
    assert!((status.burn_rate(HOUR).unwrap() - 1.0).abs() < 1e-6);
    assert!(status.budget_remaining.unwrap().abs() < 1e-6);
}

#[tokio::test]
async fn an_invalid_definition_is_refused_before_any_query() {
    let store = LocalStore::new(1024 * 1024);
    let engine = LocalEngine { store: &store };
    let preset = BurnPreset::sre_workbook_30d();
    let err = evaluate(
        &engine,
        &ratio_slo(99.9),
        &preset,
        &RecordedRules::none(),
        0.0,
        10,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, signalscope::slo::SloError::Invalid(ref e) if e.field == "objective"));
    assert!(err.to_string().contains("write 99.9 % as 0.999"), "{err}");
}

#[tokio::test]
async fn an_empty_local_store_is_no_data_everywhere() {
    let store = LocalStore::new(1024 * 1024);
    let engine = LocalEngine { store: &store };
    let preset = BurnPreset::sre_workbook_30d();
    let status = evaluate(
        &engine,
        &ratio_slo(0.999),
        &preset,
        &RecordedRules::none(),
        1e9,
        10,
    )
    .await
    .expect("no data is not an error");
    assert_eq!(status.error_ratio, None);
    assert!(status.burn_rates.iter().all(|b| b.burn_rate.is_none()));
    assert_eq!(status.state, AlertState::NoData);
    assert_eq!(status.exhaustion, Exhaustion::NoData);
    assert!(status.budget.is_empty() && status.sli.is_empty() && status.burn.is_empty());
}
