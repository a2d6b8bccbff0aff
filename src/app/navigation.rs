//! Back and Forward through the places links led to, like a browser's history: following a
//! link remembers where the user was; Back returns there and Forward goes again. Each entry
//! is labelled for the breadcrumb.

/// How many places Back remembers.
pub const HISTORY_LEN: usize = 100;

#[derive(Debug)]
pub struct NavHistory<P> {
    back: Vec<(String, P)>,
    forward: Vec<(String, P)>,
    /// What the place on show is called.
    current: String,
}

impl<P> NavHistory<P> {
    pub fn new(start: impl Into<String>) -> Self {
        Self {
            back: Vec::new(),
            forward: Vec::new(),
            current: start.into(),
        }
    }

    /// Leaves `here` for a place called `to`; Forward's places are forgotten.
    pub fn go(&mut self, here: P, to: impl Into<String>) {
        let label = std::mem::replace(&mut self.current, to.into());
        self.back.push((label, here));
        if self.back.len() > HISTORY_LEN {
            self.back.remove(0);
        }
        self.forward.clear();
    }

    /// The place before this one, leaving `here` for Forward.
    pub fn back(&mut self, here: P) -> Option<P> {
        let (label, place) = self.back.pop()?;
        let left = std::mem::replace(&mut self.current, label);
        self.forward.push((left, here));
        Some(place)
    }

    /// The place Back left, leaving `here` for Back.
    pub fn forward(&mut self, here: P) -> Option<P> {
        let (label, place) = self.forward.pop()?;
        let left = std::mem::replace(&mut self.current, label);
        self.back.push((left, here));
        Some(place)
    }

    /// Where the user came from, oldest first, ending with the place on show.
    pub fn trail(&self) -> impl Iterator<Item = &str> {
        self.back
            .iter()
            .map(|(l, _)| l.as_str())
            .chain(std::iter::once(self.current.as_str()))
    }

    /// What Back and Forward would return to.
    pub fn back_label(&self) -> Option<&str> {
        self.back.last().map(|(l, _)| l.as_str())
    }

    pub fn forward_label(&self) -> Option<&str> {
        self.forward.last().map(|(l, _)| l.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_and_forward_walk_the_places_like_a_browser() {
        let mut h = NavHistory::new("Workspace");
        assert!(h.back_label().is_none() && h.forward_label().is_none());
        assert_eq!(h.back(0), None);
        h.go(0, "Logs of checkout");
        h.go(1, "Trace bdd640fb");
        assert_eq!(
            h.trail().collect::<Vec<_>>(),
            ["Workspace", "Logs of checkout", "Trace bdd640fb"]
        );
        assert_eq!(h.back_label(), Some("Logs of checkout"));
        // Back from place 2 to place 1, then to 0.
        assert_eq!(h.back(2), Some(1));
        assert_eq!(h.forward_label(), Some("Trace bdd640fb"));
        assert_eq!(h.back(1), Some(0));
        assert!(h.back_label().is_none());
        assert_eq!(h.trail().collect::<Vec<_>>(), ["Workspace"]);
        // Forward again, then a new link forgets what was ahead.
        assert_eq!(h.forward(0), Some(1));
        assert_eq!(h.trail().last(), Some("Logs of checkout"));
        h.go(1, "Metrics of payment");
        assert!(h.forward_label().is_none());
        assert_eq!(
            h.trail().collect::<Vec<_>>(),
            ["Workspace", "Logs of checkout", "Metrics of payment"]
        );
        assert_eq!(h.back(5), Some(1));
        assert_eq!(h.back(1), Some(0));
    }

    #[test]
    fn the_oldest_places_are_forgotten_past_the_limit() {
        let mut h = NavHistory::new("start");
        for i in 0..HISTORY_LEN + 10 {
            h.go(i, format!("p{i}"));
        }
        let mut count = 0;
        let mut here = HISTORY_LEN + 10;
        while let Some(p) = h.back(here) {
            here = p;
            count += 1;
        }
        assert_eq!(count, HISTORY_LEN);
        assert_eq!(here, 10);
    }
}
