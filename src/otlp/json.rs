//! OTLP/JSON decoding: the `opentelemetry-proto` serde types, plus the spec-valid forms those
//! types reject or silently drop.
//!
//! OTLP/JSON is the proto3 JSON mapping with hex trace/span ids and integer enums
//! (<https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding>). The crate's serde
//! derives (0.33) accept hex ids, 64-bit integers as strings or numbers and integer enums, but
//! not these, which proto3 JSON allows (encoders that omit empty fields, such as Go structs
//! tagged `omitempty`, write the first one):
//!
//! - `{"arrayValue": {}}` / `{"kvlistValue": {}}`: an empty list with its empty repeated field
//!   omitted (rejected: "missing field `values`");
//! - `"NaN"`, `"Infinity"`, `"-Infinity"` and numeric strings for doubles (rejected in
//!   `doubleValue`; a data point's `asDouble` silently becomes no value at all);
//! - 32-bit integers as strings, e.g. `"flags": "256"` (rejected);
//! - `null` for any field, meaning its default (rejected for lists);
//! - URL-safe or unpadded base64 in `bytesValue` (rejected).
//!
//! Trace and log bodies first go straight to the derives (the common, fast case). A body they
//! refuse, and every metrics body, is parsed into a `JsonTree`, these forms are rewritten into
//! the ones the derives accept, and the request is deserialized from the tree. Metrics need the
//! tree for one more check: the crate flattens `Metric.data` and the data points' values into
//! optional fields, and serde turns a failure inside a flattened optional field into `None`, so
//! a malformed `sum` or `asInt` would vanish without an error. [`decode_metrics`] compares what
//! the JSON held with what was decoded and refuses the request instead.

use super::json_tree::JsonTree;
use crate::store::sink::{
    ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest,
};
use opentelemetry_proto::tonic::metrics::v1::{Metric, metric};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Field names (in every OTLP message) whose value is a `double`.
const DOUBLE_FIELDS: &[&str] = &[
    "doubleValue",
    "asDouble",
    "sum",
    "min",
    "max",
    "zeroThreshold",
    "quantile",
    "value",
    "explicitBounds",
];

/// Field names whose value is a 32-bit integer or an enum (64-bit ones the crate handles).
const INT32_FIELDS: &[&str] = &[
    "flags",
    "droppedAttributesCount",
    "droppedEventsCount",
    "droppedLinksCount",
    "kind",
    "code",
    "severityNumber",
    "aggregationTemporality",
    "scale",
    "offset",
];

/// The keys under which a metric holds its data, as in `Metric.data`.
const METRIC_DATA_FIELDS: &[&str] = &[
    "gauge",
    "sum",
    "histogram",
    "exponentialHistogram",
    "summary",
];

/// Decodes an OTLP/JSON `ExportTraceServiceRequest`; the error says what and where.
pub fn decode_traces(body: &[u8]) -> Result<ExportTraceServiceRequest, String> {
    direct_or_normalized(body)
}

/// Decodes an OTLP/JSON `ExportLogsServiceRequest`.
pub fn decode_logs(body: &[u8]) -> Result<ExportLogsServiceRequest, String> {
    direct_or_normalized(body)
}

/// Traces and logs have no flattened optional fields, so when the derives take the body as it
/// is (the usual case) the result is the one the normalized tree would give, at about half the
/// cost. Otherwise the body goes through the tree.
fn direct_or_normalized<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    if body.trim_ascii_start().starts_with(b"{")
        && let Ok(request) = serde_json::from_slice(body)
    {
        return Ok(request);
    }
    T::deserialize(normalized_tree(body)?).map_err(|error| error.to_string())
}

