//! De-duplication of successive log lines, with Grafana's modes (its `LogsDedupDescription`):
//! - exact: successive lines identical once ISO datetimes are ignored;
//! - numbers: identical once digits are ignored (IP addresses, latencies);
//! - signature: identical punctuation and whitespace (letters, digits and `_` ignored).
//!
//! A duplicate folds into the row kept before it, which counts it.

use regex::Regex;
use std::borrow::Cow;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DedupMode {
    #[default]
    None,
    Exact,
    Numbers,
    Signature,
}

/// The rows to show and, for each, how many successive duplicates it stands for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dedup {
    /// Row indices kept, in input order.
    pub keep: Vec<usize>,
    /// `duplicates[k]`: rows folded into `keep[k]` (0 when none).
    pub duplicates: Vec<u32>,
}

impl Dedup {
    /// Rows hidden in total.
    pub fn hidden(&self) -> u64 {
        self.duplicates.iter().map(|&d| u64::from(d)).sum()
    }
}

/// De-duplicates `rows` (row index, line) in the order given, as the table shows them.
pub fn dedup<'a>(rows: impl IntoIterator<Item = (usize, &'a str)>, mode: DedupMode) -> Dedup {
    let mut out = Dedup::default();
    let mut previous: Option<String> = None;
    for (row, line) in rows {
        if mode == DedupMode::None {
            out.keep.push(row);
            out.duplicates.push(0);
            continue;
        }
        let key = dedup_key(line, mode);
        if previous.as_deref() == Some(key.as_ref())
            && let Some(count) = out.duplicates.last_mut()
        {
            *count += 1;
            continue;
        }
        previous = Some(key.into_owned());
        out.keep.push(row);
        out.duplicates.push(0);
    }
    out
}

/// What two lines must share to be duplicates under `mode`.
pub fn dedup_key(line: &str, mode: DedupMode) -> Cow<'_, str> {
    match mode {
        DedupMode::None => Cow::Borrowed(line),
        DedupMode::Exact => iso_datetime().replace_all(line, ""),
        DedupMode::Numbers => without(line, |c| c.is_ascii_digit()),
        DedupMode::Signature => without(line, |c| c.is_ascii_alphanumeric() || c == '_'),
    }
}

fn without(line: &str, drop: impl Fn(char) -> bool) -> Cow<'_, str> {
    if line.chars().any(&drop) {
        Cow::Owned(line.chars().filter(|&c| !drop(c)).collect())
    } else {
        Cow::Borrowed(line)
    }
}

/// An ISO 8601 datetime with fractional seconds and a zone, as Grafana ignores in exact mode.
fn iso_datetime() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-6]\d[,.]\d+(?:[+-][0-2]\d:[0-5]\d|Z)")
            .expect("constant datetime pattern compiles")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lines: &[&str], mode: DedupMode) -> (Vec<usize>, Vec<u32>) {
        let d = dedup(lines.iter().copied().enumerate(), mode);
        (d.keep, d.duplicates)
    }

    const LINES: [&str; 5] = [
        "WARN test 1.23 on [xxx]",
        "WARN test 1.23 on [xxx]",
        "WARN test 1.23 on [yyy]",
        "WARN test 2.34 on [yyy]",
        "INFO test 2.44 on [zzz]",
    ];

    #[test]
    fn exact_folds_only_identical_successive_lines() {
        assert_eq!(
            run(&LINES, DedupMode::Exact),
            (vec![0, 2, 3, 4], vec![1, 0, 0, 0])
        );
        // Not successive: both kept.
        assert_eq!(
            run(&["a", "b", "a"], DedupMode::Exact),
            (vec![0, 1, 2], vec![0, 0, 0])
        );
    }

    #[test]
    fn exact_ignores_iso_datetimes() {
        let lines = [
            "ts=2026-11-24T07:57:04.241Z level=info msg=ok",
            "ts=2026-11-24T07:57:05.917+01:00 level=info msg=ok",
            "ts=2026-11-24T07:57:06.001Z level=info msg=changed",
        ];
        assert_eq!(run(&lines, DedupMode::Exact), (vec![0, 2], vec![1, 0]));
    }

    #[test]
    fn numbers_ignores_digits() {
        assert_eq!(
            run(&LINES, DedupMode::Numbers),
            (vec![0, 2, 4], vec![1, 1, 0])
        );
    }

    #[test]
    fn signature_keeps_only_punctuation_and_whitespace() {
        assert_eq!(run(&LINES, DedupMode::Signature), (vec![0], vec![4]));
        assert_eq!(dedup_key("GET /a?x=1 200", DedupMode::Signature), " /?= ");
    }

    #[test]
    fn none_keeps_everything_and_counts_hidden() {
        let d = dedup(LINES.iter().copied().enumerate(), DedupMode::None);
        assert_eq!(d.keep.len(), 5);
        assert_eq!(d.hidden(), 0);
        assert_eq!(
            dedup(LINES.iter().copied().enumerate(), DedupMode::Signature).hidden(),
            4
        );
    }
}
