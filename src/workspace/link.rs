//! A link: where a click leads, as a typed value — the signal and what to show of it, the
//! connection (by name, so a link survives being pasted into another workspace) and the time
//! range. Panels emit links; the app resolves them. A link is also a `signalscope://` URI that
//! reproduces the view.

use crate::model::{SpanId, TraceId};
use chrono::{DateTime, Utc};

pub const SCHEME: &str = "signalscope";

#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub to: LinkTarget,
    /// The connection to open the target on, by name; `None` keeps the target panel's own.
    pub connection: Option<String>,
    /// The range to show; `None` keeps the current one.
    pub range: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LinkTarget {
    /// Log lines: of a stream (log labels, e.g. `service_name`), of a trace, or a query.
    Logs(LogsFocus),
    /// One trace, with a span to select.
    Trace {
        trace_id: TraceId,
        span: Option<SpanId>,
    },
    /// A trace search: a service's traces, the slow ones if `min_duration_ms` is set.
    TraceSearch {
        service: String,
        min_duration_ms: Option<f64>,
        errors_only: bool,
    },
    /// A chart of these PromQL queries.
    Metrics { queries: Vec<String> },
    /// A service's request rate, errors and duration, from the workspace's templates.
    ServiceMetrics { service: String },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogsFocus {
    /// Log labels and values the lines' stream must have.
    pub labels: Vec<(String, String)>,
    /// Only lines at error level or above.
    pub errors_only: bool,
    pub trace_id: Option<TraceId>,
    pub span_id: Option<SpanId>,
    /// An explicit LogQL query (Loki); when set it wins over the fields above there.
    pub logql: Option<String>,
}

impl LogsFocus {
    /// The service the lines belong to, from the `service_name` label.
    pub fn service(&self) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == super::correlation::SERVICE_LABEL)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a URI is not a link.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LinkError {
    #[error("not a signalscope:// link: {0}")]
    NotALink(String),
    #[error("unknown link kind “{0}” (expected logs, trace, traces or metrics)")]
    UnknownKind(String),
    #[error("“{0}” is not a valid {1}")]
    BadValue(String, &'static str),
    #[error("the link has no {0}")]
    Missing(&'static str),
}

impl Link {
    pub fn new(to: LinkTarget) -> Self {
        Self {
            to,
            connection: None,
            range: None,
        }
    }

    pub fn with_range(mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        self.range = Some((from, to));
        self
    }

    /// A few words for the breadcrumb and the Back button's tooltip.
    pub fn label(&self) -> String {
        match &self.to {
            LinkTarget::Logs(f) => {
                let mut s = "Logs".to_owned();
                if let Some(service) = f.service() {
                    s.push_str(&format!(" of {service}"));
                }
                if let Some(t) = f.trace_id {
                    s.push_str(&format!(" of trace {}", short(&t.to_string())));
                }
                if f.errors_only {
                    s.push_str(", errors");
                }
                s
            }
            LinkTarget::Trace { trace_id, .. } => {
                format!("Trace {}", short(&trace_id.to_string()))
            }
            LinkTarget::TraceSearch {
                service,
                min_duration_ms,
                ..
            } => match min_duration_ms {
                Some(ms) => format!("Traces of {service} over {ms:.0} ms"),
                None => format!("Traces of {service}"),
            },
            LinkTarget::Metrics { queries } => match queries.first() {
                Some(q) => format!("Metrics {}", short_query(q)),
                None => "Metrics".to_owned(),
            },
            LinkTarget::ServiceMetrics { service } => format!("Metrics of {service}"),
        }
    }

    /// The `signalscope://` URI of this link.
    pub fn to_uri(&self) -> String {
        let (path, mut pairs): (String, Vec<(&str, String)>) = match &self.to {
            LinkTarget::Logs(f) => {
                let mut p: Vec<(&str, String)> = Vec::new();
                for (k, v) in &f.labels {
                    p.push(("label", format!("{k}={v}")));
                }
                if f.errors_only {
                    p.push(("errors", "1".into()));
                }
                if let Some(t) = f.trace_id {
                    p.push(("trace", t.to_string()));
                }
                if let Some(s) = f.span_id {
                    p.push(("span", s.to_string()));
                }
                if let Some(q) = &f.logql {
                    p.push(("logql", q.clone()));
                }
                ("logs".into(), p)
            }
            LinkTarget::Trace { trace_id, span } => (
                format!("trace/{trace_id}"),
                span.iter().map(|s| ("span", s.to_string())).collect(),
            ),
            LinkTarget::TraceSearch {
                service,
                min_duration_ms,
                errors_only,
            } => {
                let mut p = vec![("service", service.clone())];
                if let Some(ms) = min_duration_ms {
                    p.push(("min_duration_ms", ms.to_string()));
                }
                if *errors_only {
                    p.push(("errors", "1".into()));
                }
                ("traces".into(), p)
            }
            LinkTarget::Metrics { queries } => (
                "metrics".into(),
                queries.iter().map(|q| ("query", q.clone())).collect(),
            ),
            LinkTarget::ServiceMetrics { service } => {
                ("metrics".into(), vec![("service", service.clone())])
            }
        };
        if let Some(c) = &self.connection {
            pairs.insert(0, ("connection", c.clone()));
        }
        if let Some((from, to)) = self.range {
            pairs.push((
                "from",
                from.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            ));
            pairs.push((
                "to",
                to.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            ));
        }
        let mut url = url::Url::parse(&format!("{SCHEME}://{path}"))
            .unwrap_or_else(|_| url::Url::parse("signalscope://logs").expect("a constant URL"));
        if !pairs.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        }
        url.to_string()
    }

    /// Reads a `signalscope://` URI; `signalscope://open?workspace=…` (a workspace, not a
    /// view) is not a link.
    pub fn from_uri(text: &str) -> Result<Self, LinkError> {
        let text = text.trim();
        let url = url::Url::parse(text).map_err(|_| LinkError::NotALink(text.to_owned()))?;
        if url.scheme() != SCHEME {
            return Err(LinkError::NotALink(text.to_owned()));
        }
        let kind = url.host_str().unwrap_or_default().to_owned();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let flag = |key: &str| matches!(get(key), Some("1" | "true" | "yes"));
        let trace_id = |text: &str| {
            TraceId::parse_hex(text).ok_or_else(|| LinkError::BadValue(text.into(), "trace id"))
        };
        let span_id = |text: &str| {
            SpanId::parse_hex(text).ok_or_else(|| LinkError::BadValue(text.into(), "span id"))
        };
        let to = match kind.as_str() {
            "logs" => {
                let mut labels = Vec::new();
                for (k, v) in pairs.iter().filter(|(k, _)| k == "label") {
                    let _ = k;
                    let (name, value) = v
                        .split_once('=')
                        .ok_or_else(|| LinkError::BadValue(v.clone(), "label (name=value)"))?;
                    labels.push((name.to_owned(), value.to_owned()));
                }
                LinkTarget::Logs(LogsFocus {
                    labels,
                    errors_only: flag("errors"),
                    trace_id: get("trace").map(trace_id).transpose()?,
                    span_id: get("span").map(span_id).transpose()?,
                    logql: get("logql").map(str::to_owned),
                })
            }
            "trace" => {
                let id = url.path().trim_matches('/');
                if id.is_empty() {
                    return Err(LinkError::Missing("trace id"));
                }
                LinkTarget::Trace {
                    trace_id: trace_id(id)?,
                    span: get("span").map(span_id).transpose()?,
                }
            }
            "traces" => LinkTarget::TraceSearch {
                service: get("service")
                    .ok_or(LinkError::Missing("service"))?
                    .to_owned(),
                min_duration_ms: get("min_duration_ms")
                    .map(|v| {
                        v.parse::<f64>()
                            .ok()
                            .filter(|ms| ms.is_finite() && *ms >= 0.0)
                            .ok_or_else(|| LinkError::BadValue(v.into(), "duration in ms"))
                    })
                    .transpose()?,
                errors_only: flag("errors"),
            },
            "metrics" => {
                let queries: Vec<String> = pairs
                    .iter()
                    .filter(|(k, _)| k == "query")
                    .map(|(_, v)| v.clone())
                    .collect();
                match (queries.is_empty(), get("service")) {
                    (false, _) => LinkTarget::Metrics { queries },
                    (true, Some(service)) => LinkTarget::ServiceMetrics {
                        service: service.to_owned(),
                    },
                    (true, None) => return Err(LinkError::Missing("query or service")),
                }
            }
            other => return Err(LinkError::UnknownKind(other.to_owned())),
        };
        let time = |key: &'static str| {
            get(key)
                .map(|v| parse_time(v).ok_or_else(|| LinkError::BadValue(v.into(), "time")))
                .transpose()
        };
        let range = match (time("from")?, time("to")?) {
            (Some(from), Some(to)) if from < to => Some((from, to)),
            (Some(from), Some(to)) => {
                return Err(LinkError::BadValue(
                    format!("{from} … {to}"),
                    "time range (from before to)",
                ));
            }
            (None, None) => None,
            (Some(_), None) => return Err(LinkError::Missing("to")),
            (None, Some(_)) => return Err(LinkError::Missing("from")),
        };
        Ok(Self {
            to,
            connection: get("connection").map(str::to_owned),
            range,
        })
    }
}

/// RFC 3339, or Unix seconds (with a fraction).
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let secs = text.parse::<f64>().ok().filter(|s| s.is_finite())?;
    DateTime::from_timestamp_millis((secs * 1000.0).round() as i64)
}

fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}

fn short_query(q: &str) -> String {
    let q = q.trim();
    if q.chars().count() <= 40 {
        q.to_owned()
    } else {
        format!("{}…", q.chars().take(39).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn range() -> (DateTime<Utc>, DateTime<Utc>) {
        (
            Utc.timestamp_opt(1_795_500_000, 0).unwrap(),
            Utc.timestamp_opt(1_795_500_060, 500_000_000).unwrap(),
        )
    }

    #[test]
    fn every_kind_of_link_survives_its_uri() {
        let trace = TraceId::parse_hex("bdd640fb06671ad11c80317fa3b1799d").unwrap();
        let span = SpanId::parse_hex("0102030405060708").unwrap();
        let (from, to) = range();
        let links = [
            Link::new(LinkTarget::Logs(LogsFocus {
                labels: vec![
                    ("service_name".into(), "check out&co".into()),
                    ("host".into(), "a=b".into()),
                ],
                errors_only: true,
                trace_id: Some(trace),
                span_id: Some(span),
                logql: Some(r#"{service_name="x"} |= "a b" # ?&"#.into()),
            }))
            .with_range(from, to),
            Link::new(LinkTarget::Trace {
                trace_id: trace,
                span: Some(span),
            }),
            Link::new(LinkTarget::TraceSearch {
                service: "payment".into(),
                min_duration_ms: Some(250.5),
                errors_only: true,
            })
            .with_range(from, to),
            Link::new(LinkTarget::ServiceMetrics {
                service: "checkout".into(),
            }),
            Link {
                to: LinkTarget::Metrics {
                    queries: vec!["sum(rate(x{a=\"b\"}[1m]))".into(), "up".into()],
                },
                connection: Some("Prometheus prod".into()),
                range: Some((from, to)),
            },
        ];
        for link in links {
            let uri = link.to_uri();
            assert!(uri.starts_with("signalscope://"), "{uri}");
            assert_eq!(Link::from_uri(&uri), Ok(link.clone()), "{uri}");
        }
    }

    #[test]
    fn bad_links_say_what_is_wrong() {
        assert!(matches!(
            Link::from_uri("https://example.com"),
            Err(LinkError::NotALink(_))
        ));
        assert!(matches!(
            Link::from_uri("signalscope://dashboards"),
            Err(LinkError::UnknownKind(k)) if k == "dashboards"
        ));
        assert!(matches!(
            Link::from_uri("signalscope://trace/xyz"),
            Err(LinkError::BadValue(v, "trace id")) if v == "xyz"
        ));
        assert_eq!(
            Link::from_uri("signalscope://trace/"),
            Err(LinkError::Missing("trace id"))
        );
        assert_eq!(
            Link::from_uri("signalscope://metrics?from=1&to=2"),
            Err(LinkError::Missing("query or service"))
        );
        assert_eq!(
            Link::from_uri("signalscope://traces?service=a&from=10"),
            Err(LinkError::Missing("to"))
        );
        assert!(matches!(
            Link::from_uri("signalscope://traces?service=a&from=10&to=5"),
            Err(LinkError::BadValue(_, _))
        ));
        assert!(matches!(
            Link::from_uri("signalscope://logs?label=nolabel"),
            Err(LinkError::BadValue(_, _))
        ));
        // Unix seconds are accepted for hand-written links.
        let l = Link::from_uri("signalscope://traces?service=a&from=10&to=20.5").unwrap();
        assert_eq!(
            l.range,
            Some((
                Utc.timestamp_opt(10, 0).unwrap(),
                Utc.timestamp_opt(20, 500_000_000).unwrap()
            ))
        );
    }

    #[test]
    fn labels_name_the_target() {
        let trace = TraceId::parse_hex("bdd640fb06671ad11c80317fa3b1799d").unwrap();
        let logs = Link::new(LinkTarget::Logs(LogsFocus {
            labels: vec![("service_name".into(), "checkout".into())],
            errors_only: true,
            ..LogsFocus::default()
        }));
        assert_eq!(logs.label(), "Logs of checkout, errors");
        let t = Link::new(LinkTarget::Trace {
            trace_id: trace,
            span: None,
        });
        assert_eq!(t.label(), "Trace bdd640fb");
    }
}
