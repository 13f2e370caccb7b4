//! Probe and announcement packet formats (in progress).
#![forbid(unsafe_code)]
