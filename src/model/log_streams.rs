//! What Loki adds to a log row: the stream's label set (stored once per distinct set, rows
//! hold a `u32` id) and per-row name/value pairs (structured metadata, parsed labels) kept in
//! columns, so a million rows are a handful of allocations.
//!
//! Rows from sources without these (the local store) simply have none: every lookup past the
//! end of a column answers "nothing".

use super::series::Labels;
use std::collections::HashMap;
use std::ops::Range;

/// Distinct stream label sets; each is stored once and named by its index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamTable {
    // Boxed so a `LogBatch` without Loki rows stays small (it travels in enums by value).
    inner: Box<StreamSets>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct StreamSets {
    sets: Vec<Labels>,
    ids: HashMap<Labels, u32>,
}

impl StreamTable {
    /// The id of `labels`, adding the set if it is new.
    pub fn intern(&mut self, labels: Labels) -> u32 {
        if let Some(&id) = self.inner.ids.get(&labels) {
            return id;
        }
        let id = self.inner.sets.len() as u32;
        self.inner.ids.insert(labels.clone(), id);
        self.inner.sets.push(labels);
        id
    }

    pub fn get(&self, id: u32) -> Option<&Labels> {
        self.inner.sets.get(id as usize)
    }

    pub fn len(&self) -> usize {
        self.inner.sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.sets.is_empty()
    }

    /// Every set with its id, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Labels)> {
        self.inner
            .sets
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u32, l))
    }
}

/// Name/value pairs per row in columns: names interned, values in one text buffer.
/// Row `i`'s pairs are `pairs[row_end[i-1]..row_end[i]]`; rows past `row_end` have none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowFields {
    inner: Box<RowFieldColumns>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct RowFieldColumns {
    names: Vec<String>,
    name_ids: HashMap<String, u32>,
    row_end: Vec<u32>,
    pair_name: Vec<u32>,
    pair_value: Vec<Range<u32>>,
    text: String,
}

impl RowFields {
    /// Adds one name/value pair to the row being built; finish the row with [`Self::end_row`].
    pub fn push_pair(&mut self, name: &str, value: &str) {
        // Rows usually carry a handful of names: a scan beats hashing every pair.
        let known = if self.inner.names.len() <= 16 {
            self.inner
                .names
                .iter()
                .position(|n| n == name)
                .map(|p| p as u32)
        } else {
            self.inner.name_ids.get(name).copied()
        };
        let id = match known {
            Some(id) => id,
            None => {
                let id = self.inner.names.len() as u32;
                self.inner.names.push(name.to_owned());
                self.inner.name_ids.insert(name.to_owned(), id);
                id
            }
        };
        let start = self.inner.text.len() as u32;
        self.inner.text.push_str(value);
        self.inner.pair_name.push(id);
        self.inner
            .pair_value
            .push(start..self.inner.text.len() as u32);
    }

    /// Closes row `row` (0-based): pairs pushed since the previous row belong to it. Rows in
    /// between that were never ended get no pairs.
    pub fn end_row(&mut self, row: usize) {
        let end = self.inner.pair_name.len() as u32;
        let last = self.inner.row_end.last().copied().unwrap_or(0);
        while self.inner.row_end.len() < row {
            self.inner.row_end.push(last);
        }
        self.inner.row_end.push(end);
    }

    /// The pairs of row `i`, in the order they were pushed.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (&str, &str)> {
        let range = self.pair_range(i);
        range.map(|p| {
            let v = &self.inner.pair_value[p];
            (
                self.inner.names[self.inner.pair_name[p] as usize].as_str(),
                &self.inner.text[v.start as usize..v.end as usize],
            )
        })
    }

    /// The value of `name` in row `i`.
    pub fn get(&self, i: usize, name: &str) -> Option<&str> {
        self.row(i).find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// Every name seen in any row, in first-seen order (for field pickers).
    pub fn names(&self) -> &[String] {
        &self.inner.names
    }

    pub fn is_empty(&self) -> bool {
        self.inner.pair_name.is_empty()
    }

    fn pair_range(&self, i: usize) -> Range<usize> {
        let Some(&end) = self.inner.row_end.get(i) else {
            return 0..0;
        };
        let start = if i == 0 { 0 } else { self.inner.row_end[i - 1] };
        start as usize..end as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_label_sets_share_one_id() {
        let mut t = StreamTable::default();
        let a = Labels::new(vec![("b".into(), "2".into()), ("a".into(), "1".into())]);
        let b = Labels::new(vec![("a".into(), "1".into()), ("b".into(), "2".into())]);
        let c = Labels::new(vec![("a".into(), "9".into())]);
        assert_eq!(t.intern(a), 0);
        assert_eq!(t.intern(b), 0);
        assert_eq!(t.intern(c), 1);
        assert_eq!(t.len(), 2);
        assert_eq!(t.get(1).and_then(|l| l.get("a")), Some("9"));
    }

    #[test]
    fn rows_keep_their_own_pairs_and_skipped_rows_have_none() {
        let mut f = RowFields::default();
        f.push_pair("trace_id", "abc");
        f.push_pair("level", "info");
        f.end_row(0);
        f.push_pair("trace_id", "def");
        f.end_row(2);
        assert_eq!(
            f.row(0).collect::<Vec<_>>(),
            vec![("trace_id", "abc"), ("level", "info")]
        );
        assert_eq!(f.row(1).count(), 0);
        assert_eq!(f.get(2, "trace_id"), Some("def"));
        assert_eq!(f.row(3).count(), 0);
        assert_eq!(f.names(), ["trace_id", "level"]);
    }
}
