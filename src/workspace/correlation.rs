//! How one signal finds another: which metric labels name a log stream, the trace-id pattern
//! in log lines, and the query templates a span's or a series' links fill in. Saved in the
//! workspace; the defaults need no configuration for OpenTelemetry data (`service.name`
//! becomes `service_name` in Prometheus and Loki, `job` in Prometheus' own scrape) and for the
//! demo workload.

use super::link::LogsFocus;
use crate::analysis::logql_edit::stream_selector;
use crate::analysis::promql_completion::escape_in_string;
use crate::analysis::trace_link::DEFAULT_TRACE_PATTERN;
use serde::{Deserialize, Serialize};

/// A metric label and the log stream label it corresponds to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelMapping {
    pub metric: String,
    pub logs: String,
}

impl LabelMapping {
    pub fn new(metric: &str, logs: &str) -> Self {
        Self {
            metric: metric.to_owned(),
            logs: logs.to_owned(),
        }
    }
}

/// The log label that names a service (OpenTelemetry's `service.name` in Loki).
pub const SERVICE_LABEL: &str = "service_name";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Correlations {
    /// Metric label → log label, in order; a series' labels that map become the log stream
    /// selector of its logs. Several metric labels may map to one log label: the first wins.
    pub label_map: Vec<LabelMapping>,
    /// The regex that finds a trace id in a log line (group `trace_id`, optional `span_id`).
    pub trace_id_pattern: String,
    /// LogQL of a span's logs; `${trace_id}`, `${span_id}` and `${service}` are filled in.
    pub span_logs: String,
    /// LogQL of a service's error lines; `${service}`.
    pub service_errors: String,
    /// PromQL of a service's request rate, errors and duration (span → metrics); `${service}`.
    pub span_metrics: Vec<String>,
}

impl Default for Correlations {
    fn default() -> Self {
        Self {
            label_map: vec![
                LabelMapping::new("service_name", SERVICE_LABEL),
                LabelMapping::new("service", SERVICE_LABEL),
                LabelMapping::new("job", SERVICE_LABEL),
                LabelMapping::new("instance", "host"),
            ],
            trace_id_pattern: DEFAULT_TRACE_PATTERN.to_owned(),
            span_logs: r#"{service_name=~".+"} |= "${trace_id}""#.to_owned(),
            service_errors: r#"{service_name="${service}"} |~ "(?i)error""#.to_owned(),
            span_metrics: vec![
                r#"sum(rate(http_server_request_duration_count{service_name="${service}"}[1m]))"#
                    .to_owned(),
                r#"sum(rate(http_server_request_duration_count{service_name="${service}",http_response_status_code=~"5.."}[1m]))"#
                    .to_owned(),
                r#"histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_bucket{service_name="${service}"}[1m])))"#
                    .to_owned(),
            ],
        }
    }
}

impl Correlations {
    /// The LogQL that asks Loki for the lines a link focuses on: an explicit query as it is;
    /// a trace's lines by the span-logs template; a service's errors by the service-errors
    /// template; else the stream selector of the labels (error lines only if asked).
    pub fn logql(&self, focus: &LogsFocus) -> String {
        if let Some(q) = &focus.logql {
            return q.clone();
        }
        let service = focus.service().unwrap_or_default();
        if let Some(trace) = focus.trace_id {
            let span = focus.span_id.map(|s| s.to_string()).unwrap_or_default();
            return fill(
                &self.span_logs,
                &[
                    ("trace_id", &trace.to_string()),
                    ("span_id", &span),
                    ("service", service),
                ],
            );
        }
        if focus.errors_only && !service.is_empty() {
            return fill(&self.service_errors, &[("service", service)]);
        }
        let mut q = if focus.labels.is_empty() {
            // Loki needs one matcher that is not empty-compatible.
            format!("{{{SERVICE_LABEL}=~\".+\"}}")
        } else {
            stream_selector(&focus.labels)
        };
        if focus.errors_only {
            q.push_str(r#" |~ "(?i)error""#);
        }
        q
    }

    /// The PromQL of a service's request rate, errors and duration.
    pub fn service_metrics(&self, service: &str) -> Vec<String> {
        self.span_metrics
            .iter()
            .map(|t| fill(t, &[("service", service)]))
            .collect()
    }

    /// What is wrong with the rules, for the editor: a pattern that is not a regex, a
    /// mapping with an empty side.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Err(e) = regex::Regex::new(&self.trace_id_pattern) {
            out.push(format!("The trace-id pattern is not a valid regex: {e}"));
        }
        for (i, m) in self.label_map.iter().enumerate() {
            if m.metric.trim().is_empty() || m.logs.trim().is_empty() {
                out.push(format!("Mapping {} needs both labels", i + 1));
            }
        }
        out
    }

    /// The log labels a series' labels map to, in mapping order, one value per log label.
    pub fn log_labels(&self, series: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for mapping in &self.label_map {
            if out.iter().any(|(k, _)| *k == mapping.logs) {
                continue;
            }
            if let Some((_, value)) = series.iter().find(|(k, _)| *k == mapping.metric)
                && !value.is_empty()
            {
                out.push((mapping.logs.clone(), (*value).to_owned()));
            }
        }
        out
    }
}

