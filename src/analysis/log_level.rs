//! The level of a log line: from its labels (`level`, `detected_level`, `severity`), else
//! detected in the line itself — logfmt `level=`, JSON `"level"`/`"severity"`, or a common
//! word such as `ERROR`, `WARN`, `panic` at a word boundary. Only a bounded prefix of the line
//! is read, so a 1 MB line costs the same as a short one.

use crate::model::LogBatch;

/// How many bytes of a line are searched for a level.
pub const SCAN_PREFIX_BYTES: usize = 1024;

/// Log levels in increasing severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    #[default]
    Unknown,
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl LogLevel {
    /// The OTLP severity number at the start of the level's range (0 for unknown).
    pub fn severity_number(self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::Trace => 1,
            Self::Debug => 5,
            Self::Info => 9,
            Self::Warn => 13,
            Self::Error => 17,
            Self::Fatal => 21,
        }
    }

    /// The level of an OTLP severity number.
    pub fn from_severity_number(n: u8) -> Self {
        match n {
            1..=4 => Self::Trace,
            5..=8 => Self::Debug,
            9..=12 => Self::Info,
            13..=16 => Self::Warn,
            17..=20 => Self::Error,
            21..=24 => Self::Fatal,
            _ => Self::Unknown,
        }
    }

    /// A level value as loggers write it (`warn`, `WARNING`, `err`, `crit`, `E`…), any case.
    pub fn from_value(value: &str) -> Option<Self> {
        let v = value.trim().trim_matches('"');
        let level = match v.len() {
            1 => match v.as_bytes()[0].to_ascii_lowercase() {
                b't' => Self::Trace,
                b'd' => Self::Debug,
                b'i' => Self::Info,
                b'w' => Self::Warn,
                b'e' => Self::Error,
                b'f' | b'c' => Self::Fatal,
                _ => return None,
            },
            _ => Self::from_word(v).or_else(|| Self::from_abbreviation(&v.to_ascii_uppercase()))?,
        };
        Some(level)
    }

    /// A full level word in any case; these are safe to look for in free text.
    fn from_word(word: &str) -> Option<Self> {
        const WORDS: &[(&str, LogLevel)] = &[
            ("trace", LogLevel::Trace),
            ("debug", LogLevel::Debug),
            ("info", LogLevel::Info),
            ("notice", LogLevel::Info),
            ("warn", LogLevel::Warn),
            ("warning", LogLevel::Warn),
            ("error", LogLevel::Error),
            ("fatal", LogLevel::Fatal),
            ("panic", LogLevel::Fatal),
            ("critical", LogLevel::Fatal),
            ("emergency", LogLevel::Fatal),
        ];
        if word.len() > 9 {
            return None;
        }
        WORDS
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(word))
            .map(|(_, l)| *l)
    }

    /// Upper-case abbreviations (`ERR`, `WRN`, `DBG`…); lower-case "err" in prose is not a level.
    fn from_abbreviation(word: &str) -> Option<Self> {
        Some(match word {
            "TRC" | "TRACE" => Self::Trace,
            "DBG" | "DBUG" | "DEBU" => Self::Debug,
            "INF" | "INFORMATION" => Self::Info,
            "WRN" | "WARN" => Self::Warn,
            "ERR" | "EROR" | "ERRO" => Self::Error,
            "FTL" | "CRIT" | "EMERG" | "ALERT" => Self::Fatal,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Trace => "trace",
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
            Self::Fatal => "fatal",
        }
    }
}

/// Label names that carry a level, in the order they are trusted.
pub const LEVEL_LABELS: [&str; 3] = ["level", "detected_level", "severity"];

/// The level named by a label set (`level`, then `detected_level`, then `severity`).
pub fn level_from_labels<'a>(labels: impl Fn(&str) -> Option<&'a str>) -> Option<LogLevel> {
    LEVEL_LABELS
        .iter()
        .find_map(|name| labels(name).and_then(LogLevel::from_value))
}

/// Detects the level written in a line, looking only at its first [`SCAN_PREFIX_BYTES`].
pub fn detect_in_line(line: &str) -> Option<LogLevel> {
    let bytes = &line.as_bytes()[..line.len().min(SCAN_PREFIX_BYTES)];
    keyed_level(bytes).or_else(|| word_level(bytes))
}

