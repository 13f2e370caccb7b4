//! Conservative round-trip time (CRTT) of one target.
//!
//! This is the Jacobson/Karels estimator (SIGCOMM '88, appendix A.2) that
//! in.mpathd keeps per (instance, target) in `compute_crtt()` and
//! `pi_set_crtt()`, with the same scaling, kept in nanoseconds:
//!
//! | field | meaning                         | first sample `m` |
//! |-------|---------------------------------|------------------|
//! | `sa`  | 8 × smoothed average            | `8m`             |
//! | `sv`  | 4 × mean deviation              | `2m`             |
//! | crtt  | `sa/8 + sv` ≈ average + 4 × dev | `3m`             |
//!
//! A later sample `m` gives `err = m − sa/8`, `sa += err` (never below
//! zero) and `sv += |err| − sv/4`.
//!
//! Two kinds of sample feed it:
//!
//! * **Detection** samples (replies to `PROBE_UNI`) always move the
//!   estimate, up or down, with one exception: a sample that would on its
//!   own push the crtt above the current probe interval is *suspicious*
//!   and held back (MAXDEFERREDRTT = 1). If the next detection sample is
//!   suspicious too, the link really slowed down and both are integrated;
//!   a normal sample discards the held one. One delayed reply therefore
//!   cannot raise the failure detection time.
//! * **RTT-only** samples (replies to `PROBE_RTT`) may only *lower* the
//!   crtt. They exist to bring the estimate down quickly after a load
//!   spike, and several of them can be outstanding per detection probe, so
//!   letting them raise it would over-weight a spike.
//!
//! "No data" is `None` here where in.mpathd uses `sa = -1, crtt = 0`.

use std::time::Duration;

/// Which probe a sample comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleSource {
    /// A reply to a failure-detection probe (`PROBE_UNI`).
    Detection,
    /// A reply to an RTT-only probe (`PROBE_RTT`).
    RttOnly,
}

/// What a sample did to the estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleEffect {
    /// The estimate moved (for a deferred pair: both were integrated).
    Updated,
    /// A suspicious detection sample was held back.
    Deferred,
    /// An RTT-only sample that would not lower the crtt was dropped.
    Ignored,
}

/// Samples are clamped to this many nanoseconds (about 2.3 years) so that
/// the scaled sums cannot overflow.
const MAX_SAMPLE_NS: i64 = 1 << 56;

/// Jacobson/Karels estimator of one target's round-trip time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RttEstimator {
    /// 8 × smoothed average RTT in ns; `None` until the first sample.
    sa: Option<i64>,
    /// 4 × mean deviation in ns (0 without data).
    sv: i64,
    /// A suspicious detection sample waiting for confirmation (ns).
    deferred: Option<i64>,
}

fn to_ns(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).map_or(MAX_SAMPLE_NS, |n| n.min(MAX_SAMPLE_NS))
}

fn from_ns(ns: i64) -> Duration {
    Duration::from_nanos(u64::try_from(ns).unwrap_or(0))
}

/// One step of the estimator: returns the new `(sa, sv)`.
fn step(sa: Option<i64>, sv: i64, m: i64) -> (i64, i64) {
    match sa {
        None => (m * 8, m * 2),
        Some(sa) => {
            let err = m - sa / 8;
            let sa = (sa + err).max(0);
            let sv = sv + err.abs() - sv / 4;
            (sa, sv)
        }
    }
}

fn crtt_of(sa: i64, sv: i64) -> i64 {
    sa / 8 + sv
}

impl RttEstimator {
    /// An estimator with no data.
    pub const fn new() -> RttEstimator {
        RttEstimator {
            sa: None,
            sv: 0,
            deferred: None,
        }
    }

    /// The conservative RTT (`avg + 4·dev`), or `None` without data.
    pub fn crtt(&self) -> Option<Duration> {
        self.sa.map(|sa| from_ns(crtt_of(sa, self.sv)))
    }

    /// The smoothed average (`sa/8`), as `ipmpstat -t` shows it.
    pub fn avg(&self) -> Option<Duration> {
        self.sa.map(|sa| from_ns(sa / 8))
    }

    /// The mean deviation (`sv/4`).
    pub fn dev(&self) -> Option<Duration> {
        self.sa.map(|_| from_ns(self.sv / 4))
    }

    /// Whether a suspicious sample is being held back.
    pub fn has_deferred(&self) -> bool {
        self.deferred.is_some()
    }

    /// Forget everything (on path failure, group failure, or when the
    /// target is declared dead or slow).
    pub fn reset(&mut self) {
        *self = RttEstimator::new();
    }

