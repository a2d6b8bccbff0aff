//! The logs volume histogram: how many lines per time bucket, by level, from loaded rows.

/// Bars in the volume histogram.
pub const VOLUME_BUCKETS: usize = 120;

/// Levels the histogram stacks, lowest first.
pub const VOLUME_LEVELS: [&str; 6] = ["unknown", "debug", "info", "warn", "error", "fatal"];

/// The stack slot of an OTLP severity number (0 unknown, 1–8 trace/debug, 9–12 info…).
pub fn level_slot(severity: u8) -> usize {
    match severity {
        1..=8 => 1,
        9..=12 => 2,
        13..=16 => 3,
        17..=20 => 4,
        21.. => 5,
        0 => 0,
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogVolume {
    /// Start of the first bucket and width of each, nanoseconds.
    pub start_ns: u64,
    pub bucket_ns: u64,
    /// Lines per bucket and level slot.
    pub counts: Vec<[u32; 6]>,
    /// Lines outside `[start, end)`, counted rather than dropped silently.
    pub outside: usize,
}

impl LogVolume {
    /// `buckets` equal, empty buckets over `[start_ns, end_ns)`.
    fn empty((start_ns, end_ns): (u64, u64), buckets: usize) -> Self {
        let buckets = buckets.max(1);
        let span = end_ns.saturating_sub(start_ns).max(1);
        Self {
            start_ns,
            bucket_ns: span.div_ceil(buckets as u64).max(1),
            counts: vec![[0; 6]; buckets],
            outside: 0,
        }
    }

    /// The bucket holding time `t_ns`, if it is inside the range.
    fn bucket_of(&self, t_ns: u64) -> Option<usize> {
        t_ns.checked_sub(self.start_ns)
            .map(|d| (d / self.bucket_ns) as usize)
            .filter(|&b| b < self.counts.len())
    }
}

/// Buckets rows by time into `buckets` equal buckets over `[start_ns, end_ns)`.
pub fn log_volume(
    time_ns: &[u64],
    severity: &[u8],
    range: (u64, u64),
    buckets: usize,
) -> LogVolume {
    let mut volume = LogVolume::empty(range, buckets);
    for (&t, &s) in time_ns.iter().zip(severity) {
        match volume.bucket_of(t) {
            Some(b) => volume.counts[b][level_slot(s)] += 1,
            None => volume.outside += 1,
        }
    }
    volume
}

/// The stack slot of a level name as Loki labels it (`detected_level`, `level`).
pub fn level_name_slot(name: &str) -> usize {
    match name.to_ascii_lowercase().as_str() {
        "trace" | "debug" | "dbug" => 1,
        "info" | "information" | "notice" => 2,
        "warn" | "warning" => 3,
        "error" | "err" => 4,
        "fatal" | "critical" | "crit" | "panic" | "emerg" | "alert" => 5,
        _ => 0,
    }
}

/// A histogram from a server's counts: each series is one level's line counts per `step`
/// ending at each sample's time (as `count_over_time` reports them), summed into `buckets`
/// equal buckets over `[start_ns, end_ns)`.
pub fn volume_from_counts(
    series: &[(&str, &[f64], &[f64])],
    range: (u64, u64),
    buckets: usize,
) -> LogVolume {
    let mut volume = LogVolume::empty(range, buckets);
    for (level, times, values) in series {
        let slot = level_name_slot(level);
        for (&t, &v) in times.iter().zip(values.iter()) {
            if !v.is_finite() || v <= 0.0 {
                continue;
            }
            let t_ns = (t * 1e9) as u64;
            // A count at t covers the step before t: it belongs to the bucket before t.
            match volume.bucket_of(t_ns.saturating_sub(1)) {
                Some(b) => volume.counts[b][slot] += v.round() as u32,
                None => volume.outside += v.round() as usize,
            }
        }
    }
    volume
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_counts_stack_by_level_name_in_their_buckets() {
        let t = [10.0, 20.0, 30.0];
        let v = volume_from_counts(
            &[
                ("info", &t, &[5.0, 6.0, 7.0]),
                ("ERROR", &t, &[1.0, 0.0, 2.0]),
                ("", &t[..1], &[3.0]),
            ],
            (0, 30_000_000_000),
            3,
        );
        assert_eq!(v.counts[0], [3, 0, 5, 0, 1, 0]);
        assert_eq!(v.counts[1], [0, 0, 6, 0, 0, 0]);
        assert_eq!(v.counts[2], [0, 0, 7, 0, 2, 0]);
        assert_eq!(v.outside, 0);
        assert_eq!(level_name_slot("warning"), 3);
        assert_eq!(level_name_slot("critical"), 5);
    }

    #[test]
    fn rows_land_in_their_bucket_and_level() {
        let times = [0, 9, 10, 25, 29, 30, 100];
        let sev = [9, 17, 13, 0, 21, 9, 9];
        let v = log_volume(&times, &sev, (0, 30), 3);
        assert_eq!(v.bucket_ns, 10);
        assert_eq!(v.counts[0], [0, 0, 1, 0, 1, 0]);
        assert_eq!(v.counts[1], [0, 0, 0, 1, 0, 0]);
        assert_eq!(v.counts[2], [1, 0, 0, 0, 0, 1]);
        assert_eq!(v.outside, 2);
        let total: u32 = v.counts.iter().flatten().sum();
        assert_eq!(total as usize + v.outside, times.len());
    }
}
