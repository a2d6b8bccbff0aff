//! What the demo workload is told: where to send, how busy the shop is, when incidents happen
//! and which seed makes a run reproducible.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Settings of the demo workload.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoConfig {
    /// Base URL of an OTLP/HTTP receiver, e.g. `http://127.0.0.1:4318`; `/v1/traces`,
    /// `/v1/logs` and `/v1/metrics` are appended.
    pub endpoint: String,
    /// Average number of user requests the shop's frontend receives per second (Poisson
    /// arrivals). Zero, negative or non-finite values mean no traffic.
    pub requests_per_second: f64,
    /// Time between the starts of two payment incidents; the first starts after one period.
    /// Zero disables incidents.
    pub incident_every: Duration,
    /// How long each incident lasts. Zero disables incidents.
    pub incident_length: Duration,
    /// Seed of the pseudo-random generator: the same seed and clock give the same telemetry.
    pub seed: u64,
}

impl Default for DemoConfig {
    /// The local receiver, 10 requests per second, a one-minute incident every four minutes
    /// and a seed taken from the clock.
    fn default() -> Self {
        Self {
            endpoint: "http://127.0.0.1:4318".to_owned(),
            requests_per_second: 10.0,
            incident_every: Duration::from_secs(4 * 60),
            incident_length: Duration::from_secs(60),
            seed: seed_from_clock(),
        }
    }
}

impl DemoConfig {
    pub fn incident_schedule(&self) -> IncidentSchedule {
        IncidentSchedule {
            every: self.incident_every,
            length: self.incident_length,
        }
    }

    /// Whether the payment incident is under way `elapsed` after the workload started.
    pub fn incident_active(&self, elapsed: Duration) -> bool {
        self.incident_schedule().is_active(elapsed)
    }
}

/// When the scripted payment incident happens: it starts at `every`, `2 × every`, … after the
/// workload starts and lasts `length` each time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncidentSchedule {
    pub every: Duration,
    pub length: Duration,
}

impl IncidentSchedule {
    fn is_disabled(&self) -> bool {
        self.every.is_zero() || self.length.is_zero()
    }

    /// Whether an incident is under way `elapsed` after the start.
    pub fn is_active(&self, elapsed: Duration) -> bool {
        if self.is_disabled() || elapsed < self.every {
            return false;
        }
        elapsed.as_nanos() % self.every.as_nanos() < self.length.as_nanos()
    }

    /// When the next incident starts (measured from the workload's start), `None` if disabled.
    /// While an incident is under way this is the start of the following one.
    pub fn next_start(&self, elapsed: Duration) -> Option<Duration> {
        if self.is_disabled() {
            return None;
        }
        let every = self.every.as_nanos();
        let next = (elapsed.as_nanos() / every + 1) * every;
        Some(Duration::from_nanos(
            u64::try_from(next).unwrap_or(u64::MAX),
        ))
    }
}

/// A seed that differs between runs: the current time in nanoseconds.
fn seed_from_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_nanos() as u64)
        .unwrap_or(0x5EED)
}
