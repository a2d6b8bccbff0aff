//! A small seedable pseudo-random generator (SplitMix64) and the few distributions the demo
//! needs: uniform numbers, log-normal latencies, exponential gaps between arrivals and random
//! trace and span ids.
//!
//! It exists so a demo run is reproducible from one seed without another crate. It must not be
//! used for anything that needs unpredictability (tokens, secrets).

/// SplitMix64 (Steele, Lea and Flood): one `u64` of state, good statistical quality for
/// simulation, and every seed (including 0) is fine.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, with 53 bits of precision.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[low, high)`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// `true` with the given probability.
    pub fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// Uniform integer in `[low, high]`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        let span = high.saturating_sub(low).saturating_add(1);
        low + self.next_u64() % span
    }

    /// One of `items`, uniformly; `None` only when `items` is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let len = u64::try_from(items.len()).ok()?;
        if len == 0 {
            return None;
        }
        let index = usize::try_from(self.next_u64() % len).ok()?;
        items.get(index)
    }

    /// A standard normal variate (Box–Muller).
    pub fn standard_normal(&mut self) -> f64 {
        // 1 - unit() is in (0, 1], so the logarithm is finite.
        let radius = (-2.0 * (1.0 - self.unit()).ln()).sqrt();
        let angle = std::f64::consts::TAU * self.unit();
        radius * angle.cos()
    }

    /// A log-normal variate with the given median and shape `sigma` (the standard deviation of
    /// its logarithm): most values near the median, a long right tail, never negative.
    pub fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.standard_normal()).exp()
    }

    /// An exponential variate with the given mean: the gap between Poisson arrivals.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    /// A random, non-zero 128-bit trace id (all zeros is invalid in OTLP).
    pub fn trace_id(&mut self) -> [u8; 16] {
        loop {
            let high = self.next_u64();
            let low = self.next_u64();
            if high != 0 || low != 0 {
                let mut id = [0u8; 16];
                id[..8].copy_from_slice(&high.to_be_bytes());
                id[8..].copy_from_slice(&low.to_be_bytes());
                return id;
            }
        }
    }

    /// A random, non-zero 64-bit span id (all zeros is invalid in OTLP).
    pub fn span_id(&mut self) -> [u8; 8] {
        loop {
            let id = self.next_u64();
            if id != 0 {
                return id.to_be_bytes();
            }
        }
    }
}
