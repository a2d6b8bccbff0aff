//! A trace as OTLP/JSON (`TracesData`: resourceSpans → scopeSpans → spans), the form the
//! OpenTelemetry Collector's file exporter writes and Tempo, Jaeger and File → Open trace…
//! read: what File → Save trace… writes.
//!
//! Spans are grouped under their resource and scope in the order they first appear. Ids are
//! hex and 64-bit integers are strings, as the OTLP/JSON encoding says. Arrays and key-value
//! lists were kept as their text when the trace was read, so they are written as strings.

use crate::model::{AttrValue, Span, SpanStatus, Trace};
use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};
use std::collections::HashMap;
use std::fmt::Display;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Writes `trace` to `out` as one OTLP/JSON `TracesData` document.
pub fn write_otlp_json(trace: &Trace, out: impl Write) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::new(out);
    TracesData::of(trace).serialize(&mut serializer)
}

/// Saves `trace` to `path` as OTLP/JSON. It is written to a temporary file beside `path` and
/// renamed into place, so a failed save leaves no half-written trace behind.
pub fn save_otlp_json(trace: &Trace, path: &Path) -> Result<(), String> {
    let failed = |e: &dyn Display| format!("Could not save the trace to {}: {e}", path.display());
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "trace.json".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
        write_otlp_json(trace, &mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        failed(&e)
    })
}

/// The spans of one resource (and service), by scope.
struct ResourceGroup<'a> {
    service: &'a str,
    resource: &'a [(String, AttrValue)],
    /// Scope name and the indices of its spans.
    scopes: Vec<(&'a str, Vec<u32>)>,
}

struct TracesData<'a> {
    trace: &'a Trace,
    groups: Vec<ResourceGroup<'a>>,
}

impl<'a> TracesData<'a> {
    fn of(trace: &'a Trace) -> Self {
        let mut groups: Vec<ResourceGroup<'a>> = Vec::new();
        // Spans of one process share their resource's allocation; the service is part of the
        // key because a reader may have given spans of one resource different services.
        let mut group_of: HashMap<(*const (String, AttrValue), &'a str), usize> = HashMap::new();
        for (i, span) in trace.spans.iter().enumerate() {
            let key = (Arc::as_ptr(&span.resource).cast(), span.service.as_str());
            let group = *group_of.entry(key).or_insert_with(|| {
                groups.push(ResourceGroup {
                    service: &span.service,
                    resource: &span.resource,
                    scopes: Vec::new(),
                });
                groups.len() - 1
            });
            let scopes = &mut groups[group].scopes;
            match scopes.iter_mut().find(|(name, _)| *name == &*span.scope) {
                Some((_, spans)) => spans.push(i as u32),
                None => scopes.push((&span.scope, vec![i as u32])),
            }
        }
        Self { trace, groups }
    }
}

impl Serialize for TracesData<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(
            "resourceSpans",
            &each(&self.groups, |group| ResourceSpans {
                trace: self.trace,
                group,
            }),
        )?;
        map.end()
    }
}

struct ResourceSpans<'a> {
    trace: &'a Trace,
    group: &'a ResourceGroup<'a>,
}

impl Serialize for ResourceSpans<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(
            "resource",
            &Resource {
                service: self.group.service,
                attributes: self.group.resource,
            },
        )?;
        map.serialize_entry(
            "scopeSpans",
            &each(&self.group.scopes, |(name, spans)| ScopeSpans {
                trace: self.trace,
                name,
                spans,
            }),
        )?;
        map.end()
    }
}

/// The resource's attributes with `service.name` set to the spans' service (Jaeger's
/// processes keep the service beside their tags, not among them).
struct Resource<'a> {
    service: &'a str,
    attributes: &'a [(String, AttrValue)],
}

impl Serialize for Resource<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("attributes", &ResourceAttributes(self))?;
        map.end()
    }
}

struct ResourceAttributes<'a>(&'a Resource<'a>);

impl Serialize for ResourceAttributes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Resource {
            service,
            attributes,
        } = self.0;
        let others = attributes.iter().filter(|(k, _)| k != "service.name");
        let mut seq = serializer.serialize_seq(None)?;
        seq.serialize_element(&KeyValue(
            "service.name",
            &AttrValue::Str((*service).into()),
        ))?;
        for (key, value) in others {
            seq.serialize_element(&KeyValue(key, value))?;
        }
        seq.end()
    }
}

