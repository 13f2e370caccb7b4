//! IPMP group policy (in progress).
