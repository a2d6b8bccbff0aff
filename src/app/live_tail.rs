//! Live tail of a Loki logs panel: the WebSocket tail's frames gathered into a bounded buffer,
//! newest first, and handed to the panel a few times a second. Pausing freezes what the panel
//! shows while lines keep arriving (and are counted); nothing is dropped silently: Loki's
//! dropped entries, lines dropped while we were behind, and lines trimmed off the end of the
//! buffer are all counted for the panel to show.

use crate::analysis::trace_link::TraceLinkPattern;
use crate::model::LogBatch;
use crate::sources::SourceError;
use crate::sources::loki::{TailHandle, TailOptions, TailRequest, start_tail};
use crate::ui::logs_panel::LiveStatus;
use crate::workspace::Connection;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Lines a live panel keeps, newest first.
pub const LIVE_BUFFER_LINES: usize = 100_000;
/// How often the panel's view of the buffer is refreshed.
const SHOW_EVERY: Duration = Duration::from_millis(250);
/// The window the lines-per-second figure is measured over.
const RATE_WINDOW: Duration = Duration::from_secs(5);

pub struct LiveTail {
    handle: TailHandle,
    pattern: TraceLinkPattern,
    buffer: Arc<LogBatch>,
    paused: bool,
    /// Lines that arrived since the panel last took the buffer (while paused, or between
    /// refreshes).
    unseen: u64,
    /// Lines trimmed off the old end of the buffer.
    trimmed: u64,
    shown_at: Option<Instant>,
    /// (when, lines received by then), for the rate.
    samples: VecDeque<(Instant, u64)>,
    received: u64,
}

impl LiveTail {
    /// Starts tailing `query` on `conn`; ids in lines are found with `pattern`.
    pub fn start(
        runtime: &tokio::runtime::Handle,
        conn: &Connection,
        query: &str,
        pattern: TraceLinkPattern,
    ) -> Result<Self, SourceError> {
        if query.trim().is_empty() {
            return Err(SourceError::Config(
                "type a LogQL log query to tail, e.g. {service_name=\"checkout\"}".into(),
            ));
        }
        let handle = start_tail(
            runtime,
            conn,
            TailRequest::new(query.trim()),
            TailOptions::default(),
        )?;
        Ok(Self {
            handle,
            pattern,
            buffer: Arc::new(LogBatch::default()),
            paused: false,
            unseen: 0,
            trimmed: 0,
            shown_at: None,
            samples: VecDeque::new(),
            received: 0,
        })
    }

    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
        if !paused {
            // Show what arrived meanwhile at once.
            self.shown_at = None;
        }
    }

    /// Takes the frames that arrived; returns the buffer when the panel should show it anew.
    pub fn poll(&mut self, now: Instant) -> Option<Arc<LogBatch>> {
        let mut arrived: Vec<LogBatch> = Vec::new();
        while let Ok(frame) = self.handle.frames.try_recv() {
            if !frame.lines.is_empty() {
                arrived.push(frame.lines);
            }
        }
        let new_lines: usize = arrived.iter().map(LogBatch::len).sum();
        if new_lines > 0 {
            self.received += new_lines as u64;
            self.unseen += new_lines as u64;
            let mut merged = newest_first(&arrived, &self.buffer, LIVE_BUFFER_LINES);
            self.trimmed += (self.buffer.len() + new_lines - merged.len()) as u64;
            self.pattern.fill(&mut merged);
            crate::analysis::log_level::assign_levels(&mut merged);
            self.buffer = Arc::new(merged);
        }
        self.samples.push_back((now, self.received));
        while self
            .samples
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > RATE_WINDOW)
        {
            self.samples.pop_front();
        }
        let due = self
            .shown_at
            .is_none_or(|t| now.duration_since(t) >= SHOW_EVERY);
        if self.paused || !due || (self.unseen == 0 && self.shown_at.is_some()) {
            return None;
        }
        self.shown_at = Some(now);
        self.unseen = 0;
        Some(Arc::clone(&self.buffer))
    }

    /// What the panel shows beside the lines.
    pub fn status(&self) -> LiveStatus {
        let counters = &self.handle.counters;
        let rate = match (self.samples.front(), self.samples.back()) {
            (Some((t0, n0)), Some((t1, n1))) if t1 > t0 => {
                (n1 - n0) as f64 / t1.duration_since(*t0).as_secs_f64()
            }
            _ => 0.0,
        };
        LiveStatus {
            lines_per_second: rate,
            paused: self.paused,
            unseen: if self.paused { self.unseen } else { 0 },
            dropped_by_loki: counters.dropped_by_loki(),
            dropped_behind: counters.dropped_slow_consumer(),
            trimmed: self.trimmed,
            connected: counters.is_connected(),
            error: counters.last_error().map(|e| e.to_string()),
        }
    }
}

/// The lines of `frames` (each in Loki's order, oldest first) ahead of `old`, newest first,
/// at most `cap` lines (the oldest go).
fn newest_first(frames: &[LogBatch], old: &LogBatch, cap: usize) -> LogBatch {
    let mut out = LogBatch::default();
    for frame in frames.iter().rev() {
        let mut rows: Vec<usize> = (0..frame.len()).collect();
        rows.sort_by_key(|&i| std::cmp::Reverse(frame.time_ns[i]));
        rows.truncate(cap.saturating_sub(out.len()));
        out.extend_from(frame, &rows);
    }
    let keep: Vec<usize> = (0..old.len().min(cap.saturating_sub(out.len()))).collect();
    out.extend_from(old, &keep);
    // A late line (or a reconnect replaying the recent past) can be older than lines shown
    // already: keep the buffer in time order.
    if out.time_ns.windows(2).all(|w| w[0] >= w[1]) {
        return out;
    }
    let mut rows: Vec<usize> = (0..out.len()).collect();
    rows.sort_by_key(|&i| std::cmp::Reverse(out.time_ns[i]));
    let mut sorted = LogBatch::default();
    sorted.extend_from(&out, &rows);
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(times: &[u64]) -> LogBatch {
        let mut b = LogBatch::default();
        for &t in times {
            b.push(t, "svc", 9, &format!("line {t}"), None, None);
        }
        b
    }

    #[test]
    fn frames_go_ahead_of_the_buffer_newest_first_within_the_cap() {
        let old = batch(&[5, 4, 3, 2, 1]);
        let merged = newest_first(&[batch(&[6, 7]), batch(&[8, 9])], &old, 100);
        assert_eq!(merged.time_ns, [9, 8, 7, 6, 5, 4, 3, 2, 1]);
        assert_eq!(merged.body(0), "line 9");
        let capped = newest_first(&[batch(&[6, 7])], &old, 4);
        assert_eq!(capped.time_ns, [7, 6, 5, 4]);
        let only_new = newest_first(&[batch(&[10, 11, 12])], &old, 2);
        assert_eq!(only_new.time_ns, [12, 11]);
        // A late line older than the buffer's newest takes its place in time.
        let late = newest_first(&[batch(&[3])], &batch(&[5, 4, 2]), 10);
        assert_eq!(late.time_ns, [5, 4, 3, 2]);
    }
}
