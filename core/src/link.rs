//! Link-based failure detection (in progress).
