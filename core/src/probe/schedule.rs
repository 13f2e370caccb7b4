//! When to send the next probe.
//!
//! A strictly periodic *base* advances by exactly the user probe interval
//! `I` at every firing, and the next send time is drawn uniformly from the
//! second half of the base's period (in.mpathd `phyint_inst_timer()`):
//!
//! ```text
//!   base        base+I      base+2I     base+3I
//!    |-----------|-----------|-----------|
//!    ^ first  [···x···]   [··x····]   [····x··]     x = send
//!              0.5I..1I
//! ```
//!
//! Consecutive probes are therefore 0.5·I to 1.5·I apart, I on average,
//! and instances started together drift apart. The timer starts (or
//! restarts on link-up) with `base = now + uniform[0, I)`, and the first
//! probe goes out at the base itself.
//!
//! If the caller is late, the send time and base skip forward by whole
//! intervals and the skipped firings are reported as missed.
//!
//! **Two bases when the FDT is raised.** Firings always happen every `I`.
//! While the adaptive interval `A` is larger than `I`, a second lattice
//! spaced `A` apart decides which firings carry a failure-detection probe;
//! the others carry an RTT-only probe (see the detector). When `A == I`
//! every firing is a detection firing and the lattice follows the
//! firings, so it is re-synchronised for free when the FDT comes back
//! down.

use std::time::Duration;

use crate::rng::Rng;
use crate::time::Instant;

/// What a firing should send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FiringKind {
    /// Resolve losses, decide, and send a failure-detection probe.
    Detection,
    /// Only an RTT probe: the adaptive interval has not elapsed yet.
    RttOnly,
}

/// The result of one firing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Firing {
    /// Detection or RTT-only.
    pub kind: FiringKind,
    /// How many whole intervals were skipped because the caller was late.
    pub missed: u32,
}

