//! Refused login attempts per client address and per account, counted in a sliding window on
//! top of the account lock (which only counts wrong passwords for a login that exists): one
//! address guessing across many logins, or many addresses at one login, are stopped here
//! first. Logins that succeed are not counted: a script running one command after another,
//! each logging in, is not a guesser.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts allowed in [`WINDOW`] from one address, and for one login.
pub(crate) const PER_ADDRESS: usize = 30;
pub(crate) const PER_LOGIN: usize = 10;
pub(crate) const WINDOW: Duration = Duration::from_secs(300);

#[derive(Default)]
pub(crate) struct Attempts {
    seen: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Address(IpAddr),
    Login(String),
}

impl Attempts {
    /// Whether an attempt may be made now; `Err(seconds)` to wait when either limit of
    /// refusals is reached.
    pub fn admit(&self, address: IpAddr, login: &str, now: Instant) -> Result<(), u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        // A map that only grows would be a way to fill the server's memory: forget whole
        // windows that have passed.
        if seen.len() > 100_000 {
            seen.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        let keys = [
            (Key::Address(address), PER_ADDRESS),
            (Key::Login(login.trim().to_lowercase()), PER_LOGIN),
        ];
        let mut wait = 0;
        for (key, allowed) in &keys {
            // Looked up, not inserted: a turned-away attempt adds nothing to the map.
            let Some(times) = seen.get_mut(key) else {
                continue;
            };
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= WINDOW)
            {
                times.pop_front();
            }
            if times.len() >= *allowed {
                let oldest = *times.front().expect("at least one");
                let left = WINDOW.saturating_sub(now.duration_since(oldest));
                wait = wait.max(left.as_secs().max(1));
            }
        }
        if wait > 0 {
            return Err(wait);
        }
        Ok(())
    }

    /// Counts a refused attempt against the address and the login.
    pub fn refused(&self, address: IpAddr, login: &str, now: Instant) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        for key in [
            Key::Address(address),
            Key::Login(login.trim().to_lowercase()),
        ] {
            seen.entry(key).or_default().push_back(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_slowed_after_its_attempts_and_admitted_after_the_window() {
        let attempts = Attempts::default();
        let address: IpAddr = "192.0.2.7".parse().unwrap();
        let start = Instant::now();
        for n in 0..PER_ADDRESS {
            // Different logins each time: the per-login limit is not what stops it.
            assert!(attempts.admit(address, &format!("user{n}"), start).is_ok());
            attempts.refused(address, &format!("user{n}"), start);
        }
        let wait = attempts.admit(address, "another", start).unwrap_err();
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        assert!(attempts.admit(address, "another", start + WINDOW).is_ok());
    }

    #[test]
    fn logins_that_succeed_are_not_counted() {
        let attempts = Attempts::default();
        let address: IpAddr = "192.0.2.7".parse().unwrap();
        for _ in 0..1000 {
            assert!(attempts.admit(address, "admin", Instant::now()).is_ok());
        }
    }

    #[test]
    fn a_login_is_slowed_whatever_address_tries_it() {
        let attempts = Attempts::default();
        let start = Instant::now();
        for n in 0..PER_LOGIN {
            let address = IpAddr::from([192, 0, 2, n as u8]);
            assert!(attempts.admit(address, "Tanaka", start).is_ok());
            attempts.refused(address, "Tanaka", start);
        }
        let other = IpAddr::from([198, 51, 100, 1]);
        assert!(attempts.admit(other, " tanaka ", start).is_err());
        assert!(attempts.admit(other, "suzuki", start).is_ok());
    }
}
