//! Trace and span identifiers, shown and parsed as lowercase hex.

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
}

impl SpanId {
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let id: [u8; 8] = bytes.try_into().ok()?;
        (id != [0; 8]).then_some(Self(id))
    }

    pub fn parse_hex(text: &str) -> Option<Self> {
        parse_hex::<8>(text).filter(|id| *id != [0; 8]).map(Self)
    }
}

fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim();
    if text.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
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
}
