//! The daemon's loop on the fakes: what the namespace lab checks for
//! real (mpathd/tests/lab.rs), here in simulated time, plus what only a
//! fake can show (each kernel change made once, resyncs on hints).

use std::net::IpAddr;
use std::time::Duration;

use mpath_core::addr::IpPrefix;
use mpath_core::mpathd::engine::AddressRole;
use mpath_proto::{
    mpathd::InterfaceStatus, ErrorCode, Payload, RequestBody, ResponseBody,
};

use super::{Call, Harness};

const CONF: &str = "\
FAILURE_DETECTION_TIME=1000
FAILBACK=yes
group ipmp0 target 192.0.2.1 192.0.2.2
interface mp0 group ipmp0 test 192.0.2.11/24
interface mp1 group ipmp0 test 192.0.2.12/24
address 192.0.2.10/24 on mp0
";

const DATA: &str = "192.0.2.10/24";
const FDT: Duration = Duration::from_millis(1000);
/// mpathd's periodic resync (in.mpathd's IF_SCAN_INTERVAL).
const RESYNC: Duration = Duration::from_secs(20);

/// mpathd after three seconds on two healthy members.
fn healthy() -> Harness {
    let mut h = Harness::new(CONF, &["mp0", "mp1"]);
    h.run_for(Duration::from_secs(3));
    assert_eq!(h.kernel.holders(DATA), ["mp0"], "{}", h.log_text());
    assert_eq!(h.kernel.holders("192.0.2.11/32"), ["mp0"]);
    assert_eq!(h.kernel.holders("192.0.2.12/32"), ["mp1"]);
    assert!(h.net.read("mp0") > 0 && h.net.read("mp1") > 0);
    h
}

/// The kernel changes concerning the data address, from the `from`th.
fn data_calls(h: &Harness, from: usize) -> Vec<Call> {
    let data: IpPrefix = DATA.parse().unwrap();
    let addr: IpAddr = data.addr();
    let calls = h.kernel.calls().into_iter().skip(from);
    calls
        .filter(|c| match c {
            Call::Add(_, a, _) | Call::Remove(_, a) => *a == data,
            Call::Announce(_, a) => *a == addr,
            Call::MoveRoute(..) => false,
        })
        .collect()
}

fn iface(h: &mut Harness, name: &str) -> InterfaceStatus {
    let st = h.status();
    let i = st.interfaces.into_iter().find(|i| i.name == name);
    i.expect("the interface in the status")
}

/// Cuts mp0's path (link up) and runs to the failure: its time.
fn cut_mp0(h: &mut Harness) -> Duration {
    let cut_at = h.now;
    h.net.cut("mp0", true);
    let failed = "IP interface failure detected on mp0";
    let Some(t) = h.run_until_logged(failed, 2 * FDT) else {
        panic!("no failure detected\n{}", h.log_text());
    };
    t.saturating_since(cut_at)
}

fn move_calls(from: &str, to: &str) -> Vec<Call> {
    let data: IpPrefix = DATA.parse().unwrap();
    vec![
        Call::Remove(from.into(), data),
        Call::Add(to.into(), data, AddressRole::Data),
        Call::Announce(to.into(), data.addr()),
    ]
}

#[test]
fn a_probe_timeout_fails_the_member_and_moves_its_address_once() {
    let mut h = healthy();
    let calls = h.kernel.calls().len();
    let (sent, read) = (h.net.sent("mp0"), h.net.read("mp0"));
    let took = cut_mp0(&mut h);
    assert!(took <= FDT, "detected after {took:?}\n{}", h.log_text());
    // Five probes lost (a reply already on its way may still come).
    assert!(h.net.sent("mp0") >= sent + 5);
    assert!(h.net.read("mp0") <= read + 1);
    // Carried out in the turn that detected it.
    assert_eq!(data_calls(&h, calls), move_calls("mp0", "mp1"));
    assert_eq!(h.kernel.holders(DATA), ["mp1"]);
    // Not again on later turns, nor on the periodic resyncs.
    let snapshots = h.kernel.snapshots();
    h.run_for(2 * RESYNC + Duration::from_secs(1));
    assert!(h.kernel.snapshots() >= snapshots + 2);
    assert_eq!(data_calls(&h, calls), move_calls("mp0", "mp1"));
    assert_eq!(h.kernel.holders(DATA), ["mp1"]);
    assert_eq!(
        h.logged("Successfully failed over from NIC mp0 to NIC mp1")
            .len(),
        1
    );
    assert_eq!(h.logged("IP interface failure detected on mp0").len(), 1);
    assert!(h.logged("cannot").is_empty(), "{}", h.log_text());
}

