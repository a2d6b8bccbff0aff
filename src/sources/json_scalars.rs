//! JSON scalars as trace servers write them, read without building a JSON tree: 64-bit
//! integers as numbers or strings, doubles also as `"NaN"`/`"Infinity"`, ids as hex or base64,
//! and `null` as the field's default (the proto3 JSON mapping allows all of these).

use crate::model::{SpanId, TraceId};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Parses JSON from bytes, checking UTF-8 once over the whole input (a fast pass over ASCII)
/// instead of once per string: a million-span trace has some forty million strings. Input
/// that is not UTF-8 is parsed from the bytes so the error names the spot.
pub(crate) fn from_json_bytes<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// `null` reads as the default value, e.g. `"events": null` as no events.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A JSON string borrowed from the input when it holds no escapes (copied only when it does);
/// `null` reads as "". Decoding a million spans allocates nothing for their ids and keys.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct JsonStr<'a>(pub Cow<'a, str>);

impl JsonStr<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for JsonStr<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = JsonStr<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<JsonStr<'a>, E> {
                Ok(JsonStr(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<JsonStr<'a>, E> {
                Ok(JsonStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<JsonStr<'a>, E> {
                Ok(JsonStr(Cow::Owned(v)))
            }
            fn visit_unit<E>(self) -> Result<JsonStr<'a>, E> {
                Ok(JsonStr::default())
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A visitor used where serde wants a seed: the value is read as it comes, so a visitor that
/// reads arrays into a reader it borrows also takes `null` (its `visit_unit`).
pub(crate) struct Visiting<V>(pub V);

impl<'de, V: Visitor<'de>> de::DeserializeSeed<'de> for Visiting<V> {
    type Value = V::Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_any(self.0)
    }
}

/// An unsigned integer written as a number or a decimal string.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct FlexU64(pub u64);

impl<'de> Deserialize<'de> for FlexU64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FlexU64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an unsigned integer or a string holding one")
            }
            fn visit_u64<E>(self, v: u64) -> Result<FlexU64, E> {
                Ok(FlexU64(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FlexU64, E> {
                u64::try_from(v)
                    .map(FlexU64)
                    .map_err(|_| E::custom(format!("{v} is negative")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<FlexU64, E> {
                if v >= 0.0 && v.fract() == 0.0 && v < 1.8e19 {
                    Ok(FlexU64(v as u64))
                } else {
                    Err(E::custom(format!("{v} is not an unsigned integer")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FlexU64, E> {
                v.trim()
                    .parse()
                    .map(FlexU64)
                    .map_err(|_| E::custom(format!("“{v}” is not an unsigned integer")))
            }
            fn visit_unit<E>(self) -> Result<FlexU64, E> {
                Ok(FlexU64(0))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A signed integer written as a number or a decimal string.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct FlexI64(pub i64);

impl<'de> Deserialize<'de> for FlexI64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FlexI64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or a string holding one")
            }
            fn visit_i64<E>(self, v: i64) -> Result<FlexI64, E> {
                Ok(FlexI64(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FlexI64, E> {
                i64::try_from(v)
                    .map(FlexI64)
                    .map_err(|_| E::custom(format!("{v} does not fit in 64 bits")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<FlexI64, E> {
                if v.fract() == 0.0 && v.abs() < 9.2e18 {
                    Ok(FlexI64(v as i64))
                } else {
                    Err(E::custom(format!("{v} is not an integer")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FlexI64, E> {
                v.trim()
                    .parse()
                    .map(FlexI64)
                    .map_err(|_| E::custom(format!("“{v}” is not an integer")))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A double written as a number, a decimal string, or `"NaN"` / `"Infinity"` / `"-Infinity"`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct FlexF64(pub f64);

impl<'de> Deserialize<'de> for FlexF64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FlexF64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a string holding one")
            }
            fn visit_f64<E>(self, v: f64) -> Result<FlexF64, E> {
                Ok(FlexF64(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<FlexF64, E> {
                Ok(FlexF64(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<FlexF64, E> {
                Ok(FlexF64(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FlexF64, E> {
                match v {
                    "NaN" => Ok(FlexF64(f64::NAN)),
                    "Infinity" => Ok(FlexF64(f64::INFINITY)),
                    "-Infinity" => Ok(FlexF64(f64::NEG_INFINITY)),
                    other => other
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|d| d.is_finite())
                        .map(FlexF64)
                        .ok_or_else(|| E::custom(format!("“{v}” is not a number"))),
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// An id as text, kept when it parses (hex or base64) and `None` when it is absent, empty or
/// unreadable; the caller counts what it has to drop.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct TextId<T>(pub Option<T>);

trait IdFromText: Sized {
    fn from_text(text: &str) -> Option<Self>;
}

impl IdFromText for TraceId {
    fn from_text(text: &str) -> Option<Self> {
        TraceId::parse(text)
    }
}

impl IdFromText for SpanId {
    fn from_text(text: &str) -> Option<Self> {
        SpanId::parse(text)
    }
}

impl<'de, T: IdFromText> Deserialize<'de> for TextId<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<T: IdFromText> Visitor<'_> for V<T> {
            type Value = TextId<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id as a hex or base64 string")
            }
            fn visit_str<E>(self, v: &str) -> Result<TextId<T>, E> {
                Ok(TextId(T::from_text(v)))
            }
            fn visit_unit<E>(self) -> Result<TextId<T>, E> {
                Ok(TextId(None))
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

/// An enum written as its number or its proto name (Tempo writes `"SPAN_KIND_SERVER"`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct SpanKindNumber(pub i32);

impl<'de> Deserialize<'de> for SpanKindNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = enum_number(deserializer, "SPAN_KIND_", |name| match name {
            "UNSPECIFIED" => Some(0),
            "INTERNAL" => Some(1),
            "SERVER" => Some(2),
            "CLIENT" => Some(3),
            "PRODUCER" => Some(4),
            "CONSUMER" => Some(5),
            _ => None,
        })?;
        Ok(Self(n))
    }
}

/// A status code written as its number or its proto name (`"STATUS_CODE_ERROR"`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct StatusCodeNumber(pub i32);

impl<'de> Deserialize<'de> for StatusCodeNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = enum_number(deserializer, "STATUS_CODE_", |name| match name {
            "UNSET" => Some(0),
            "OK" => Some(1),
            "ERROR" => Some(2),
            _ => None,
        })?;
        Ok(Self(n))
    }
}

fn enum_number<'de, D: Deserializer<'de>>(
    deserializer: D,
    prefix: &'static str,
    by_name: fn(&str) -> Option<i32>,
) -> Result<i32, D::Error> {
    struct V {
        prefix: &'static str,
        by_name: fn(&str) -> Option<i32>,
    }
    impl Visitor<'_> for V {
        type Value = i32;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "an enum number or a {}… name", self.prefix)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i32, E> {
            i32::try_from(v).map_err(|_| E::custom(format!("{v} is not an enum number")))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i32, E> {
            i32::try_from(v).map_err(|_| E::custom(format!("{v} is not an enum number")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<i32, E> {
            let upper = v.trim().to_ascii_uppercase();
            let name = upper.strip_prefix(self.prefix).unwrap_or(&upper);
            (self.by_name)(name)
                .or_else(|| name.parse().ok())
                .ok_or_else(|| E::custom(format!("“{v}” is not a {}… value", self.prefix)))
        }
        fn visit_unit<E>(self) -> Result<i32, E> {
            Ok(0)
        }
    }
    deserializer.deserialize_any(V { prefix, by_name })
}
