//! The time a run reads when it acts. A run plans for its trigger's scheduled time (a late or
//! repeated trigger computes the same actions), but claims, leases and take-overs are decided on
//! the clock: a run that starts late must not believe another run's live claim has expired.
//! workerd's clock is read in `edge.rs` only; the native tests give their own.

use chrono::{DateTime, Utc};
use std::cell::Cell;

/// Reads the current time.
pub trait Clock {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// A clock that shows the time it is set to, moved by hand (tests, and the dry run's "as of").
#[derive(Debug, Clone)]
pub struct SetClock(Cell<DateTime<Utc>>);

impl SetClock {
    /// A clock showing `at`.
    pub fn at(at: DateTime<Utc>) -> SetClock {
        SetClock(Cell::new(at))
    }

    /// Moves it to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        self.0.set(at);
    }
}

impl Clock for SetClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.get()
    }
}
