//! Orders completion candidates for what the user has typed: prefix matches first, then
//! substring matches, then fuzzy (in-order subsequence) matches; the input order is kept within
//! each group, so a caller's own ordering (alphabetical, most recent) survives.

/// How well a candidate matches a typed prefix; lower is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    Prefix,
    Substring,
    Fuzzy,
}

/// How `candidate` matches `typed`, ignoring ASCII case; `None` when it does not.
pub fn match_kind(candidate: &str, typed: &str) -> Option<MatchKind> {
    if typed.is_empty() {
        return Some(MatchKind::Prefix);
    }
    let c = candidate.to_ascii_lowercase();
    let t = typed.to_ascii_lowercase();
    if c.starts_with(&t) {
        Some(MatchKind::Prefix)
    } else if c.contains(&t) {
        Some(MatchKind::Substring)
    } else {
        let mut rest = c.chars();
        t.chars()
            .all(|wanted| rest.any(|ch| ch == wanted))
            .then_some(MatchKind::Fuzzy)
    }
}

/// Indices of the `candidates` that match `typed`, best first, stable within each kind.
pub fn rank<T>(candidates: &[T], typed: &str, text: impl Fn(&T) -> &str) -> Vec<usize> {
    let mut ranked: Vec<(MatchKind, usize)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match_kind(text(c), typed).map(|k| (k, i)))
        .collect();
    // A stable sort by kind keeps the input order inside each kind.
    ranked.sort_by_key(|&(kind, _)| kind);
    ranked.into_iter().map(|(_, i)| i).collect()
}

/// [`rank`] for plain strings, returning the strings.
pub fn rank_strings<'a>(candidates: &'a [String], typed: &str) -> Vec<&'a str> {
    rank(candidates, typed, |s| s.as_str())
        .into_iter()
        .map(|i| candidates[i].as_str())
        .collect()
}