/// Decodes an OTLP/JSON `ExportMetricsServiceRequest`, refusing it when a metric's data or a
/// data point's value was present but could not be decoded.
pub fn decode_metrics(body: &[u8]) -> Result<ExportMetricsServiceRequest, String> {
    let tree = normalized_tree(body)?;
    let expected = metric_shapes_in_json(&tree);
    let request =
        ExportMetricsServiceRequest::deserialize(tree).map_err(|error| error.to_string())?;
    let decoded = metric_shapes_decoded(&request);
    for (position, (json, typed)) in expected.iter().zip(&decoded).enumerate() {
        if json != typed {
            return Err(format!(
                "metric #{position} ({:?}): {}",
                json.name,
                json.difference(typed)
            ));
        }
    }
    if expected.len() != decoded.len() {
        return Err(format!(
            "{} metrics in the JSON but {} decoded",
            expected.len(),
            decoded.len()
        ));
    }
    Ok(request)
}

fn normalized_tree(body: &[u8]) -> Result<JsonTree, String> {
    let mut tree = JsonTree::parse(body).map_err(|error| error.to_string())?;
    // serde's derives would also take a struct from an array of its fields.
    if !matches!(tree, JsonTree::Object(_)) {
        return Err("the body is not a JSON object".to_owned());
    }
    normalize(&mut tree);
    Ok(tree)
}

/// Rewrites the proto3 JSON forms listed in the module docs, everywhere in the tree.
fn normalize(tree: &mut JsonTree) {
    match tree {
        JsonTree::Array(elements) => elements.iter_mut().for_each(normalize),
        JsonTree::Object(members) => {
            // proto3 JSON: null means "the field's default", i.e. absent.
            members.retain(|(_, value)| *value != JsonTree::Null);
            for (key, value) in members.iter_mut() {
                // Inner members first, so a `"values": null` is gone before the check below.
                normalize(value);
                let key = key.as_str();
                if DOUBLE_FIELDS.contains(&key) {
                    double_from_string(value);
                    if let JsonTree::Array(elements) = value {
                        elements.iter_mut().for_each(double_from_string);
                    }
                } else if INT32_FIELDS.contains(&key) {
                    integer_from_string(value);
                } else if key == "arrayValue" || key == "kvlistValue" {
                    if let JsonTree::Object(list) = value
                        && !list.iter().any(|(name, _)| name == "values")
                    {
                        list.push(("values".to_owned(), JsonTree::Array(Vec::new())));
                    }
                } else if key == "bytesValue"
                    && let JsonTree::String(text) = value
                {
                    *text = standard_padded_base64(text);
                }
            }
        }
        _ => {}
    }
}

/// `"NaN"`, `"Infinity"`, `"-Infinity"` or a decimal in a string becomes a number.
fn double_from_string(value: &mut JsonTree) {
    let JsonTree::String(text) = value else {
        return;
    };
    let number = match text.as_str() {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        other => match other.trim().parse::<f64>() {
            // Rust also parses "inf" and "nan", which proto3 JSON does not allow.
            Ok(number) if number.is_finite() => number,
            _ => return,
        },
    };
    *value = JsonTree::Float(number);
}

/// An integer in a string becomes a number.
fn integer_from_string(value: &mut JsonTree) {
    let JsonTree::String(text) = value else {
        return;
    };
    if let Ok(unsigned) = text.trim().parse::<u64>() {
        *value = JsonTree::Unsigned(unsigned);
    } else if let Ok(signed) = text.trim().parse::<i64>() {
        *value = JsonTree::Signed(signed);
    }
}

/// proto3 JSON accepts standard or URL-safe base64, with or without padding; the crate decodes
/// only standard padded base64.
fn standard_padded_base64(text: &str) -> String {
    let mut standard: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    while !standard.len().is_multiple_of(4) {
        standard.push('=');
    }
    standard
}

/// What one metric holds, to compare the JSON with the decoded request.
#[derive(Debug, PartialEq, Eq)]
struct MetricShape {
    name: String,
    /// Which of `gauge`, `sum`, … is present.
    data: Option<&'static str>,
    /// Number data points (gauge, sum) that carry `asInt` or `asDouble`.
    valued_points: usize,
    /// Exemplars (of any data point) that carry `asInt` or `asDouble`.
    valued_exemplars: usize,
}

