//! The global time range: relative ("last 1h") or absolute, and the zone it is shown in.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The relative presets offered in the top bar, in seconds, with their labels.
pub const PRESETS: &[(i64, &str)] = &[
    (5 * 60, "Last 5m"),
    (15 * 60, "Last 15m"),
    (60 * 60, "Last 1h"),
    (6 * 60 * 60, "Last 6h"),
    (24 * 60 * 60, "Last 24h"),
    (7 * 24 * 60 * 60, "Last 7d"),
    (30 * 24 * 60 * 60, "Last 30d"),
];

/// What the user chose: a window ending now, or two fixed instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeRange {
    /// The last `seconds` before now.
    Relative { seconds: i64 },
    Absolute {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

impl Default for TimeRange {
    fn default() -> Self {
        Self::Relative { seconds: 60 * 60 }
    }
}

impl TimeRange {
    /// The instants this range covers at `now`.
    pub fn resolve(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        match *self {
            Self::Relative { seconds } => (now - Duration::seconds(seconds), now),
            Self::Absolute { from, to } => (from, to),
        }
    }

    /// A fixed range between two Unix times in seconds (millisecond precision), as a chart
    /// selection gives them; `None` when they are not an increasing pair of valid times.
    pub fn absolute_secs(from: f64, to: f64) -> Option<Self> {
        let at = |t: f64| DateTime::<Utc>::from_timestamp_millis((t * 1000.0).round() as i64);
        match (at(from), at(to)) {
            (Some(from), Some(to)) if from < to && from.timestamp() > 0 => {
                Some(Self::Absolute { from, to })
            }
            _ => None,
        }
    }

    pub fn is_relative(&self) -> bool {
        matches!(self, Self::Relative { .. })
    }

    /// Doubles the range around its centre, as Grafana's zoom out does. A relative range stays
    /// relative (twice as long, still ending now).
    pub fn zoomed_out(&self, now: DateTime<Utc>) -> Self {
        match *self {
            Self::Relative { seconds } => Self::Relative {
                seconds: seconds.saturating_mul(2),
            },
            Self::Absolute { from, to } => {
                let half = (to - from) / 2;
                Self::Absolute {
                    from: from - half,
                    to: (to + half).min(now.max(to)),
                }
            }
        }
    }

    /// Moves the range by half its width; `direction` is -1 for earlier, +1 for later.
    /// The result is absolute, since "the last hour, shifted" is a fixed window.
    pub fn shifted(&self, now: DateTime<Utc>, direction: i32) -> Self {
        let (from, to) = self.resolve(now);
        let delta = (to - from) / 2 * direction;
        Self::Absolute {
            from: from + delta,
            to: to + delta,
        }
    }

    /// Short text for the top bar: the preset's label or the two instants.
    pub fn label(&self, zone: TimeZoneChoice) -> String {
        match *self {
            Self::Relative { seconds } => PRESETS
                .iter()
                .find(|(s, _)| *s == seconds)
                .map(|(_, l)| (*l).to_owned())
                .unwrap_or_else(|| format!("Last {}", format_duration(seconds))),
            Self::Absolute { from, to } => {
                format!("{} to {}", zone.format(from), zone.format(to))
            }
        }
    }
}

/// `90` → `1m30s`, `7200` → `2h`.
pub fn format_duration(seconds: i64) -> String {
    let units = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let mut rest = seconds.max(0);
    let mut out = String::new();
    for (size, unit) in units {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// Which clock the UI shows times in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeZoneChoice {
    #[default]
    Local,
    Utc,
}

impl TimeZoneChoice {
    /// `2026-11-24 09:30:00` in this zone.
    pub fn format(&self, t: DateTime<Utc>) -> String {
        self.format_with(t, "%Y-%m-%d %H:%M:%S")
    }

    pub fn format_with(&self, t: DateTime<Utc>, pattern: &str) -> String {
        match self {
            Self::Utc => t.format(pattern).to_string(),
            Self::Local => t.with_timezone(&chrono::Local).format(pattern).to_string(),
        }
    }

    /// Parses `YYYY-MM-DD HH:MM[:SS]` as a time in this zone.
    pub fn parse(&self, text: &str) -> Result<DateTime<Utc>, String> {
        let text = text.trim();
        let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
            .iter()
            .find_map(|p| chrono::NaiveDateTime::parse_from_str(text, p).ok())
            .ok_or_else(|| format!("“{text}” is not a time like 2026-11-24 09:30:00"))?;
        match self {
            Self::Utc => Ok(naive.and_utc()),
            Self::Local => naive
                .and_local_timezone(chrono::Local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| format!("{text} does not exist in the local time zone")),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Utc => "UTC",
            Self::Local => "Local",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(s, 0).unwrap()
    }

    #[test]
    fn relative_range_ends_now() {
        let r = TimeRange::Relative { seconds: 3600 };
        assert_eq!(r.resolve(t(10_000)), (t(6_400), t(10_000)));
    }

    #[test]
    fn zoom_out_doubles_around_the_centre() {
        let r = TimeRange::Absolute {
            from: t(1000),
            to: t(2000),
        };
        assert_eq!(
            r.zoomed_out(t(10_000)),
            TimeRange::Absolute {
                from: t(500),
                to: t(2500)
            }
        );
        assert_eq!(
            TimeRange::Relative { seconds: 300 }.zoomed_out(t(0)),
            TimeRange::Relative { seconds: 600 }
        );
    }

    #[test]
    fn shift_moves_by_half_the_width_and_becomes_absolute() {
        let r = TimeRange::Relative { seconds: 100 };
        assert_eq!(
            r.shifted(t(1000), -1),
            TimeRange::Absolute {
                from: t(850),
                to: t(950)
            }
        );
    }

    #[test]
    fn utc_parse_and_format_round_trip() {
        let z = TimeZoneChoice::Utc;
        let parsed = z.parse("2026-11-24 09:30:00").unwrap();
        assert_eq!(
            parsed,
            Utc.with_ymd_and_hms(2026, 11, 24, 9, 30, 0).unwrap()
        );
        assert_eq!(z.format(parsed), "2026-11-24 09:30:00");
        assert!(z.parse("yesterday").is_err());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(90), "1m30s");
        assert_eq!(format_duration(7200), "2h");
        assert_eq!(format_duration(0), "0s");
    }
}