    /// Feed one measured round trip `m`. `interval` is the current
    /// (adaptive) probe interval: a detection sample that would push the
    /// crtt above it is deferred once.
    pub fn sample(
        &mut self,
        m: Duration,
        source: SampleSource,
        interval: Duration,
    ) -> SampleEffect {
        let m = to_ns(m);
        let (sa, sv) = step(self.sa, self.sv, m);
        let new_crtt = crtt_of(sa, sv);
        match source {
            SampleSource::Detection => {
                if new_crtt > to_ns(interval) {
                    match self.deferred.take() {
                        Some(held) => {
                            // The second suspicious sample in a row:
                            // believe both, oldest first.
                            for x in [held, m] {
                                let (sa, sv) = step(self.sa, self.sv, x);
                                self.sa = Some(sa);
                                self.sv = sv;
                            }
                            SampleEffect::Updated
                        }
                        None => {
                            self.deferred = Some(m);
                            SampleEffect::Deferred
                        }
                    }
                } else {
                    self.sa = Some(sa);
                    self.sv = sv;
                    self.deferred = None;
                    SampleEffect::Updated
                }
            }
            SampleSource::RttOnly => match self.sa {
                Some(old) if new_crtt < crtt_of(old, self.sv) => {
                    self.sa = Some(sa);
                    self.sv = sv;
                    SampleEffect::Updated
                }
                Some(_) | None => SampleEffect::Ignored,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(1000);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn first_sample_gives_three_times_m() {
        let mut e = RttEstimator::new();
        assert_eq!(e.crtt(), None);
        let fx = e.sample(ms(10), SampleSource::Detection, LONG);
        assert_eq!(fx, SampleEffect::Updated);
        assert_eq!(e.crtt(), Some(ms(30)));
        assert_eq!(e.avg(), Some(ms(10)));
        // sv = 2m, dev = sv/4 = m/2
        assert_eq!(e.dev(), Some(ms(5)));
    }

    #[test]
    fn later_samples_follow_jacobson_karels() {
        let mut e = RttEstimator::new();
        e.sample(ms(10), SampleSource::Detection, LONG);
        // sa = 80, sv = 20 (ms). m = 18: err = 8, sa = 88, sv = 20+8-5 = 23
        e.sample(ms(18), SampleSource::Detection, LONG);
        assert_eq!(e.avg(), Some(ms(11)));
        assert_eq!(e.crtt(), Some(ms(11 + 23)));
        // m = 11: err = 0, sa = 88, sv = 23 - 23/4 = 17.25
        e.sample(ms(11), SampleSource::Detection, LONG);
        assert_eq!(e.avg(), Some(ms(11)));
        assert_eq!(e.crtt(), Some(ms(11) + Duration::from_micros(17_250)));
    }

    #[test]
    fn average_never_goes_negative() {
        let mut e = RttEstimator::new();
        e.sample(ms(1), SampleSource::Detection, LONG);
        // sa = 8ms; m = 0 → err = -1ms, sa = 7ms: still positive. Drive it
        // down with zeros and check it stays >= 0.
        for _ in 0..100 {
            e.sample(Duration::ZERO, SampleSource::Detection, LONG);
        }
        assert!(e.avg().is_some());
        assert!(e.crtt().is_some());
    }

    #[test]
    fn one_suspicious_sample_is_deferred_two_are_believed() {
        let interval = ms(100);
        let mut e = RttEstimator::new();
        e.sample(ms(10), SampleSource::Detection, interval);
        let before = e.crtt();
        // 300 ms would push the crtt far above the interval.
        let fx = e.sample(ms(300), SampleSource::Detection, interval);
        assert_eq!(fx, SampleEffect::Deferred);
        assert_eq!(e.crtt(), before);
        assert!(e.has_deferred());
        // A normal sample discards it.
        let fx = e.sample(ms(10), SampleSource::Detection, interval);
        assert_eq!(fx, SampleEffect::Updated);
        assert!(!e.has_deferred());
        // Two in a row are both integrated.
        let mut twice = e.clone();
        assert_eq!(
            e.sample(ms(300), SampleSource::Detection, interval),
            SampleEffect::Deferred
        );
        assert_eq!(
            e.sample(ms(310), SampleSource::Detection, interval),
            SampleEffect::Updated
        );
        twice.sample(ms(300), SampleSource::Detection, LONG);
        twice.sample(ms(310), SampleSource::Detection, LONG);
        assert_eq!(e.crtt(), twice.crtt());
        assert!(e.crtt().unwrap() > interval);
    }

    #[test]
    fn first_sample_can_be_deferred_too() {
        let mut e = RttEstimator::new();
        // 3 × 40 > 100
        let fx = e.sample(ms(40), SampleSource::Detection, ms(100));
        assert_eq!(fx, SampleEffect::Deferred);
        assert_eq!(e.crtt(), None);
    }

    #[test]
    fn rtt_samples_only_lower() {
        let mut e = RttEstimator::new();
        // No data: RTT-only samples do not initialise.
        let fx = e.sample(ms(5), SampleSource::RttOnly, LONG);
        assert_eq!(fx, SampleEffect::Ignored);
        assert_eq!(e.crtt(), None);
        e.sample(ms(100), SampleSource::Detection, LONG);
        let c0 = e.crtt().unwrap();
        // A higher sample is ignored.
        let fx = e.sample(ms(500), SampleSource::RttOnly, LONG);
        assert_eq!(fx, SampleEffect::Ignored);
        assert_eq!(e.crtt(), Some(c0));
        // A sample equal to the average lowers it (deviation decays).
        let fx = e.sample(ms(100), SampleSource::RttOnly, LONG);
        assert_eq!(fx, SampleEffect::Updated);
        assert!(e.crtt().unwrap() < c0);
    }

    #[test]
    fn reset_forgets() {
        let mut e = RttEstimator::new();
        e.sample(ms(10), SampleSource::Detection, LONG);
        e.sample(ms(900), SampleSource::Detection, ms(50));
        e.reset();
        assert_eq!(e, RttEstimator::new());
    }

    #[test]
    fn huge_samples_do_not_overflow() {
        let mut e = RttEstimator::new();
        e.sample(Duration::MAX, SampleSource::Detection, Duration::MAX);
        e.sample(Duration::MAX, SampleSource::Detection, Duration::MAX);
        assert!(e.crtt().is_some());
    }
}