impl MetricShape {
    fn difference(&self, decoded: &MetricShape) -> String {
        if self.data != decoded.data {
            match self.data {
                Some(field) => format!("its \"{field}\" is not a valid OTLP/JSON {field}"),
                None => "it has no data".to_owned(),
            }
        } else if self.valued_points != decoded.valued_points {
            "a data point's asInt/asDouble is not a number".to_owned()
        } else {
            "an exemplar's asInt/asDouble is not a number".to_owned()
        }
    }
}

fn metric_shapes_in_json(tree: &JsonTree) -> Vec<MetricShape> {
    let mut shapes = Vec::new();
    let metrics = resource_metrics(tree)
        .flat_map(|resource| field(resource, "scopeMetrics"))
        .flat_map(|scope| field(scope, "metrics"));
    for metric in metrics {
        let data = METRIC_DATA_FIELDS
            .iter()
            .copied()
            .find(|key| metric.get(key).is_some());
        let points = data
            .and_then(|key| metric.get(key))
            .map(|data| field(data, "dataPoints"))
            .unwrap_or(&[]);
        let has_value =
            |point: &JsonTree| point.get("asInt").is_some() || point.get("asDouble").is_some();
        let numeric = matches!(data, Some("gauge" | "sum"));
        shapes.push(MetricShape {
            name: match metric.get("name") {
                Some(JsonTree::String(name)) => name.clone(),
                _ => String::new(),
            },
            data,
            valued_points: if numeric {
                points.iter().filter(|point| has_value(point)).count()
            } else {
                0
            },
            valued_exemplars: points
                .iter()
                .flat_map(|point| field(point, "exemplars"))
                .filter(|exemplar| has_value(exemplar))
                .count(),
        });
    }
    shapes
}

fn resource_metrics(tree: &JsonTree) -> impl Iterator<Item = &JsonTree> {
    field(tree, "resourceMetrics").iter()
}

fn field<'a>(object: &'a JsonTree, key: &str) -> &'a [JsonTree] {
    object.get(key).map(JsonTree::elements).unwrap_or(&[])
}

fn metric_shapes_decoded(request: &ExportMetricsServiceRequest) -> Vec<MetricShape> {
    request
        .resource_metrics
        .iter()
        .flat_map(|resource| &resource.scope_metrics)
        .flat_map(|scope| &scope.metrics)
        .map(decoded_shape)
        .collect()
}

fn decoded_shape(metric: &Metric) -> MetricShape {
    use metric::Data;
    let (data, valued_points, valued_exemplars) = match &metric.data {
        None => (None, 0, 0),
        Some(Data::Gauge(gauge)) => (
            Some("gauge"),
            gauge
                .data_points
                .iter()
                .filter(|p| p.value.is_some())
                .count(),
            count_valued(gauge.data_points.iter().map(|p| &p.exemplars)),
        ),
        Some(Data::Sum(sum)) => (
            Some("sum"),
            sum.data_points.iter().filter(|p| p.value.is_some()).count(),
            count_valued(sum.data_points.iter().map(|p| &p.exemplars)),
        ),
        Some(Data::Histogram(histogram)) => (
            Some("histogram"),
            0,
            count_valued(histogram.data_points.iter().map(|p| &p.exemplars)),
        ),
        Some(Data::ExponentialHistogram(histogram)) => (
            Some("exponentialHistogram"),
            0,
            count_valued(histogram.data_points.iter().map(|p| &p.exemplars)),
        ),
        Some(Data::Summary(_)) => (Some("summary"), 0, 0),
    };
    MetricShape {
        name: metric.name.clone(),
        data,
        valued_points,
        valued_exemplars,
    }
}

