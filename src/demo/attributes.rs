//! Short constructors for OTLP attributes (`KeyValue` holding an `AnyValue`), so the simulation
//! reads as a list of `key = value` pairs rather than nested protobuf structs.

use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};

pub fn text(key: &str, value: impl Into<String>) -> KeyValue {
    with_value(key, Value::StringValue(value.into()))
}

pub fn int(key: &str, value: i64) -> KeyValue {
    with_value(key, Value::IntValue(value))
}

pub fn double(key: &str, value: f64) -> KeyValue {
    with_value(key, Value::DoubleValue(value))
}

/// A string `AnyValue`, as used for log bodies.
pub fn text_value(value: impl Into<String>) -> AnyValue {
    AnyValue {
        value: Some(Value::StringValue(value.into())),
    }
}

fn with_value(key: &str, value: Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}
