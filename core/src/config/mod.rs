//! Configuration parsing (in progress).
