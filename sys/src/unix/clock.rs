//! The clock the daemons read and hand to `mpath-core`.
//!
//! # Why monotonic
//!
//! Failure detection measures intervals: probe round-trip times, the
//! failure detection time, the flap window. Those must not jump when the
//! administrator or NTP sets the date, so [`now`] reads
//! `CLOCK_MONOTONIC`, which only moves forward at a steady rate. in.mpathd
//! does the same with `gethrtime()`, whose comment says the time source
//! must be one the user cannot adjust. Each daemon reads the clock in one
//! place (its event loop) and passes the instant down.
//!
//! Per OS:
//!
//! * illumos: `CLOCK_MONOTONIC` is `CLOCK_HIGHRES`, i.e. `gethrtime()`,
//!   the very clock in.mpathd uses.
//! * FreeBSD: `CLOCK_MONOTONIC` counts from boot (the kernel's uptime
//!   clock).
//! * Linux: `CLOCK_MONOTONIC` does **not** advance while the system is
//!   suspended (`CLOCK_BOOTTIME` would). That is what a detector wants:
//!   after a resume, probe deadlines continue where they stopped instead
//!   of all expiring at once and failing every path that merely slept. It
//!   also means an instant is not a measure of real elapsed time across a
//!   suspend. NTP may slew its rate slightly, but never steps it.
//!
//! # Kernel receive timestamps
//!
//! `SO_TIMESTAMP` (and Linux's `SO_TIMESTAMPNS`) stamp received packets
//! with the *realtime* clock. To compare such a stamp with monotonic
//! instants, [`realtime_to_instant`] subtracts the stamp's age, measured
//! on the realtime clock, from the current monotonic instant. If the
//! realtime clock is stepped between the stamp and the mapping, the age is
//! wrong by the step; it is clamped at zero, so a backward step yields
//! "now" rather than an instant in the future. (FreeBSD can deliver
//! monotonic stamps directly with `SO_TS_CLOCK` = `SO_TS_MONOTONIC`; the
//! probe socket code may prefer that there.)

use std::time::Duration;

use mpath_core::time::Instant;
use nix::time::{clock_gettime, ClockId};

const NANOS_PER_SEC: i64 = 1_000_000_000;

/// The current instant on the monotonic clock (`CLOCK_MONOTONIC`), in
/// nanoseconds since an arbitrary origin (boot, on all three OSes).
///
/// # Panics
///
/// If `clock_gettime` fails, which it can only do for an invalid clock id
/// or buffer, so never in practice (the standard library's
/// `Instant::now` makes the same assumption).
pub fn now() -> Instant {
    let nanos = read(ClockId::CLOCK_MONOTONIC);
    Instant::from_nanos(u64::try_from(nanos).unwrap_or(0))
}

/// The current time on the realtime clock (`CLOCK_REALTIME`) in
/// nanoseconds since the Unix epoch; negative before 1970. Use it only to
/// interpret kernel timestamps and for display, never for intervals.
///
/// # Panics
///
/// As [`now`].
pub fn realtime_ns() -> i64 {
    read(ClockId::CLOCK_REALTIME)
}

/// Maps a realtime kernel timestamp (nanoseconds since the epoch, as from
/// `SO_TIMESTAMP`) onto the monotonic clock of [`now`]; see the module
/// documentation for the error when the realtime clock is stepped.
///
/// # Panics
///
/// As [`now`].
pub fn realtime_to_instant(stamp_ns: i64) -> Instant {
    let mono = now();
    let real = realtime_ns();
    let age = u64::try_from(real.saturating_sub(stamp_ns)).unwrap_or(0);
    mono - Duration::from_nanos(age)
}

/// Reads `clock` as signed nanoseconds, saturating far outside ±292 years.
fn read(clock: ClockId) -> i64 {
    let ts = match clock_gettime(clock) {
        Ok(ts) => ts,
        Err(err) => panic!("clock_gettime({clock}) failed: {err}"),
    };
    // time_t and c_long are i64 on the 64-bit targets and i32 on some
    // 32-bit ones; `from` accepts both.
    #[allow(clippy::useless_conversion)]
    let (secs, nanos) = (i64::from(ts.tv_sec()), i64::from(ts.tv_nsec()));
    secs.saturating_mul(NANOS_PER_SEC).saturating_add(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_monotonic() {
        let mut last = now();
        for _ in 0..10_000 {
            let t = now();
            assert!(t >= last, "{t:?} < {last:?}");
            last = t;
        }
        let before = now();
        std::thread::sleep(Duration::from_millis(20));
        let slept = now().saturating_since(before);
        assert!(slept >= Duration::from_millis(20), "{slept:?}");
    }

    #[test]
    fn realtime_is_after_2020() {
        // 2020-01-01T00:00:00Z.
        assert!(realtime_ns() > 1_577_836_800 * NANOS_PER_SEC);
    }

    #[test]
    fn fresh_stamp_maps_to_about_now() {
        let stamp = realtime_ns();
        let mapped = realtime_to_instant(stamp);
        let age = now().saturating_since(mapped);
        assert!(age < Duration::from_secs(1), "{age:?}");
        // A stamp from the future (a clock step) maps to "now", no later.
        let future = realtime_to_instant(stamp + 3_600 * NANOS_PER_SEC);
        assert!(future <= now());
    }
}
