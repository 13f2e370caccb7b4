//! The mpathd configuration file, `mpathd.conf`.
//!
//! The format is a superset of illumos's /etc/default/mpathd: a Solaris
//! or illumos file parses unchanged and means the same thing. On top of
//! the three illumos tunables it describes the groups, interfaces, test
//! addresses, probe targets and data addresses that illumos keeps in
//! ifconfig/ipadm state instead.
//!
//! [`parse`] reads the text into a new [`MpathdConfig`], checks it as a
//! whole and returns it only if nothing is wrong; it never touches a
//! running configuration. Every problem in the file is reported, each as
//! a [`Diagnostic`] printed `FILE:LINE: MESSAGE` (warnings as
//! `FILE:LINE: warning: MESSAGE`). [`MpathdConfig::render`] writes a
//! configuration back as canonical text.
//!
//! # Lexical rules
//!
//! The file is read line by line. `#` starts a comment that runs to the
//! end of the line; surrounding white space is ignored and blank lines
//! are skipped. Words are separated by white space. A line whose first
//! word contains `=` sets a tunable; any other line is a statement.
//! Statement keywords and options are lower case and case-sensitive;
//! interface and group names are case-sensitive.
//!
//! # Tunables
//!
//! ```text
//! KEY=VALUE
//! ```
//!
//! `KEY` is matched without regard to case, as in.mpathd does. `VALUE` is
//! the rest of the line after the first `=`, comment removed, trimmed.
//!
//! * `FAILURE_DETECTION_TIME=ms` (default 10000): read like C
//!   `strtol(VALUE, NULL, 0)`: `0x` prefix hexadecimal, leading `0`
//!   octal (so `0100` is 64), trailing junk ignored (`1500ms` is 1500).
//!   A result of 0 or less is replaced by 10000 with the warning
//!   `Invalid failure detection time VALUE, assuming default of 10000 ms`;
//!   less than 100 is raised to 100 with `Too small failure detection time
//!   of VALUE, assuming minimum of 100 ms`. There is no maximum (the
//!   value is kept as a 64-bit `long`; in.mpathd casts it to a 32-bit
//!   `int`, so there 2^31 ms and more wrap around).
//! * `FAILBACK=yes|no` (default yes), any case. Another value keeps the
//!   default, with the warning `Invalid value for FAILBACK VALUE`.
//! * `TRACK_INTERFACES_ONLY_WITH_GROUPS=yes|no` (default yes), likewise,
//!   with `Invalid value for TRACK_INTERFACES_ONLY_WITH_GROUPS VALUE`.
//!
//! The warnings are in.mpathd's own texts. A key set twice keeps its
//! first value, as in.mpathd (whose `defread` returns the first match)
//! does, and the later line draws a warning. **Unlike in.mpathd**, which
//! ignores keys it does not know, an unknown key is an error (with a
//! suggestion when it is close to a known one), so that a misspelt key
//! does not silently leave a default in place.
//!
//! # Statements
//!
//! ```text
//! group NAME [target ADDR ...]
//! interface IFNAME [group NAME] [standby] [test ADDR/PLEN] [test inet6]
//!                  [target ADDR ...]
//! address ADDR/PLEN on IFNAME
//! ```
//!
//! **`group`** declares a group and, optionally, group-wide probe targets.
//! A group named by an `interface` line exists without a `group` line;
//! a `group` line with no members is fine too (on FreeBSD, members may
//! come from OS interface groups, `ifconfig em0 group NAME`). NAME is
//! 1-31 characters from `A-Z a-z 0-9 _ . -`. A group's targets apply to
//! every member that has a test address of the target's family.
//!
//! **`interface`** puts IFNAME (1-15 characters from the same set) under
//! the daemon's care; options may come in any order, each at most once:
//!
//! * `group NAME`: its IPMP group.
//! * `standby`: carry no data addresses while another member is usable.
//!   Needs `group`.
//! * `test ADDR/PLEN`: the IPv4 test address probes are sent from; the
//!   prefix length is required so that targets can be checked to be on
//!   its subnet. An IPv6 test address must be link-local (`fe80::/10`,
//!   also with its prefix length): in.mpathd probes IPv6 only from
//!   link-local addresses, since replies must come from link-local
//!   sources.
//! * `test inet6`: probe IPv6 from whatever link-local address the
//!   interface has.
//! * `target ADDR ...`: the interface's own probe targets, up to the next
//!   option keyword or word that holds no `.`, `:` or `/`. Each needs a test address of its family on this interface.
//!   IPv4 targets must be on the test address's subnet; IPv6 targets must
//!   be link-local. Per family, own and group targets together number at
//!   most 5 ([`MAX_TARGETS`]). Without explicit targets the daemon finds
//!   routers or neighbours itself, as in.mpathd does.
//!
//! **`address`** declares a data address and its home member: the member
//! that hosts it at start and again after failback. IFNAME must have an
//! `interface` line with a group and must not be a standby.
//!
//! # Whole-file rules
//!
//! * An interface or group is declared by at most one line.
//! * Data addresses are unique, and differ from every test address.
//! * IPv4 test addresses are unique in the file. IPv6 link-local test
//!   addresses are unique within a group (whose members share a link),
//!   as in.mpathd requires.
//! * No target is a test or data address of this host (for a link-local
//!   target: of the same link).
//! * A target is not listed twice, whether on one line or on both an
//!   interface and its group.
//! * References may point forward: order of lines does not matter.
//!
//! # Example
//!
//! ```text
//! FAILURE_DETECTION_TIME=5000
//! group web target 192.0.2.1 192.0.2.2
//! interface em0 group web test 192.0.2.10/24 test inet6
//! interface em1 group web standby test 192.0.2.11/24
//! address 192.0.2.100/24 on em0
//! address 2001:db8::100/64 on em0
//! ```

