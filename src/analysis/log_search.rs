//! Find-as-you-type over loaded log lines: every row whose text contains the needle, ignoring
//! case, found by one pass of a literal matcher over the batch's single text buffer.

use crate::model::LogBatch;

/// Rows whose body contains `needle` (case-insensitive), in row order, each once.
pub fn find_rows(batch: &LogBatch, needle: &str) -> Vec<u32> {
    let Some(matcher) = matcher(needle) else {
        return Vec::new();
    };
    let mut rows: Vec<u32> = Vec::new();
    let text = batch.all_bodies();
    let mut from = 0;
    while let Some(m) = matcher.find_at(text, from) {
        let Some(row) = batch.row_at(m.start()) else {
            break;
        };
        // A match may straddle two bodies in the shared buffer: it must end inside its row.
        if m.end() <= row_end(batch, row, m.start()) && rows.last() != Some(&(row as u32)) {
            rows.push(row as u32);
        }
        from = m.start() + 1;
        // Skip the rest of this row once it is found.
        if rows.last() == Some(&(row as u32)) {
            from = from.max(row_end(batch, row, m.start()));
        }
        while from < text.len() && !text.is_char_boundary(from) {
            from += 1;
        }
    }
    rows
}

/// The byte ranges of `needle` in one line, for highlighting.
pub fn match_ranges(line: &str, needle: &str) -> Vec<std::ops::Range<usize>> {
    matcher(needle).map_or_else(Vec::new, |m| ranges_of(&m, line))
}

/// The byte ranges `matcher` finds in one line (build it once with [`matcher`] for many).
pub fn ranges_of(matcher: &regex::Regex, line: &str) -> Vec<std::ops::Range<usize>> {
    matcher.find_iter(line).map(|f| f.range()).collect()
}

/// The case-insensitive literal matcher of `needle`; `None` for an empty needle.
pub fn matcher(needle: &str) -> Option<regex::Regex> {
    if needle.is_empty() {
        return None;
    }
    regex::RegexBuilder::new(&regex::escape(needle))
        .case_insensitive(true)
        .build()
        .ok()
}

/// End offset (in the shared buffer) of `row`, whose body contains byte `inside`.
fn row_end(batch: &LogBatch, row: usize, inside: usize) -> usize {
    // The body is a slice of the shared buffer; its end is its start plus its length.
    let body = batch.body(row);
    let start = body.as_ptr() as usize - batch.all_bodies().as_ptr() as usize;
    debug_assert!(start <= inside);
    start + body.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(lines: &[&str]) -> LogBatch {
        let mut b = LogBatch::default();
        for (i, l) in lines.iter().enumerate() {
            b.push(i as u64, "svc", 9, l, None, None);
        }
        b
    }

    #[test]
    fn finds_rows_ignoring_case_once_each_and_never_across_rows() {
        let b = batch(&[
            "Timeout talking to DB",
            "ok",
            "db timeout; timeout again",
            "time",
            "out",
            "ÉCHEC timeout",
        ]);
        assert_eq!(find_rows(&b, "TIMEOUT"), [0, 2, 5]);
        // "time" + "out" are adjacent in the buffer but in different rows.
        assert_eq!(find_rows(&b, "timeout").len(), 3);
        assert_eq!(find_rows(&b, "échec"), [5]);
        assert!(find_rows(&b, "").is_empty());
        assert_eq!(
            find_rows(&b, "a.b"),
            Vec::<u32>::new(),
            "the needle is literal"
        );
        assert_eq!(
            match_ranges("a Timeout, timeout", "timeout"),
            [2..9, 11..18]
        );
    }
}