#[test]
fn repair_after_ten_replies_and_the_address_moves_back_once() {
    let mut h = healthy();
    cut_mp0(&mut h);
    h.run_for(Duration::from_secs(2));
    let calls = h.kernel.calls().len();
    let read = h.net.read("mp0");
    h.net.cut("mp0", false);
    let repaired = "IP interface repair detected on mp0";
    if h.run_until_logged(repaired, 5 * FDT).is_none() {
        panic!("not repaired\n{}", h.log_text());
    }
    assert_eq!(h.net.read("mp0") - read, 10, "{}", h.log_text());
    assert_eq!(data_calls(&h, calls), move_calls("mp1", "mp0"));
    assert_eq!(h.kernel.holders(DATA), ["mp0"]);
    h.run_for(2 * RESYNC + Duration::from_secs(1));
    assert_eq!(data_calls(&h, calls), move_calls("mp1", "mp0"));
    assert_eq!(h.logged("Successfully failed back to NIC mp0").len(), 1);
    assert_eq!(h.logged(repaired).len(), 1);
    assert!(h.logged("cannot").is_empty(), "{}", h.log_text());
}

#[test]
fn the_control_socket_answers_from_the_same_loop() {
    let mut h = healthy();
    let pong = h.request(RequestBody::Ping);
    assert!(
        matches!(&pong, ResponseBody::Ok(Payload::Pong { daemon, .. }) if daemon == "mpathd"),
        "{pong:?}"
    );
    let mp0 = iface(&mut h, "mp0");
    assert_eq!((mp0.state.as_str(), mp0.hosted.len()), ("ok", 1));
    cut_mp0(&mut h);
    let at = h.now;
    let st = h.status();
    assert_eq!(h.now, at, "answered without time passing");
    assert_eq!(st.groups[0].state, "degraded");
    let mp0 = iface(&mut h, "mp0");
    assert!(mp0.failed);
    assert_eq!(
        (mp0.state.as_str(), mp0.link.as_str(), mp0.probe.as_str()),
        ("failed", "up", "failed")
    );
    assert_eq!(iface(&mut h, "mp1").hosted, [DATA]);
    // Refused either way: only root may change anything, and mp1 is
    // the last member working.
    let r = h.request(RequestBody::Offline {
        interface: "mp1".into(),
    });
    let want = match mpath_sys::daemon::geteuid() {
        0 => ErrorCode::Eminred,
        _ => ErrorCode::PermissionDenied,
    };
    assert!(
        matches!(&r, ResponseBody::Error(e) if e.code == want),
        "{r:?}"
    );
    assert_eq!(iface(&mut h, "mp1").hosted, [DATA]);
}

#[test]
fn a_kernel_hint_resyncs_in_the_same_turn() {
    let mut h = healthy();
    let down = "The link has gone down on mp1";
    // The kernel changes without a word: the daemon cannot know.
    h.kernel.set_carrier("mp1", false);
    h.net.cut("mp1", true);
    let snapshots = h.kernel.snapshots();
    h.turn();
    assert_eq!(h.kernel.snapshots(), snapshots);
    assert!(h.logged(down).is_empty());
    // Its hint: the very next turn reads it whole and acts.
    h.kernel.hint();
    h.turn();
    assert!(h.kernel.snapshots() > snapshots);
    assert_eq!(h.logged(down), [h.now], "{}", h.log_text());
    let mp1 = iface(&mut h, "mp1");
    assert_eq!((mp1.state.as_str(), mp1.link.as_str()), ("failed", "down"));
    assert_eq!(h.kernel.holders(DATA), ["mp0"]);
}

#[test]
fn a_send_failure_is_logged_once_until_sends_work_again() {
    let mut h = healthy();
    let failed = "probe: probe sendto (inet mp1): unreachable";
    h.net.fail_sends("mp1", true);
    h.run_for(Duration::from_secs(3));
    // Reported by the flush of the turn that queued the probe.
    let first = h.logged(failed);
    assert_eq!(first.len(), 1, "{}", h.log_text());
    let sent = h.net.sent("mp1");
    h.net.fail_sends("mp1", false);
    h.run_for(Duration::from_secs(2));
    assert!(h.net.sent("mp1") > sent);
    assert_eq!(h.logged(failed), first, "not again while it works");
    // Working cleared it: a new failure is news.
    h.net.fail_sends("mp1", true);
    h.run_for(Duration::from_secs(1));
    assert_eq!(h.logged(failed).len(), 2, "{}", h.log_text());
    assert!(h.logged("sendto (inet mp0)").is_empty());
}
