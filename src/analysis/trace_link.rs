//! Finding a trace id in a log line, so the table can offer "View trace".
//!
//! The pattern is a per-connection regex. Its capture group named `trace_id` (else its first
//! group, else the whole match) is the trace id; a group named `span_id` is the span id. The
//! default recognises `trace_id=…`, `traceID`, `traceId`, `"trace_id":"…"` and a W3C
//! `traceparent` value (`00-<32 hex>-<16 hex>-<2 hex>`).

use crate::model::{SpanId, TraceId};
use regex::Regex;
use std::ops::Range;

/// The default pattern. Ids of 16 hex digits (64-bit Jaeger ids) are accepted too.
pub const DEFAULT_TRACE_PATTERN: &str = concat!(
    r"(?i)\b00-(?P<tp_trace>[0-9a-f]{32})-(?P<tp_span>[0-9a-f]{16})-[0-9a-f]{2}\b",
    r#"|\btrace[_-]?id"?\s*[=:]\s*"?(?P<trace_id>[0-9a-f]{32}|[0-9a-f]{16})\b"#,
);

/// Finds a span id beside a trace id found by key (`span_id=…`, `"spanId":"…"`).
const SPAN_PATTERN: &str = r#"(?i)\bspan[_-]?id"?\s*[=:]\s*"?([0-9a-f]{16})\b"#;

/// A trace id found in a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceLink {
    pub trace_id: TraceId,
    pub span_id: Option<SpanId>,
    /// Byte range of the trace id in the line, for underlining it.
    pub range: Range<usize>,
}

/// A compiled trace-id pattern.
#[derive(Clone, Debug)]
pub struct TraceLinkPattern {
    regex: Regex,
    span: Option<Regex>,
}

impl Default for TraceLinkPattern {
    fn default() -> Self {
        // Both patterns are constants covered by the tests below.
        Self {
            regex: Regex::new(DEFAULT_TRACE_PATTERN).expect("default trace pattern compiles"),
            span: Some(Regex::new(SPAN_PATTERN).expect("span pattern compiles")),
        }
    }
}

impl TraceLinkPattern {
    /// The workspace's pattern: the default (with its span-id companion) when it is the
    /// default text, else the user's regex.
    pub fn configured(pattern: &str) -> Result<Self, regex::Error> {
        if pattern == DEFAULT_TRACE_PATTERN {
            Ok(Self::default())
        } else {
            Self::new(pattern)
        }
    }

    /// Gives each row of `batch` without a trace id the one its line holds (and the span id
    /// beside it); returns how many rows gained one.
    pub fn fill(&self, batch: &mut crate::model::LogBatch) -> usize {
        let mut found = 0;
        for i in 0..batch.len() {
            if batch.trace_id[i].is_some() {
                continue;
            }
            if let Some(link) = self.find(batch.body(i)) {
                batch.trace_id[i] = Some(link.trace_id);
                if batch.span_id[i].is_none() {
                    batch.span_id[i] = link.span_id;
                }
                found += 1;
            }
        }
        found
    }

    /// A user's pattern. An invalid regex is an error the settings dialog can show.
    pub fn new(pattern: &str) -> Result<Self, regex::Error> {
        Ok(Self {
            regex: Regex::new(pattern)?,
            span: None,
        })
    }

    /// The first trace id in `line`, if any.
    pub fn find(&self, line: &str) -> Option<TraceLink> {
        for caps in self.regex.captures_iter(line) {
            let trace = ["trace_id", "tp_trace"]
                .iter()
                .find_map(|n| caps.name(n))
                .or_else(|| caps.get(1))
                .or_else(|| caps.get(0))?;
            let Some(trace_id) = parse_trace_id(trace.as_str()) else {
                continue;
            };
            let span_id = ["span_id", "tp_span"]
                .iter()
                .find_map(|n| caps.name(n))
                .and_then(|m| SpanId::parse_hex(m.as_str()))
                .or_else(|| {
                    let span = self.span.as_ref()?;
                    span.captures(line)
                        .and_then(|c| c.get(1))
                        .and_then(|m| SpanId::parse_hex(m.as_str()))
                });
            return Some(TraceLink {
                trace_id,
                span_id,
                range: trace.range(),
            });
        }
        None
    }
}