struct ScopeSpans<'a> {
    trace: &'a Trace,
    name: &'a str,
    spans: &'a [u32],
}

impl Serialize for ScopeSpans<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("scope", &Scope(self.name))?;
        map.serialize_entry(
            "spans",
            &each(self.spans, |&i| SpanJson {
                trace: self.trace,
                span: &self.trace.spans[i as usize],
            }),
        )?;
        map.end()
    }
}

struct Scope<'a>(&'a str);

impl Serialize for Scope<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if !self.0.is_empty() {
            map.serialize_entry("name", self.0)?;
        }
        map.end()
    }
}

struct SpanJson<'a> {
    trace: &'a Trace,
    span: &'a Span,
}

impl Serialize for SpanJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let span = self.span;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("traceId", &Hex(&self.trace.trace_id.0))?;
        map.serialize_entry("spanId", &Hex(&span.span_id.0))?;
        if let Some(parent) = &span.parent_id {
            map.serialize_entry("parentSpanId", &Hex(&parent.0))?;
        }
        map.serialize_entry("name", &span.name)?;
        map.serialize_entry("kind", &span.kind)?;
        map.serialize_entry("startTimeUnixNano", &Decimal::from(span.start_ns))?;
        map.serialize_entry("endTimeUnixNano", &Decimal::from(span.end_ns))?;
        map.serialize_entry("attributes", &Attributes(&span.attributes))?;
        if !span.events.is_empty() {
            map.serialize_entry("events", &each(&span.events, Event))?;
        }
        if !span.links.is_empty() {
            map.serialize_entry("links", &each(&span.links, Link))?;
        }
        map.serialize_entry("status", &Status(span))?;
        map.end()
    }
}

struct Event<'a>(&'a crate::model::SpanEvent);

impl Serialize for Event<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("timeUnixNano", &Decimal::from(self.0.time_ns))?;
        map.serialize_entry("name", &self.0.name)?;
        map.serialize_entry("attributes", &Attributes(&self.0.attributes))?;
        map.end()
    }
}

struct Link<'a>(&'a crate::model::SpanLink);

impl Serialize for Link<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("traceId", &Hex(&self.0.trace_id.0))?;
        map.serialize_entry("spanId", &Hex(&self.0.span_id.0))?;
        map.serialize_entry("attributes", &Attributes(&self.0.attributes))?;
        map.end()
    }
}

struct Status<'a>(&'a Span);

impl Serialize for Status<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let code = match self.0.status {
            SpanStatus::Unset => 0,
            SpanStatus::Ok => 1,
            SpanStatus::Error => 2,
        };
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", &code)?;
        if !self.0.status_message.is_empty() {
            map.serialize_entry("message", &self.0.status_message)?;
        }
        map.end()
    }
}

struct Attributes<'a>(&'a [(String, AttrValue)]);

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|(k, v)| KeyValue(k, v)))
    }
}

struct KeyValue<'a>(&'a str, &'a AttrValue);

impl Serialize for KeyValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("key", self.0)?;
        map.serialize_entry("value", &AnyValue(self.1))?;
        map.end()
    }
}

struct AnyValue<'a>(&'a AttrValue);

impl Serialize for AnyValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self.0 {
            AttrValue::Str(s) | AttrValue::Text(s) => map.serialize_entry("stringValue", s)?,
            AttrValue::Int(i) => map.serialize_entry("intValue", &Decimal::from(*i))?,
            // JSON has no NaN or infinities; proto3's JSON spells them as strings.
            AttrValue::Double(d) if d.is_nan() => map.serialize_entry("doubleValue", "NaN")?,
            AttrValue::Double(d) if d.is_infinite() => map.serialize_entry(
                "doubleValue",
                if *d > 0.0 { "Infinity" } else { "-Infinity" },
            )?,
            AttrValue::Double(d) => map.serialize_entry("doubleValue", d)?,
            AttrValue::Bool(b) => map.serialize_entry("boolValue", b)?,
            AttrValue::Bytes(bytes) => {
                use base64::Engine as _;
                let text = base64::engine::general_purpose::STANDARD.encode(bytes);
                map.serialize_entry("bytesValue", &text)?
            }
        }
        map.end()
    }
}

/// An id as lowercase hex, formatted on the stack (ids are at most 16 bytes).
struct Hex<'a>(&'a [u8]);

