//! Probe-based failure detection (in progress).