fn count_valued<'a>(
    exemplars: impl Iterator<Item = &'a Vec<opentelemetry_proto::tonic::metrics::v1::Exemplar>>,
) -> usize {
    exemplars
        .flatten()
        .filter(|exemplar| exemplar.value.is_some())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    use opentelemetry_proto::tonic::metrics::v1::number_data_point;

    fn span_json(span: &str) -> Vec<u8> {
        format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{span}]}}]}}]}}"#).into_bytes()
    }

    fn metric_json(metric: &str) -> Vec<u8> {
        format!(r#"{{"resourceMetrics":[{{"scopeMetrics":[{{"metrics":[{metric}]}}]}}]}}"#)
            .into_bytes()
    }

    fn first_attribute(request: &ExportTraceServiceRequest) -> Option<Value> {
        request.resource_spans[0].scope_spans[0].spans[0].attributes[0]
            .value
            .as_ref()
            .and_then(|any| any.value.clone())
    }

    fn first_point_value(
        request: &ExportMetricsServiceRequest,
    ) -> Option<number_data_point::Value> {
        match &request.resource_metrics[0].scope_metrics[0].metrics[0].data {
            Some(metric::Data::Gauge(gauge)) => gauge.data_points[0].value,
            other => panic!("expected a gauge, got {other:?}"),
        }
    }

    #[test]
    fn empty_array_and_kvlist_values_without_their_values_field_are_accepted() {
        for (form, expected_len) in [("arrayValue", 0), ("kvlistValue", 0)] {
            let body = span_json(&format!(
                r#"{{"name":"a","attributes":[{{"key":"k","value":{{"{form}":{{}}}}}}]}}"#
            ));
            let request = decode_traces(&body).expect("spec-valid");
            match first_attribute(&request) {
                Some(Value::ArrayValue(array)) => assert_eq!(array.values.len(), expected_len),
                Some(Value::KvlistValue(list)) => assert_eq!(list.values.len(), expected_len),
                other => panic!("{form}: got {other:?}"),
            }
        }
    }

    #[test]
    fn non_finite_and_string_doubles_are_accepted_in_attributes_and_points() {
        let body =
            span_json(r#"{"name":"a","attributes":[{"key":"k","value":{"doubleValue":"NaN"}}]}"#);
        match first_attribute(&decode_traces(&body).expect("spec-valid")) {
            Some(Value::DoubleValue(value)) => assert!(value.is_nan()),
            other => panic!("got {other:?}"),
        }
        for (text, expected) in [
            ("\"Infinity\"", f64::INFINITY),
            ("\"-Infinity\"", f64::NEG_INFINITY),
            ("\"2.5\"", 2.5),
        ] {
            let body = metric_json(&format!(
                r#"{{"name":"g","gauge":{{"dataPoints":[{{"asDouble":{text}}}]}}}}"#
            ));
            let request = decode_metrics(&body).expect("spec-valid");
            assert_eq!(
                first_point_value(&request),
                Some(number_data_point::Value::AsDouble(expected)),
                "{text}"
            );
        }
    }

    #[test]
    fn int32_fields_as_strings_and_64_bit_fields_as_numbers_are_accepted() {
        let body = span_json(
            r#"{"name":"a","kind":"2","flags":"256","droppedAttributesCount":"3",
                "startTimeUnixNano":1795507024241106085,"endTimeUnixNano":"1795507024292822580",
                "status":{"code":"2"},
                "attributes":[{"key":"n","value":{"intValue":42}}]}"#,
        );
        let request = decode_traces(&body).expect("spec-valid");
        let span = &request.resource_spans[0].scope_spans[0].spans[0];
        assert_eq!(span.kind, 2);
        assert_eq!(span.flags, 256);
        assert_eq!(span.dropped_attributes_count, 3);
        assert_eq!(span.start_time_unix_nano, 1_795_507_024_241_106_085);
        assert_eq!(span.end_time_unix_nano, 1_795_507_024_292_822_580);
        assert_eq!(span.status.as_ref().map(|status| status.code), Some(2));
        assert_eq!(first_attribute(&request), Some(Value::IntValue(42)));
    }

    #[test]
    fn null_fields_mean_their_default() {
        let body = span_json(
            r#"{"name":"a","attributes":null,"events":null,"traceId":null,"status":null}"#,
        );
        let request = decode_traces(&body).expect("spec-valid");
        let span = &request.resource_spans[0].scope_spans[0].spans[0];
        assert_eq!(span.name, "a");
        assert!(span.attributes.is_empty() && span.trace_id.is_empty() && span.status.is_none());
    }

    #[test]
    fn an_array_value_whose_values_are_null_is_an_empty_array() {
        let body = span_json(
            r#"{"name":"a","attributes":[{"key":"k","value":{"arrayValue":{"values":null}}}]}"#,
        );
        match first_attribute(&decode_traces(&body).expect("spec-valid")) {
            Some(Value::ArrayValue(array)) => assert!(array.values.is_empty()),
            other => panic!("got {other:?}"),
        }
    }

    #[test]
    fn url_safe_unpadded_base64_bytes_are_accepted() {
        // 0xfb 0xff 0xbf is "+/+/" in standard base64 and "-_-_" in URL-safe; "aGk" is "hi".
        for (text, expected) in [("-_-_", vec![0xfb, 0xff, 0xbf]), ("aGk", b"hi".to_vec())] {
            let body = span_json(&format!(
                r#"{{"name":"a","attributes":[{{"key":"k","value":{{"bytesValue":"{text}"}}}}]}}"#
            ));
            let request = decode_traces(&body).expect("spec-valid");
            assert_eq!(first_attribute(&request), Some(Value::BytesValue(expected)));
        }
    }

    #[test]
    fn uppercase_hex_ids_are_accepted() {
        let body = span_json(
            r#"{"name":"a","traceId":"BDD640FB06671AD11C80317FA3B1799D","spanId":"23B8C1E9392456DE"}"#,
        );
        let request = decode_traces(&body).expect("spec-valid");
        let span = &request.resource_spans[0].scope_spans[0].spans[0];
        assert_eq!(span.trace_id[..2], [0xbd, 0xd6]);
        assert_eq!(span.span_id[..2], [0x23, 0xb8]);
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let body = span_json(
            r#"{"name":"a","someFutureField":{"x":[1,2]},
                "attributes":[{"key":"k","future":1,"value":{"future":[],"stringValue":"v"}}]}"#,
        );
        let request = decode_traces(&body).expect("spec-valid");
        assert_eq!(
            first_attribute(&request),
            Some(Value::StringValue("v".into()))
        );
    }

    #[test]
    fn a_malformed_metric_is_refused_rather_than_silently_dropped() {
        let bad_sum = metric_json(
            r#"{"name":"orders","sum":{"dataPoints":[{"asInt":"3"}],"aggregationTemporality":"CUMULATIVE"}}"#,
        );
        let error = decode_metrics(&bad_sum).expect_err("enum names are not OTLP/JSON");
        assert!(
            error.contains("\"orders\"") && error.contains("\"sum\""),
            "{error}"
        );

        let bad_point = metric_json(r#"{"name":"g","gauge":{"dataPoints":[{"asInt":"many"}]}}"#);
        let error = decode_metrics(&bad_point).expect_err("not a number");
        assert!(error.contains("asInt/asDouble"), "{error}");
    }

    #[test]
    fn bad_ids_and_wrong_types_are_errors() {
        assert!(decode_traces(&span_json(r#"{"traceId":"xyz"}"#)).is_err());
        assert!(decode_traces(&span_json(r#"{"name":["not","a","string"]}"#)).is_err());
        assert!(decode_logs(br#"{"resourceLogs":{}}"#).is_err());
        assert!(decode_traces(b"[]").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let depth = 100_000;
        let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let error = decode_traces(body.as_bytes()).expect_err("too deep");
        assert!(error.contains("recursion limit"), "{error}");
    }
}
