//! A queue of column chunks: the newest is written to, the oldest is evicted whole.
//! Chunks are numbered in creation order so indexes can point at `(chunk, row)`.

use std::collections::VecDeque;

/// What a table's chunk reports about itself.
pub trait Chunk: Default {
    fn len(&self) -> usize;
    /// Bytes held, counting reserved capacity.
    fn bytes(&self) -> usize;
}

#[derive(Default)]
pub struct Chunks<C> {
    items: VecDeque<C>,
    /// The number of `items[0]`; `items[i]` is chunk `first_seq + i`.
    first_seq: u64,
    max_rows: usize,
    /// A chunk is closed past this size, so a small budget is never held by one open chunk.
    max_bytes: usize,
}

impl<C: Chunk> Chunks<C> {
    pub fn new(max_rows: usize, max_bytes: usize) -> Self {
        Self {
            items: VecDeque::new(),
            first_seq: 0,
            max_rows,
            max_bytes,
        }
    }

    /// The chunk to append to, opening a new one when the last is full; with its number.
    pub fn open(&mut self) -> (u64, &mut C) {
        let full =
            |c: &C| c.len() >= self.max_rows || (self.max_bytes > 0 && c.bytes() >= self.max_bytes);
        if self.items.back().is_none_or(full) {
            self.items.push_back(C::default());
        }
        let seq = self.first_seq + self.items.len() as u64 - 1;
        let last = self.items.len() - 1;
        (seq, &mut self.items[last])
    }

    pub fn get(&self, seq: u64) -> Option<&C> {
        self.items
            .get(usize::try_from(seq.checked_sub(self.first_seq)?).ok()?)
    }

    /// True when some chunk other than the one being written can be evicted.
    pub fn has_closed(&self) -> bool {
        self.items.len() > 1
    }

    /// Removes the oldest chunk, returning its number and contents.
    pub fn pop_oldest(&mut self) -> Option<(u64, C)> {
        let chunk = self.items.pop_front()?;
        let seq = self.first_seq;
        self.first_seq += 1;
        Some((seq, chunk))
    }

    pub fn iter(&self) -> impl Iterator<Item = (u64, &C)> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, c)| (self.first_seq + i as u64, c))
    }

    pub fn bytes(&self) -> usize {
        self.items.iter().map(C::bytes).sum()
    }
}
