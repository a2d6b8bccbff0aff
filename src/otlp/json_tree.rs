//! A parsed JSON document that typed values can be deserialized from, like
//! `serde_json::Value`, except that numbers may be any `f64` — including NaN and the
//! infinities, which proto3 JSON writes as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` and
//! which `serde_json::Value` cannot hold. [`super::json`] rewrites such OTLP forms in this
//! tree before deserializing the request types from it.

use serde::de::value::{MapAccessDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// One JSON value. Object members keep their order and duplicates, as in the text.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonTree {
    Null,
    Bool(bool),
    /// A non-negative integer.
    Unsigned(u64),
    /// A negative integer.
    Signed(i64),
    Float(f64),
    String(String),
    Array(Vec<JsonTree>),
    Object(Vec<(String, JsonTree)>),
}

impl JsonTree {
    /// Parses JSON text; errors carry serde_json's line and column.
    pub fn parse(text: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(text)
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&JsonTree> {
        match self {
            Self::Object(members) => members
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// The elements of an array (none for anything else).
    pub fn elements(&self) -> &[JsonTree] {
        match self {
            Self::Array(elements) => elements,
            _ => &[],
        }
    }
}

impl<'de> Deserialize<'de> for JsonTree {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = JsonTree;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<JsonTree, E> {
        Ok(JsonTree::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<JsonTree, E> {
        Ok(match u64::try_from(value) {
            Ok(unsigned) => JsonTree::Unsigned(unsigned),
            Err(_) => JsonTree::Signed(value),
        })
    }

    fn visit_u64<E>(self, value: u64) -> Result<JsonTree, E> {
        Ok(JsonTree::Unsigned(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<JsonTree, E> {
        Ok(JsonTree::Float(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<JsonTree, E> {
        Ok(JsonTree::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<JsonTree, E> {
        Ok(JsonTree::String(value))
    }

    fn visit_unit<E>(self) -> Result<JsonTree, E> {
        Ok(JsonTree::Null)
    }

    fn visit_none<E>(self) -> Result<JsonTree, E> {
        Ok(JsonTree::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<JsonTree, D::Error> {
        deserializer.deserialize_any(TreeVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonTree, A::Error> {
        let mut elements = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(element) = seq.next_element()? {
            elements.push(element);
        }
        Ok(JsonTree::Array(elements))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonTree, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some(member) = map.next_entry::<String, JsonTree>()? {
            members.push(member);
        }
        Ok(JsonTree::Object(members))
    }
}

impl<'de> Deserializer<'de> for JsonTree {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Self::Null => visitor.visit_unit(),
            Self::Bool(value) => visitor.visit_bool(value),
            Self::Unsigned(value) => visitor.visit_u64(value),
            Self::Signed(value) => visitor.visit_i64(value),
            Self::Float(value) => visitor.visit_f64(value),
            Self::String(value) => visitor.visit_string(value),
            Self::Array(elements) => {
                let length = elements.len();
                let mut seq = TreeSeq {
                    elements: elements.into_iter(),
                };
                let value = visitor.visit_seq(&mut seq)?;
                if seq.elements.len() == 0 {
                    Ok(value)
                } else {
                    Err(de::Error::invalid_length(
                        length,
                        &"fewer elements in array",
                    ))
                }
            }
            Self::Object(members) => visitor.visit_map(TreeMap {
                members: members.into_iter(),
                pending_value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Self::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self {
            // A unit variant by name.
            Self::String(variant) => {
                let variant: StringDeserializer<serde_json::Error> = variant.into_deserializer();
                visitor.visit_enum(variant)
            }
            // `{"Variant": content}`.
            Self::Object(members) if members.len() == 1 => {
                visitor.visit_enum(MapAccessDeserializer::new(TreeMap {
                    members: members.into_iter(),
                    pending_value: None,
                }))
            }
            other => Err(de::Error::invalid_type(
                other.unexpected(),
                &"a string or an object with one member",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

impl JsonTree {
    fn unexpected(&self) -> de::Unexpected<'_> {
        match self {
            Self::Null => de::Unexpected::Unit,
            Self::Bool(value) => de::Unexpected::Bool(*value),
            Self::Unsigned(value) => de::Unexpected::Unsigned(*value),
            Self::Signed(value) => de::Unexpected::Signed(*value),
            Self::Float(value) => de::Unexpected::Float(*value),
            Self::String(value) => de::Unexpected::Str(value),
            Self::Array(_) => de::Unexpected::Seq,
            Self::Object(_) => de::Unexpected::Map,
        }
    }
}

struct TreeSeq {
    elements: std::vec::IntoIter<JsonTree>,
}

impl<'de> SeqAccess<'de> for TreeSeq {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.elements
            .next()
            .map(|element| seed.deserialize(element))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.elements.len())
    }
}

struct TreeMap {
    members: std::vec::IntoIter<(String, JsonTree)>,
    pending_value: Option<JsonTree>,
}

impl<'de> MapAccess<'de> for TreeMap {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, value)) = self.members.next() else {
            return Ok(None);
        };
        self.pending_value = Some(value);
        let key: StringDeserializer<serde_json::Error> = key.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        match self.pending_value.take() {
            Some(value) => seed.deserialize(value),
            None => Err(de::Error::custom(
                "a map value was requested before its key",
            )),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Point {
        x: f64,
        label: Option<String>,
        tags: Vec<u32>,
    }

    #[test]
    fn typed_values_deserialize_from_the_tree_including_nan() {
        let tree = JsonTree::Object(vec![
            ("x".into(), JsonTree::Float(f64::NAN)),
            ("label".into(), JsonTree::Null),
            (
                "tags".into(),
                JsonTree::Array(vec![JsonTree::Unsigned(1), JsonTree::Unsigned(2)]),
            ),
            ("unknown".into(), JsonTree::String("ignored".into())),
        ]);
        let point = Point::deserialize(tree).expect("deserializes");
        assert!(point.x.is_nan());
        assert_eq!(point.label, None);
        assert_eq!(point.tags, vec![1, 2]);
    }

    #[test]
    fn parse_keeps_integers_exact_and_reports_positions() {
        let tree = JsonTree::parse(br#"{"a": 18446744073709551615, "b": -3, "c": 1.5}"#)
            .expect("valid JSON");
        assert_eq!(tree.get("a"), Some(&JsonTree::Unsigned(u64::MAX)));
        assert_eq!(tree.get("b"), Some(&JsonTree::Signed(-3)));
        assert_eq!(tree.get("c"), Some(&JsonTree::Float(1.5)));
        let error = JsonTree::parse(br#"{"a": [1, 2"#).expect_err("truncated");
        assert_eq!((error.line(), error.column()), (1, 11));
    }
}
