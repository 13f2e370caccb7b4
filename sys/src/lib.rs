//! Per-OS kernel interface layer (in progress).