mod model;
mod render;
pub mod runtime;
mod statements;
mod tunables;
mod validate;
mod values;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_syntax;
#[cfg(test)]
mod tests_validate;

pub(crate) use crate::syntax::Sink;
pub use crate::syntax::{Diagnostic, Severity};
pub use model::{
    DataAddressConfig, Family, GroupConfig, InterfaceConfig, MpathdConfig,
    TestAddress, MAX_GROUP_NAME, MAX_INTERFACE_NAME, MAX_TARGETS,
};
pub use tunables::Tunables;

use statements::Stmt;
use tunables::TunableReader;

/// A configuration that parsed, with the warnings it drew.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Parsed {
    /// The configuration.
    pub config: MpathdConfig,
    /// Warnings, in line order (for example a clamped
    /// `FAILURE_DETECTION_TIME`); the daemon logs them.
    pub warnings: Vec<Diagnostic>,
}

/// Parses the text of a configuration file; `file` is only used to name
/// it in diagnostics.
///
/// On success, returns the configuration and any warnings. If there is
/// at least one error, returns every diagnostic, errors and warnings
/// alike, in line order (and within a line in the order found), so that
/// printing them reads like a compiler's output.
pub fn parse(file: &str, text: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let mut sink = Sink::new(file);
    let mut tunables = TunableReader::default();
    let mut stmts: Vec<Stmt> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let body = raw.split_once('#').map_or(raw, |(b, _)| b).trim();
        let Some(first) = body.split_whitespace().next() else {
            continue;
        };
        if first.contains('=') {
            tunables.read(line, body, &mut sink);
        } else if let Some(stmt) = statements::read(line, body, &mut sink) {
            stmts.push(stmt);
        }
    }
    let config = validate::build(tunables.finish(), stmts, &mut sink);
    let diags = sink.into_sorted();
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok(Parsed {
            config,
            warnings: diags,
        })
    }
}
