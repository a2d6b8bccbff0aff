//! Time axis ticks and labels for charts whose x axis is Unix seconds, in the chosen zone.

use crate::model::TimeZoneChoice;
use chrono::{TimeZone as _, Utc};
use egui_plot::{GridInput, GridMark};

/// Tick spacings a reader can count in: seconds, minutes, hours, days.
const STEPS: &[f64] = &[
    1.0,
    2.0,
    5.0,
    10.0,
    15.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    900.0,
    1800.0,
    3600.0,
    7200.0,
    10800.0,
    21600.0,
    43200.0,
    86400.0,
    172_800.0,
    604_800.0,
    2_592_000.0,
];

/// Grid marks at round times: the smallest nice step above egui_plot's minimum spacing as the
/// fine grid, and coarser multiples as thicker lines. `offset` is the zone's UTC offset in
/// seconds so that "round" means round on the wall clock.
pub fn time_grid(input: &GridInput, offset: f64) -> Vec<GridMark> {
    let (min, max) = input.bounds;
    let Some(&step) = STEPS.iter().find(|&&s| s >= input.base_step_size * 4.0) else {
        return Vec::new();
    };
    let coarse = STEPS
        .iter()
        .copied()
        .find(|&s| s >= step * 4.0 && s % step == 0.0);
    let first = ((min + offset) / step).ceil() * step - offset;
    let count = ((max - first) / step).floor();
    if !(0.0..=2000.0).contains(&count) {
        return Vec::new();
    }
    (0..=count as usize)
        .map(|i| {
            let value = first + i as f64 * step;
            let is_coarse = coarse.is_some_and(|c| ((value + offset) / c).fract().abs() < 1e-9);
            GridMark {
                value,
                step_size: if is_coarse {
                    coarse.unwrap_or(step)
                } else {
                    step
                },
            }
        })
        .collect()
}

/// The label of a tick: seconds shown only when the range is short, dates when it is long.
pub fn tick_label(t: f64, visible_span: f64, zone: TimeZoneChoice) -> String {
    let pattern = if visible_span <= 300.0 {
        "%H:%M:%S"
    } else if visible_span <= 2.0 * 86400.0 {
        "%H:%M"
    } else {
        "%m-%d %H:%M"
    };
    format_time(t, zone, pattern)
}

/// Formats Unix seconds in the zone; out-of-range values show as a number.
pub fn format_time(t: f64, zone: TimeZoneChoice, pattern: &str) -> String {
    match Utc
        .timestamp_millis_opt((t * 1000.0).round() as i64)
        .single()
    {
        Some(time) => zone.format_with(time, pattern),
        None => format!("{t}"),
    }
}

/// The zone's offset from UTC at `t`, in seconds.
pub fn utc_offset(zone: TimeZoneChoice, t: f64) -> f64 {
    match zone {
        TimeZoneChoice::Utc => 0.0,
        TimeZoneChoice::Local => Utc.timestamp_opt(t as i64, 0).single().map_or(0.0, |u| {
            f64::from(u.with_timezone(&chrono::Local).offset().local_minus_utc())
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_fall_on_round_minutes_in_the_zone() {
        let input = GridInput {
            bounds: (1000.0, 1000.0 + 3600.0),
            base_step_size: 20.0,
        };
        let marks = time_grid(&input, 0.0);
        assert!(!marks.is_empty());
        assert!(marks.iter().all(|m| m.value % 120.0 == 0.0), "{marks:?}");
        // With a +30 min zone, a round wall-clock hour is not a round UTC hour.
        let shifted = time_grid(&input, 1800.0);
        assert!(shifted.iter().all(|m| (m.value + 1800.0) % 120.0 == 0.0));
    }

    #[test]
    fn labels_show_seconds_only_for_short_ranges() {
        assert_eq!(tick_label(3661.0, 60.0, TimeZoneChoice::Utc), "01:01:01");
        assert_eq!(tick_label(3661.0, 3600.0, TimeZoneChoice::Utc), "01:01");
        assert_eq!(
            tick_label(3661.0, 7.0 * 86400.0, TimeZoneChoice::Utc),
            "01-01 01:01"
        );
    }
}