/// `level=x`, `lvl=x`, `severity=x` (logfmt) or `"level":"x"`, `"severity": "x"` (JSON).
fn keyed_level(bytes: &[u8]) -> Option<LogLevel> {
    for key in [&b"level"[..], b"severity", b"lvl"] {
        let mut from = 0;
        while let Some(pos) = find(&bytes[from..], key) {
            let start = from + pos;
            from = start + key.len();
            // The key must start a word: `loglevel=` is not `level=`.
            if start > 0 && is_word_byte(bytes[start - 1]) {
                continue;
            }
            let mut rest = &bytes[from..];
            if let Some(r) = rest.strip_prefix(b"\"") {
                rest = r;
            }
            rest = trim_start(rest);
            let Some(r) = rest.strip_prefix(b"=").or_else(|| rest.strip_prefix(b":")) else {
                continue;
            };
            let r = trim_start(r);
            let r = r.strip_prefix(b"\"").unwrap_or(r);
            let end = r.iter().position(|&b| !is_word_byte(b)).unwrap_or(r.len());
            if let Some(level) = std::str::from_utf8(&r[..end])
                .ok()
                .and_then(LogLevel::from_value)
            {
                return Some(level);
            }
        }
    }
    None
}

/// The first level word in the text, at word boundaries (`ERROR:`, `[warn]`, `panic:`).
fn word_level(bytes: &[u8]) -> Option<LogLevel> {
    bytes
        .split(|&b| !b.is_ascii_alphabetic())
        .filter(|w| (3..=9).contains(&w.len()))
        .find_map(|w| {
            let w = std::str::from_utf8(w).ok()?;
            LogLevel::from_word(w).or_else(|| LogLevel::from_abbreviation(w))
        })
}

/// The level of row `i`: its severity column, else structured metadata, parsed labels or
/// stream labels, else detected in the line.
pub fn level_of_row(batch: &LogBatch, i: usize) -> LogLevel {
    let known = LogLevel::from_severity_number(batch.severity[i]);
    if known != LogLevel::Unknown {
        return known;
    }
    level_from_labels(|k| batch.structured_metadata.get(i, k))
        .or_else(|| level_from_labels(|k| batch.parsed.get(i, k)))
        .or_else(|| level_from_labels(|k| batch.stream_labels(i).and_then(|l| l.get(k))))
        .or_else(|| detect_in_line(batch.body(i)))
        .unwrap_or_default()
}

/// Fills the severity column of rows that have none (Loki rows) with [`level_of_row`].
pub fn assign_levels(batch: &mut LogBatch) {
    for i in 0..batch.len() {
        if batch.severity[i] == 0 {
            batch.severity[i] = level_of_row(batch, i).severity_number();
        }
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| **c == b' ').count();
    &b[n..]
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logfmt_and_json_keys_give_the_level() {
        let cases = [
            ("ts=2026 level=warn caller=x msg=\"a\"", LogLevel::Warn),
            ("lvl=dbug msg=x", LogLevel::Debug),
            (
                r#"{"ts":"x","level":"error","msg":"charge failed"}"#,
                LogLevel::Error,
            ),
            (r#"{"severity": "INFO", "message": "ok"}"#, LogLevel::Info),
            ("level=\"fatal\" msg=boom", LogLevel::Fatal),
        ];
        for (line, want) in cases {
            assert_eq!(detect_in_line(line), Some(want), "{line}");
        }
    }

    #[test]
    fn words_are_found_only_at_word_boundaries() {
        assert_eq!(
            detect_in_line("ERROR upstream returned 500"),
            Some(LogLevel::Error)
        );
        assert_eq!(
            detect_in_line("[warn] disk almost full"),
            Some(LogLevel::Warn)
        );
        assert_eq!(
            detect_in_line("panic: runtime error: index out of range"),
            Some(LogLevel::Fatal)
        );
        assert_eq!(
            detect_in_line("2026/11/24 INF started"),
            Some(LogLevel::Info)
        );
        // "errors", "informational", "terror" are not level words; lower-case "err" is prose.
        assert_eq!(
            detect_in_line("counted errors in terror informational err"),
            None
        );
        assert_eq!(
            detect_in_line("loglevel=debug"),
            Some(LogLevel::Debug),
            "falls back to the word"
        );
    }

    #[test]
    fn first_level_word_wins_in_plain_text() {
        assert_eq!(
            detect_in_line(r#"WARN template rendered with fallback: <div class="error">"#),
            Some(LogLevel::Warn)
        );
    }

    #[test]
    fn a_level_past_the_prefix_is_not_seen() {
        let line = format!("{} ERROR late", "x".repeat(SCAN_PREFIX_BYTES));
        assert_eq!(detect_in_line(&line), None);
        let long = format!("level=info {}", "y".repeat(5_000_000));
        assert_eq!(detect_in_line(&long), Some(LogLevel::Info));
    }

    #[test]
    fn labels_beat_the_line_and_level_beats_detected_level() {
        let labels = [("detected_level", "warn"), ("level", "error")];
        let get = |k: &str| labels.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        assert_eq!(level_from_labels(get), Some(LogLevel::Error));
        let mut b = LogBatch::default();
        b.push_stream_row(1, 0, "level=info msg=x");
        b.structured_metadata.push_pair("detected_level", "warn");
        b.structured_metadata.end_row(0);
        b.push_stream_row(2, 0, "level=info msg=y");
        assign_levels(&mut b);
        assert_eq!(b.severity, [13, 9]);
    }
}
