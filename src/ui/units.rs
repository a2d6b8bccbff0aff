//! Numbers with units for axes, legends and tooltips: SI prefixes, binary bytes, durations,
//! percentages.

use crate::workspace::Unit;

/// An axis tick: short, no more precision than the prefix needs.
pub fn format_axis(v: f64, unit: Unit) -> String {
    format_value(v, unit)
}

/// A value in its unit: `1536` bytes → `1.5 KiB`, `0.0021` s → `2.1 ms`, `0.25` ratio → `25 %`.
pub fn format_value(v: f64, unit: Unit) -> String {
    if !v.is_finite() {
        return format_si(v);
    }
    match unit {
        Unit::None => format_si(v),
        Unit::OpsPerSecond => format!("{} ops/s", format_si(v)),
        Unit::Bytes => format_bytes(v),
        Unit::Seconds => format_seconds(v),
        Unit::PercentUnit => format!("{} %", trim(v * 100.0, 2)),
        Unit::Percent => format!("{} %", trim(v, 2)),
    }
}

/// Axis numbers with SI prefixes: `30000000` → `30M`, `0.002` → `2m`.
pub fn format_si(v: f64) -> String {
    const PREFIXES: &[(f64, &str)] = &[
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
        (1.0, ""),
        (1e-3, "m"),
        (1e-6, "µ"),
        (1e-9, "n"),
    ];
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let (scale, prefix) = PREFIXES
        .iter()
        .find(|(s, _)| v.abs() >= *s)
        .copied()
        .unwrap_or((1e-9, "n"));
    format!("{}{prefix}", trim(v / scale, 3))
}

fn format_bytes(v: f64) -> String {
    const UNITS: &[&str] = &["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut scaled = v;
    let mut unit = 0;
    while scaled.abs() >= 1024.0 && unit + 1 < UNITS.len() {
        scaled /= 1024.0;
        unit += 1;
    }
    format!("{} {}", trim(scaled, 2), UNITS[unit])
}

fn format_seconds(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0 s".into()
    } else if a < 1e-6 {
        format!("{} ns", trim(v * 1e9, 2))
    } else if a < 1e-3 {
        format!("{} µs", trim(v * 1e6, 2))
    } else if a < 1.0 {
        format!("{} ms", trim(v * 1e3, 2))
    } else if a < 60.0 {
        format!("{} s", trim(v, 2))
    } else if a < 3600.0 {
        format!("{} min", trim(v / 60.0, 2))
    } else if a < 86_400.0 {
        format!("{} h", trim(v / 3600.0, 2))
    } else {
        format!("{} d", trim(v / 86_400.0, 2))
    }
}

/// Up to `decimals` decimals, without trailing zeros.
fn trim(v: f64, decimals: usize) -> String {
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si_prefixes_shorten_axis_numbers() {
        assert_eq!(format_si(30_000_000.0), "30M");
        assert_eq!(format_si(1500.0), "1.5k");
        assert_eq!(format_si(0.002), "2m");
        assert_eq!(format_si(-0.5), "-500m");
        assert_eq!(format_si(1.0), "1");
        assert_eq!(format_si(0.0), "0");
        assert_eq!(format_si(100.0), "100");
    }

    #[test]
    fn units_scale_their_own_way() {
        assert_eq!(format_value(1536.0, Unit::Bytes), "1.5 KiB");
        assert_eq!(format_value(3.0 * 1024.0 * 1024.0, Unit::Bytes), "3 MiB");
        assert_eq!(format_value(0.0021, Unit::Seconds), "2.1 ms");
        assert_eq!(format_value(90.0, Unit::Seconds), "1.5 min");
        assert_eq!(format_value(0.25, Unit::PercentUnit), "25 %");
        assert_eq!(format_value(99.5, Unit::Percent), "99.5 %");
        assert_eq!(format_value(2500.0, Unit::OpsPerSecond), "2.5k ops/s");
        assert_eq!(format_value(f64::NAN, Unit::Bytes), "NaN");
    }
}