/// 32 hex digits, or 16 (a 64-bit id, zero-extended as Jaeger and Tempo do).
fn parse_trace_id(hex: &str) -> Option<TraceId> {
    match hex.len() {
        32 => TraceId::parse_hex(hex),
        16 => TraceId::parse_hex(&format!("{:0>32}", hex)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "bdd640fb06671ad11c80317fa3b1799d";

    fn found(line: &str) -> Option<(String, Option<String>)> {
        TraceLinkPattern::default()
            .find(line)
            .map(|l| (l.trace_id.to_string(), l.span_id.map(|s| s.to_string())))
    }

    #[test]
    fn fill_gives_rows_the_ids_their_lines_hold_and_keeps_those_they_have() {
        use crate::model::{LogBatch, TraceId};
        let own = TraceId::parse_hex("0af7651916cd43dd8448eb211c80319c").unwrap();
        let mut batch = LogBatch::default();
        batch.push(
            1,
            "",
            0,
            &format!("a trace_id={T} span_id=bd9c66b3ad3c2d6d"),
            None,
            None,
        );
        batch.push(2, "", 0, "no id here", None, None);
        batch.push(3, "", 0, &format!("trace_id={T}"), Some(own), None);
        let found = TraceLinkPattern::configured(DEFAULT_TRACE_PATTERN)
            .unwrap()
            .fill(&mut batch);
        assert_eq!(found, 1);
        assert_eq!(batch.trace_id[0].map(|t| t.to_string()).as_deref(), Some(T));
        assert_eq!(
            batch.span_id[0].map(|s| s.to_string()).as_deref(),
            Some("bd9c66b3ad3c2d6d")
        );
        assert_eq!(batch.trace_id[1], None);
        assert_eq!(batch.trace_id[2], Some(own));
        // A user's pattern with its own group name.
        let mut batch = LogBatch::default();
        batch.push(1, "", 0, &format!("tid:{T}"), None, None);
        let custom = TraceLinkPattern::configured(r"tid:(?P<trace_id>[0-9a-f]{32})").unwrap();
        assert_eq!(custom.fill(&mut batch), 1);
        assert!(TraceLinkPattern::configured("(").is_err());
    }

    #[test]
    fn default_pattern_recognises_the_common_spellings() {
        let lines = [
            format!("level=info msg=x trace_id={T} span_id=bd9c66b3ad3c2d6d"),
            format!(r#"{{"msg":"x","trace_id":"{T}","span_id":"bd9c66b3ad3c2d6d"}}"#),
            format!(r#"{{"traceID": "{T}", "spanID": "bd9c66b3ad3c2d6d"}}"#),
            format!("traceId={} spanId=bd9c66b3ad3c2d6d", T.to_uppercase()),
        ];
        for line in &lines {
            assert_eq!(
                found(line),
                Some((T.to_owned(), Some("bd9c66b3ad3c2d6d".to_owned()))),
                "{line}"
            );
        }
    }

    #[test]
    fn traceparent_gives_trace_and_span() {
        let line = format!("GET /checkout traceparent=00-{T}-9a1de644815ef6d1-01 status=500");
        assert_eq!(
            found(&line),
            Some((T.to_owned(), Some("9a1de644815ef6d1".to_owned())))
        );
        let link = TraceLinkPattern::default().find(&line).unwrap();
        assert_eq!(&line[link.range], T);
    }

    #[test]
    fn near_misses_are_not_trace_ids() {
        assert_eq!(found(&format!("trace_id={T}ff")), None, "too long");
        assert_eq!(found("trace_id=xyz"), None);
        assert_eq!(found(&format!("request_id={T}")), None, "another id");
        assert_eq!(
            found("trace_id=00000000000000000000000000000000"),
            None,
            "all-zero id"
        );
    }

    #[test]
    fn a_64_bit_id_is_zero_extended() {
        assert_eq!(
            found("traceID=1c80317fa3b1799d").map(|f| f.0),
            Some("00000000000000001c80317fa3b1799d".to_owned())
        );
    }

    #[test]
    fn user_pattern_uses_its_named_or_first_group() {
        let p = TraceLinkPattern::new(r"tid:(\w+)").unwrap();
        assert_eq!(
            p.find(&format!("x tid:{T} y"))
                .map(|l| l.trace_id.to_string()),
            Some(T.to_owned())
        );
        let p = TraceLinkPattern::new(r"t=(?P<trace_id>[0-9a-f]{32})/(?P<span_id>[0-9a-f]{16})")
            .unwrap();
        let l = p.find(&format!("t={T}/9a1de644815ef6d1")).unwrap();
        assert_eq!(
            l.span_id.map(|s| s.to_string()).as_deref(),
            Some("9a1de644815ef6d1")
        );
        assert!(TraceLinkPattern::new("(unclosed").is_err());
    }
}
