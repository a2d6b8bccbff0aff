//! Trace and span identifiers, shown and parsed as lowercase hex.
//!
//! Servers write them in several ways: OTLP/JSON as 32/16 hex digits, Tempo as base64 (the
//! protobuf JSON mapping) or as hex with leading zeros dropped, Jaeger as 16 hex digits for
//! 64-bit trace ids. `parse` takes all of them.

use std::fmt;

#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TraceId(pub [u8; 16]);

#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanId(pub [u8; 8]);

impl TraceId {
    /// From OTLP bytes; anything but 16 non-zero bytes is not a trace id.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let id: [u8; 16] = bytes.try_into().ok()?;
        (id != [0; 16]).then_some(Self(id))
    }

    pub fn parse_hex(text: &str) -> Option<Self> {
        parse_hex::<16>(text).filter(|id| *id != [0; 16]).map(Self)
    }

    /// Hex (up to 32 digits; shorter ids are left-padded with zeros, as Jaeger's 64-bit ids and
    /// Tempo's trimmed ids need) or base64 of 16 bytes. Text of hex digits only is read as hex.
    pub fn parse(text: &str) -> Option<Self> {
        parse_flexible::<16>(text)
            .filter(|id| *id != [0; 16])
            .map(Self)
    }
}

impl SpanId {
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let id: [u8; 8] = bytes.try_into().ok()?;
        (id != [0; 8]).then_some(Self(id))
    }

    pub fn parse_hex(text: &str) -> Option<Self> {
        parse_hex::<8>(text).filter(|id| *id != [0; 8]).map(Self)
    }

    /// Hex (up to 16 digits, left-padded) or base64 of 8 bytes, like [`TraceId::parse`].
    pub fn parse(text: &str) -> Option<Self> {
        parse_flexible::<8>(text)
            .filter(|id| *id != [0; 8])
            .map(Self)
    }
}

fn parse_flexible<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.len() == N * 2
        && let Some(id) = parse_hex::<N>(text)
    {
        return Some(id);
    }
    if text.len() <= N * 2 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut padded = [b'0'; 64];
        padded[N * 2 - text.len()..N * 2].copy_from_slice(text.as_bytes());
        return parse_hex::<N>(std::str::from_utf8(&padded[..N * 2]).ok()?);
    }
    use base64::Engine as _;
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .and_then(|bytes| bytes.try_into().ok())
}

fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim().as_bytes();
    if text.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// One hex digit's value (a million-span trace parses two million ids).
fn nibble(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for b in bytes {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_zero_ids_are_not_ids() {
        let id = TraceId::parse_hex("bdd640fb06671ad11c80317fa3b1799d").unwrap();
        assert_eq!(id.to_string(), "bdd640fb06671ad11c80317fa3b1799d");
        assert_eq!(TraceId::parse_hex("00000000000000000000000000000000"), None);
        assert_eq!(TraceId::from_bytes(&[0; 16]), None);
        assert_eq!(SpanId::parse_hex("972a846916419f8"), None);
        assert_eq!(
            SpanId::parse_hex("972a846916419f82").unwrap().to_string(),
            "972a846916419f82"
        );
    }

    #[test]
    fn parse_takes_hex_trimmed_hex_and_base64() {
        let id = TraceId::parse_hex("bdd640fb06671ad11c80317fa3b1799d").unwrap();
        assert_eq!(TraceId::parse("BDD640FB06671AD11C80317FA3B1799D"), Some(id));
        assert_eq!(TraceId::parse("vdZA+wZnGtEcgDF/o7F5nQ=="), Some(id));
        assert_eq!(TraceId::parse("vdZA+wZnGtEcgDF/o7F5nQ"), Some(id));
        assert_eq!(
            TraceId::parse("7e2b1c5a4d3f60918273a4b5c6d7e8f")
                .unwrap()
                .to_string(),
            "07e2b1c5a4d3f60918273a4b5c6d7e8f"
        );
        assert_eq!(
            TraceId::parse("2be38093ead7a083").unwrap().to_string(),
            "00000000000000002be38093ead7a083"
        );
        assert_eq!(
            SpanId::parse("I7jB6TkkVt4=").unwrap().to_string(),
            "23b8c1e9392456de"
        );
        assert_eq!(TraceId::parse(""), None);
        assert_eq!(TraceId::parse("trace-123"), None);
        assert_eq!(TraceId::parse("0"), None);
        assert_eq!(SpanId::parse("AAAAAAAAAAA="), None);
    }
}