/// The probe timer of one path.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// The user probe interval `I` = FDT / 7.
    interval: Duration,
    /// Strictly periodic base time (in.mpathd `pii_snxt_basetime`).
    base: Instant,
    /// When the next firing is due; `None` while stopped.
    next_send: Option<Instant>,
    /// Earliest instant of the next detection firing while the adaptive
    /// interval exceeds `I` (in.mpathd `pii_fd_snxt_basetime`).
    fd_due: Instant,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Schedule {
    /// A stopped timer for user interval `interval`.
    pub fn new(interval: Duration) -> Schedule {
        Schedule {
            interval,
            base: Instant::ZERO,
            next_send: None,
            fd_due: Instant::ZERO,
        }
    }

    /// The user probe interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Start (or restart) the timer: the first firing is at a uniformly
    /// random point of `[now, now + I)`.
    pub fn start(&mut self, now: Instant, rng: &mut Rng) {
        let offset =
            rng.range_inclusive(0, nanos(self.interval).saturating_sub(1));
        self.base = now + Duration::from_nanos(offset);
        self.next_send = Some(self.base);
        self.fd_due = self.base;
    }

    /// Stop the timer (link down).
    pub fn stop(&mut self) {
        self.next_send = None;
    }

    /// When the next firing is due, if running.
    pub fn next_send(&self) -> Option<Instant> {
        self.next_send
    }

    /// Whether a firing is due at `now`.
    pub fn due(&self, now: Instant) -> bool {
        self.next_send.is_some_and(|t| t <= now)
    }

    /// Fire: pick the next send time and say what this firing carries.
    /// `adaptive` is the current failure-detection interval `A >= I`.
    pub fn fire(
        &mut self,
        now: Instant,
        rng: &mut Rng,
        adaptive: Duration,
    ) -> Firing {
        let i = nanos(self.interval);
        let jitter = rng.range_inclusive(i / 2, i);
        let mut send = self.base + Duration::from_nanos(jitter);
        let mut missed = 0;
        if now > send && i > 0 {
            let late = nanos(now.saturating_since(send));
            let n = late / i + 1;
            let skip = Duration::from_nanos(n.saturating_mul(i));
            send += skip;
            self.base += skip;
            missed = u32::try_from(n).unwrap_or(u32::MAX);
        }
        self.base += self.interval;
        self.next_send = Some(send);

        let kind = if adaptive <= self.interval {
            self.fd_due = now;
            FiringKind::Detection
        } else if now < self.fd_due {
            FiringKind::RttOnly
        } else {
            self.fd_due += adaptive;
            if self.fd_due <= now {
                let a = nanos(adaptive).max(1);
                let n = nanos(now.saturating_since(self.fd_due)) / a + 1;
                self.fd_due += Duration::from_nanos(n.saturating_mul(a));
            }
            FiringKind::Detection
        };
        Firing { kind, missed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn first_firing_is_within_one_interval() {
        for seed in 0..200 {
            let mut rng = Rng::new(seed);
            let mut s = Schedule::new(ms(1000));
            let now = Instant::from_secs(5);
            s.start(now, &mut rng);
            let t = s.next_send().unwrap();
            assert!(t >= now && t < now + ms(1000));
        }
    }

    #[test]
    fn consecutive_firings_are_half_to_one_and_a_half_intervals_apart() {
        let i = ms(1428);
        let mut rng = Rng::new(42);
        let mut s = Schedule::new(i);
        s.start(Instant::ZERO, &mut rng);
        let mut now = s.next_send().unwrap();
        let mut gaps = Vec::new();
        for _ in 0..5000 {
            let f = s.fire(now, &mut rng, i);
            assert_eq!(
                f,
                Firing {
                    kind: FiringKind::Detection,
                    missed: 0
                }
            );
            let next = s.next_send().unwrap();
            gaps.push(next.saturating_since(now));
            now = next;
        }
        assert!(gaps.iter().all(|g| *g >= i / 2 && *g <= i * 3 / 2));
        // The jitter really spreads: both ends of the range are visited.
        assert!(gaps.iter().any(|g| *g < i * 6 / 10));
        assert!(gaps.iter().any(|g| *g > i * 14 / 10));
        // And the base is strictly periodic: the average is I.
        let total: Duration = gaps.iter().sum();
        let avg = total / 5000;
        assert!(avg > i * 99 / 100 && avg < i * 101 / 100, "{avg:?}");
    }

    #[test]
    fn late_caller_skips_whole_intervals() {
        let i = ms(100);
        let mut rng = Rng::new(1);
        let mut s = Schedule::new(i);
        s.start(Instant::ZERO, &mut rng);
        let first = s.next_send().unwrap();
        // Fire 1 s late.
        let now = first + ms(1000);
        let f = s.fire(now, &mut rng, i);
        assert!(f.missed >= 9 && f.missed <= 11, "{f:?}");
        let next = s.next_send().unwrap();
        assert!(next > now && next <= now + i);
    }

    #[test]
    fn raised_interval_alternates_rtt_and_detection_firings() {
        let i = ms(100);
        let a = ms(400);
        let mut rng = Rng::new(3);
        let mut s = Schedule::new(i);
        s.start(Instant::ZERO, &mut rng);
        let mut now = s.next_send().unwrap();
        let mut det = Vec::new();
        for _ in 0..400 {
            let f = s.fire(now, &mut rng, a);
            if f.kind == FiringKind::Detection {
                det.push(now);
            }
            now = s.next_send().unwrap();
        }
        // About one detection firing per A.
        assert!(det.len() > 90 && det.len() <= 101, "{}", det.len());
        for w in det.windows(2) {
            let gap = w[1].saturating_since(w[0]);
            assert!(gap >= a - i * 3 / 2 && gap <= a + i * 3 / 2, "{gap:?}");
        }
    }

    #[test]
    fn stopped_timer_is_never_due() {
        let mut rng = Rng::new(3);
        let mut s = Schedule::new(ms(100));
        assert!(!s.due(Instant::from_secs(100)));
        s.start(Instant::ZERO, &mut rng);
        assert!(s.due(Instant::from_secs(100)));
        s.stop();
        assert_eq!(s.next_send(), None);
        assert!(!s.due(Instant::from_secs(100)));
    }
}
