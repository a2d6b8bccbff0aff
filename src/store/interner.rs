//! Interned strings for low-cardinality text (service names, span names, attribute keys).

use std::collections::HashMap;

#[derive(Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
    strings: Vec<String>,
    bytes: usize,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(s.to_owned());
        self.ids.insert(s.to_owned(), id);
        // Two copies of the text plus map and vector entries.
        self.bytes += 2 * s.len() + 64;
        id
    }

    pub fn get(&self, id: u32) -> &str {
        self.strings.get(id as usize).map_or("", String::as_str)
    }

    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }
}
