//! Attributes kept per chunk: interned keys, values in a text arena, so a stored span or log
//! record holds no heap objects of its own.

use super::interner::Interner;
use crate::model::AttrValue;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    /// Text in the chunk's arena.
    Str(u32, u32),
    Int(i64),
    Double(f64),
    Bool(bool),
    /// Arrays, maps and bytes, rendered as text in the arena.
    Text(u32, u32),
}

/// Attribute storage shared by all rows of a chunk.
#[derive(Default)]
pub struct AttrArena {
    pub cells: Vec<(u32, Cell)>,
    pub text: String,
}

impl AttrArena {
    /// Appends `attrs` and returns the range of cells they occupy.
    pub fn push(&mut self, keys: &mut Interner, attrs: &[KeyValue]) -> Range<u32> {
        let start = self.cells.len() as u32;
        for kv in attrs {
            let key = keys.intern(&kv.key);
            let cell = self.cell(kv.value.as_ref());
            self.cells.push((key, cell));
        }
        start..self.cells.len() as u32
    }

    /// Stores a string in the arena and returns its (start, end).
    pub fn push_text(&mut self, s: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        (start, self.text.len() as u32)
    }

    pub fn text(&self, (start, end): (u32, u32)) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    fn cell(&mut self, value: Option<&AnyValue>) -> Cell {
        match value.and_then(|v| v.value.as_ref()) {
            Some(any_value::Value::StringValue(s)) => {
                let (a, b) = self.push_text(s);
                Cell::Str(a, b)
            }
            Some(any_value::Value::IntValue(i)) => Cell::Int(*i),
            Some(any_value::Value::DoubleValue(d)) => Cell::Double(*d),
            Some(any_value::Value::BoolValue(b)) => Cell::Bool(*b),
            Some(other) => {
                let (a, b) = self.push_text(&render(other));
                Cell::Text(a, b)
            }
            None => {
                let (a, b) = self.push_text("");
                Cell::Str(a, b)
            }
        }
    }

    pub fn value(&self, cell: Cell) -> AttrValue {
        match cell {
            Cell::Str(a, b) => AttrValue::Str(self.text((a, b)).to_owned()),
            Cell::Text(a, b) => AttrValue::Text(self.text((a, b)).to_owned()),
            Cell::Int(i) => AttrValue::Int(i),
            Cell::Double(d) => AttrValue::Double(d),
            Cell::Bool(b) => AttrValue::Bool(b),
        }
    }

    /// The attributes in `range` as key/value pairs.
    pub fn read(&self, keys: &Interner, range: Range<u32>) -> Vec<(String, AttrValue)> {
        self.cells[range.start as usize..range.end as usize]
            .iter()
            .map(|(k, c)| (keys.get(*k).to_owned(), self.value(*c)))
            .collect()
    }

    /// True if an attribute `key` in `range` has the text `value`.
    pub fn matches(&self, keys: &Interner, range: Range<u32>, key: &str, value: &str) -> bool {
        let Some(key) = keys.lookup(key) else {
            return false;
        };
        self.cells[range.start as usize..range.end as usize]
            .iter()
            .any(|(k, c)| *k == key && self.value(*c).to_string() == value)
    }

    pub fn bytes(&self) -> usize {
        self.cells.capacity() * std::mem::size_of::<(u32, Cell)>() + self.text.capacity()
    }
}

/// Text for values that are not scalars: arrays as `[a, b]`, maps as `{k: v}`, bytes as hex.
pub fn render(value: &any_value::Value) -> String {
    match value {
        any_value::Value::StringValue(s) => s.clone(),
        any_value::Value::IntValue(i) => i.to_string(),
        any_value::Value::DoubleValue(d) => d.to_string(),
        any_value::Value::BoolValue(b) => b.to_string(),
        any_value::Value::BytesValue(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
        any_value::Value::ArrayValue(a) => {
            let items: Vec<String> = a
                .values
                .iter()
                .map(|v| v.value.as_ref().map_or_else(String::new, render))
                .collect();
            format!("[{}]", items.join(", "))
        }
        any_value::Value::KvlistValue(kv) => {
            let items: Vec<String> = kv
                .values
                .iter()
                .map(|e| {
                    let v = e
                        .value
                        .as_ref()
                        .and_then(|v| v.value.as_ref())
                        .map_or_else(String::new, render);
                    format!("{}: {v}", e.key)
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        // Profiling's string-table references carry no text of their own here.
        _ => String::new(),
    }
}

/// The `service.name` resource attribute, or OTLP's documented fallback.
pub fn service_name(
    resource: Option<&opentelemetry_proto::tonic::resource::v1::Resource>,
) -> String {
    resource
        .and_then(|r| r.attributes.iter().find(|kv| kv.key == "service.name"))
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.value.as_ref())
        .map_or_else(|| "unknown_service".to_owned(), render)
}