/// Whether a query counts failures (5xx status codes, errors), so its series' logs open at
/// error level and its traces with errors only.
pub fn query_counts_errors(query: &str) -> bool {
    let q = query.to_ascii_lowercase();
    q.contains("5..") || q.contains("5xx") || q.contains("error") || q.contains("fail")
}

/// `template` with each `${name}` replaced by its value from `values`, escaped for a
/// double-quoted string (LogQL's and PromQL's are both Go-style).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("${{{name}}}"), &escape_in_string(value, '"'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_labels_map_to_log_labels_first_mapping_wins() {
        let c = Correlations::default();
        let labels = [
            ("job", "api"),
            ("service_name", "checkout"),
            ("instance", "10.0.0.1:9090"),
        ];
        assert_eq!(
            c.log_labels(&labels),
            [
                ("service_name".to_owned(), "checkout".to_owned()),
                ("host".to_owned(), "10.0.0.1:9090".to_owned())
            ]
        );
        // Only `job`: it names the service.
        assert_eq!(
            c.log_labels(&[("job", "api"), ("le", "0.5")]),
            [("service_name".to_owned(), "api".to_owned())]
        );
        assert!(c.log_labels(&[("le", "0.5")]).is_empty());
        assert!(c.log_labels(&[("job", "")]).is_empty());
    }

    #[test]
    fn logql_of_each_kind_of_focus() {
        use crate::model::{SpanId, TraceId};
        let c = Correlations::default();
        let trace = TraceId::parse_hex("bdd640fb06671ad11c80317fa3b1799d").unwrap();
        let service = |s: &str| vec![(SERVICE_LABEL.to_owned(), s.to_owned())];
        assert_eq!(
            c.logql(&LogsFocus {
                labels: service("checkout"),
                trace_id: Some(trace),
                span_id: SpanId::parse_hex("0102030405060708"),
                ..LogsFocus::default()
            }),
            r#"{service_name=~".+"} |= "bdd640fb06671ad11c80317fa3b1799d""#
        );
        assert_eq!(
            c.logql(&LogsFocus {
                labels: service("a\"b"),
                errors_only: true,
                ..LogsFocus::default()
            }),
            r#"{service_name="a\"b"} |~ "(?i)error""#
        );
        let mut labels = service("checkout");
        labels.push(("host".into(), "h1".into()));
        assert_eq!(
            c.logql(&LogsFocus {
                labels,
                ..LogsFocus::default()
            }),
            r#"{service_name="checkout", host="h1"}"#
        );
        assert_eq!(
            c.logql(&LogsFocus {
                errors_only: true,
                ..LogsFocus::default()
            }),
            r#"{service_name=~".+"} |~ "(?i)error""#
        );
        assert_eq!(
            c.logql(&LogsFocus {
                logql: Some("{a=\"b\"}".into()),
                errors_only: true,
                ..LogsFocus::default()
            }),
            "{a=\"b\"}"
        );
        let custom = Correlations {
            span_logs: r#"{job="${service}"} | json | span_id="${span_id}""#.into(),
            ..Correlations::default()
        };
        assert_eq!(
            custom.logql(&LogsFocus {
                labels: service("pay"),
                trace_id: Some(trace),
                span_id: SpanId::parse_hex("0102030405060708"),
                ..LogsFocus::default()
            }),
            r#"{job="pay"} | json | span_id="0102030405060708""#
        );
        assert_eq!(
            c.service_metrics("checkout")[0],
            r#"sum(rate(http_server_request_duration_count{service_name="checkout"}[1m]))"#
        );
    }

    #[test]
    fn problems_name_a_bad_pattern_and_half_mappings() {
        assert!(Correlations::default().problems().is_empty());
        let bad = Correlations {
            trace_id_pattern: "(".into(),
            label_map: vec![LabelMapping::new("job", " ")],
            ..Correlations::default()
        };
        let problems = bad.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("not a valid regex"));
        assert_eq!(problems[1], "Mapping 1 needs both labels");
    }

    #[test]
    fn error_queries_are_told_from_the_rest() {
        assert!(query_counts_errors(
            r#"sum(rate(x{http_response_status_code=~"5.."}[1m]))"#
        ));
        assert!(query_counts_errors("rate(grpc_errors_total[5m])"));
        assert!(query_counts_errors("sum(rate(jobs_Failed[5m]))"));
        assert!(!query_counts_errors("sum(rate(http_requests_total[5m]))"));
    }

    #[test]
    fn templates_fill_every_placeholder_escaped() {
        let c = Correlations::default();
        assert_eq!(
            fill(&c.span_logs, &[("trace_id", "bdd640fb"), ("span_id", "x")]),
            r#"{service_name=~".+"} |= "bdd640fb""#
        );
        assert_eq!(
            fill(&c.service_errors, &[("service", "a\"b\\c")]),
            r#"{service_name="a\"b\\c"} |~ "(?i)error""#
        );
        assert_eq!(fill("${x}${x}", &[("x", "1")]), "11");
    }
}