impl Serialize for Hex<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 32];
        let bytes = &self.0[..self.0.len().min(16)];
        for (pair, b) in buf.chunks_exact_mut(2).zip(bytes) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 0x0f)];
        }
        let text = std::str::from_utf8(&buf[..bytes.len() * 2]).map_err(S::Error::custom)?;
        serializer.serialize_str(text)
    }
}

/// A 64-bit integer as a JSON string (OTLP/JSON's int64 and fixed64), formatted on the stack.
struct Decimal {
    negative: bool,
    magnitude: u64,
}

impl From<u64> for Decimal {
    fn from(magnitude: u64) -> Self {
        Self {
            negative: false,
            magnitude,
        }
    }
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Self {
        Self {
            negative: value < 0,
            magnitude: value.unsigned_abs(),
        }
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 21];
        let mut at = buf.len();
        let mut n = self.magnitude;
        loop {
            at -= 1;
            buf[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if self.negative {
            at -= 1;
            buf[at] = b'-';
        }
        let text = std::str::from_utf8(&buf[at..]).map_err(S::Error::custom)?;
        serializer.serialize_str(text)
    }
}

/// A slice written as a JSON array of `to(item)`.
struct Each<'a, T, F>(&'a [T], F);

/// [`Each`], with the closure's argument tied to the slice (so what it returns may borrow it).
fn each<'a, T, O: Serialize, F: Fn(&'a T) -> O>(items: &'a [T], to: F) -> Each<'a, T, F> {
    Each(items, to)
}

impl<'a, T, F, O> Serialize for Each<'a, T, F>
where
    F: Fn(&'a T) -> O,
    O: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&(self.1)(item))?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SpanEvent, SpanId, SpanLink, TraceId};
    use crate::sources::trace_file::open_trace_bytes;

    fn span(
        id: u8,
        parent: Option<u8>,
        service: &str,
        resource: &Arc<[(String, AttrValue)]>,
    ) -> Span {
        Span {
            span_id: SpanId([id; 8]),
            parent_id: parent.map(|p| SpanId([p; 8])),
            parent: None,
            service: service.into(),
            name: format!("op {id}"),
            kind: i32::from(id % 5) + 1,
            start_ns: 1_000 + u64::from(id) * 10,
            end_ns: 2_000 + u64::from(id),
            status: SpanStatus::Unset,
            status_message: String::new(),
            attributes: Vec::new(),
            events: Vec::new(),
            links: Vec::new(),
            resource: Arc::clone(resource),
            scope: Arc::from(""),
        }
    }

    fn every_value() -> Vec<(String, AttrValue)> {
        vec![
            (
                "s".into(),
                AttrValue::Str("a \"quoted\" \u{e9} line\nbreak".into()),
            ),
            ("i".into(), AttrValue::Int(i64::MIN)),
            ("d".into(), AttrValue::Double(0.1)),
            ("nan".into(), AttrValue::Double(f64::NAN)),
            ("inf".into(), AttrValue::Double(f64::NEG_INFINITY)),
            ("b".into(), AttrValue::Bool(true)),
            ("bytes".into(), AttrValue::Bytes(vec![0, 255, 7])),
        ]
    }

    /// A trace over two processes of one service and one of another, with every kind of value,
    /// events, links, status messages and scopes, reads back as it was written.
    #[test]
    fn a_written_trace_reads_back_the_same() {
        let trace_id = TraceId([0xab; 16]);
        let shop_a: Arc<[_]> = Arc::from(vec![
            ("host.name".to_owned(), AttrValue::Str("a".into())),
            ("service.name".to_owned(), AttrValue::Str("shop".into())),
        ]);
        let shop_b: Arc<[_]> =
            Arc::from(vec![("host.name".to_owned(), AttrValue::Str("b".into()))]);
        let db: Arc<[_]> = Arc::from(Vec::new());
        let mut spans = vec![
            span(1, None, "shop", &shop_a),
            span(2, Some(1), "shop", &shop_b),
            span(3, Some(2), "db", &db),
            span(4, Some(1), "shop", &shop_a),
        ];
        spans[0].attributes = every_value();
        spans[0].scope = Arc::from("http-server");
        spans[3].scope = Arc::from("worker");
        spans[2].status = SpanStatus::Error;
        spans[2].status_message = "deadlock detected".into();
        spans[1].status = SpanStatus::Ok;
        spans[2].events = vec![SpanEvent {
            time_ns: 1_035,
            name: "exception".into(),
            attributes: vec![("exception.type".into(), AttrValue::Str("Deadlock".into()))],
        }];
        spans[3].links = vec![SpanLink {
            trace_id: TraceId([0xcd; 16]),
            span_id: SpanId([9; 8]),
            attributes: vec![("n".into(), AttrValue::Int(3))],
        }];
        let trace = Trace::from_spans(trace_id, spans);
        let mut bytes = Vec::new();
        write_otlp_json(&trace, &mut bytes).expect("writes");
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        assert!(text.starts_with(r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}"#), "{text}");
        assert!(
            text.contains(r#""intValue":"-9223372036854775808""#),
            "{text}"
        );
        assert!(text.contains(r#""doubleValue":"NaN""#), "{text}");
        assert!(
            text.contains(r#""parentSpanId":"0202020202020202""#),
            "{text}"
        );

        let decoded = open_trace_bytes("saved", &bytes).expect("reads back");
        assert_eq!(decoded.dropped_spans, 0);
        assert_eq!(decoded.traces.len(), 1);
        let back = &decoded.traces[0];
        assert_eq!(back.trace_id, trace_id);
        assert_eq!(back.spans.len(), 4);
        for (was, now) in trace.spans.iter().zip(&back.spans) {
            assert_eq!(now.span_id, was.span_id);
            assert_eq!(now.parent_id, was.parent_id);
            assert_eq!(now.parent, was.parent);
            assert_eq!(now.service, was.service);
            assert_eq!(now.name, was.name);
            assert_eq!(now.kind, was.kind);
            assert_eq!((now.start_ns, now.end_ns), (was.start_ns, was.end_ns));
            assert_eq!(now.status, was.status);
            assert_eq!(now.status_message, was.status_message);
            assert_eq!(now.events, was.events);
            assert_eq!(now.links, was.links);
            assert_eq!(now.scope, was.scope);
            // service.name leads the resource's attributes, the others keep their order.
            let mut expected = vec![(
                "service.name".to_owned(),
                AttrValue::Str(was.service.clone()),
            )];
            expected.extend(
                was.resource
                    .iter()
                    .filter(|(k, _)| k != "service.name")
                    .cloned(),
            );
            assert_eq!(&*now.resource, &expected[..]);
        }
        // NaN is not equal to itself: compare the attributes by their text.
        let text_of = |attrs: &[(String, AttrValue)]| format!("{attrs:?}");
        assert_eq!(text_of(&back.spans[0].attributes), text_of(&every_value()));
    }

    fn json(value: &impl Serialize) -> String {
        serde_json::to_string(value).expect("serializes")
    }

    #[test]
    fn ids_and_64_bit_integers_are_strings_as_otlp_json_spells_them() {
        assert_eq!(json(&Decimal::from(0u64)), r#""0""#);
        assert_eq!(json(&Decimal::from(u64::MAX)), r#""18446744073709551615""#);
        assert_eq!(json(&Decimal::from(i64::MIN)), r#""-9223372036854775808""#);
        assert_eq!(json(&Decimal::from(-7i64)), r#""-7""#);
        assert_eq!(json(&Hex(&[0x00, 0xab, 0x0f])), r#""00ab0f""#);
        assert_eq!(
            json(&Hex(&TraceId([0xfe; 16]).0)),
            format!(r#""{}""#, "fe".repeat(16))
        );
    }

    #[test]
    fn a_save_replaces_the_file_whole_and_a_bad_path_says_why() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("trace.json");
        std::fs::write(&path, "old").expect("write");
        let db: Arc<[_]> = Arc::from(Vec::new());
        let trace = Trace::from_spans(TraceId([1; 16]), vec![span(1, None, "db", &db)]);
        save_otlp_json(&trace, &path).expect("saves");
        let decoded = crate::sources::trace_file::open_trace_file(&path).expect("opens");
        assert_eq!(decoded.traces[0].spans.len(), 1);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            1,
            "no temporary file left"
        );

        let missing = dir.path().join("no such dir").join("trace.json");
        let err = save_otlp_json(&trace, &missing).expect_err("no directory");
        assert!(err.contains("no such dir"), "{err}");
    }
}
