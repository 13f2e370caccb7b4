//! The requests, the answers and the errors, on any host.

use super::*;

#[test]
fn the_sysctls_are_carps() {
    assert_eq!(DEMOTION_SYSCTL.to_bytes(), b"net.inet.carp.demotion");
    assert_eq!(PREEMPT_SYSCTL.to_bytes(), b"net.inet.carp.preempt");
}

#[test]
fn a_delta_is_written_as_it_is_and_zero_not_at_all() {
    assert_eq!(demotion_request(0), None);
    assert_eq!(demotion_request(50), Some(50));
    assert_eq!(demotion_request(-240), Some(-240));
    assert_eq!(std::mem::size_of::<c_int>(), 4, "the handler's int");
}

#[test]
fn sysctl_failures_say_what_is_missing() {
    let enoent = || io::Error::from_raw_os_error(libc::ENOENT);
    let err = explain_sysctl(enoent(), DEMOTION_SYSCTL, "adding 50 to");
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    assert!(err.to_string().contains("carp(4) is not loaded"), "{err}");
    let err = explain_sysctl(enoent(), PREEMPT_SYSCTL, "reading");
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    assert_eq!(
        err.to_string(),
        "net.inet.carp.preempt does not exist: carp(4) is not loaded"
    );
    let eperm = io::Error::from_raw_os_error(libc::EPERM);
    let err = explain_sysctl(eperm, DEMOTION_SYSCTL, "adding 50 to");
    assert!(err.to_string().contains("needs root"), "{err}");
    let einval = io::Error::from_raw_os_error(libc::EINVAL);
    let err = explain_sysctl(einval, DEMOTION_SYSCTL, "adding -5 to");
    assert!(err.to_string().contains("adding -5 to"), "{err}");
}

fn call(request: &'static str) -> VhidCall<'static> {
    VhidCall {
        request,
        ifname: "em0",
        vhid: 5,
    }
}

fn read(state: CarpState, advbase: u8, advskew: u8) -> CarpVhid {
    CarpVhid {
        state,
        advbase,
        advskew,
    }
}

#[test]
fn a_read_asks_for_one_vhid_with_room_for_one_record() {
    let req = read_request(5);
    assert_eq!(req.carpr_count, 1);
    assert_eq!(req.carpr_vhid, 5);
    assert_eq!(req.carpr_state, 0);
    assert_eq!((req.carpr_advbase, req.carpr_advskew), (0, 0));
    assert_eq!(req.carpr_key, [0; 20]);
    assert_eq!(read_request(255).carpr_vhid, CARP_MAXVHID);
}

#[test]
fn vhid_0_is_refused_before_any_call() {
    let zero = VhidCall {
        vhid: 0,
        ..call("SIOCGVH")
    };
    let err = zero.check_vhid().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "SIOCGVH em0 vhid 0: carp(4) numbers vhids from 1 to 255"
    );
    assert!(call("SIOCGVH").check_vhid().is_ok());
}

#[test]
fn a_set_carries_the_advbase_and_requests_no_state() {
    for state in [CarpState::Init, CarpState::Backup, CarpState::Master] {
        let req = set_request(5, &read(state, 3, 100), 40);
        assert_eq!(req.carpr_count, 1);
        assert_eq!(req.carpr_vhid, 5);
        assert_eq!(req.carpr_advbase, 3, "advbase carried");
        assert_eq!(req.carpr_advskew, 40, "the new advskew");
        // INIT is no request at all: the kernel forces BACKUP or MASTER
        // only when asked for them.
        assert_eq!(req.carpr_state, CARP_STATE_INIT, "{state:?}");
        assert_eq!(req.carpr_key, [0; 20], "the kernel keeps its key");
    }
}

#[test]
fn an_advskew_over_240_is_refused_before_any_call() {
    let set = call("SIOCSVH");
    assert_eq!(set.advskew(0).unwrap(), 0);
    assert_eq!(set.advskew(CARP_MAX_SKEW).unwrap(), 240);
    for advskew in [241, 254, 255] {
        let err = set.advskew(advskew).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            err.to_string(),
            format!(
                "SIOCSVH em0 vhid 5: advskew {advskew} is over 240, the \
                 most carp(4) advertises"
            )
        );
    }
    assert_eq!(c_int::from(CARP_MAX_SKEW), CARP_MAXSKEW);
}

fn answer(state: c_int, advbase: c_int, advskew: c_int) -> carpreq {
    let mut req = read_request(5);
    req.carpr_state = state;
    req.carpr_advbase = advbase;
    req.carpr_advskew = advskew;
    req
}

#[test]
fn answers_decode_to_the_state_and_timing() {
    let get = call("SIOCGVH");
    let cases = [
        (CARP_STATE_INIT, CarpState::Init),
        (CARP_STATE_BACKUP, CarpState::Backup),
        (CARP_STATE_MASTER, CarpState::Master),
    ];
    for (raw, state) in cases {
        let vhid = get.decode(&answer(raw, 1, 100)).unwrap();
        assert_eq!(vhid, read(state, 1, 100));
    }
    // The kernel stores advskews up to 254, and advbase up to 255.
    let vhid = get.decode(&answer(CARP_STATE_BACKUP, 255, 254)).unwrap();
    assert_eq!(vhid, read(CarpState::Backup, 255, 254));
}

#[test]
fn answers_out_of_range_are_errors() {
    let get = call("SIOCGVH");
    for state in [3, -1, c_int::MAX] {
        let err = get.decode(&answer(state, 1, 0)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(
            err.to_string(),
            format!(
                "SIOCGVH em0 vhid 5: carp(4) answered state {state}, not \
                 INIT, BACKUP or MASTER"
            )
        );
    }
    let err = get.decode(&answer(CARP_STATE_MASTER, 1, 256)).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert_eq!(
        err.to_string(),
        "SIOCGVH em0 vhid 5: carp(4) answered advskew 256, not 0..=255"
    );
    let err = get.decode(&answer(CARP_STATE_MASTER, -1, 0)).unwrap_err();
    assert!(err.to_string().contains("advbase -1, not 0..=255"), "{err}");
}

/// What `explain` makes of `errno` from `request`: its kind and message.
fn explained(request: &'static str, errno: i32) -> (io::ErrorKind, String) {
    let err = call(request).explain(io::Error::from_raw_os_error(errno));
    (err.kind(), err.to_string())
}

#[test]
fn what_is_not_there_is_not_found_and_says_what() {
    use io::ErrorKind::NotFound;
    assert_eq!(
        explained("SIOCGVH", libc::EPROTONOSUPPORT),
        (
            NotFound,
            "SIOCGVH em0 vhid 5: carp(4) is not loaded (kldload carp)".into()
        )
    );
    assert_eq!(
        explained("SIOCGVH", libc::ENXIO),
        (NotFound, "SIOCGVH em0 vhid 5: no interface em0".into())
    );
    assert_eq!(
        explained("SIOCGVH", libc::ENOENT),
        (
            NotFound,
            "SIOCGVH em0 vhid 5: em0 has no vhid 5 (`ifconfig em0` lists \
             its vhids on `carp:` lines)"
                .into()
        )
    );
}

#[test]
fn refusals_say_why_in_carps_terms() {
    let (kind, text) = explained("SIOCSVH", libc::EPERM);
    assert_eq!(kind, io::ErrorKind::PermissionDenied);
    assert_eq!(text, "SIOCSVH em0 vhid 5: changing a vhid needs root");
    let (_, text) = explained("SIOCGVH", libc::EOPNOTSUPP);
    assert!(
        text.ends_with("the only interfaces carp(4) runs on"),
        "{text}"
    );
    let (_, text) = explained("SIOCGVH", libc::EADDRNOTAVAIL);
    assert!(text.contains("em0 does not do multicast"), "{text}");
    let (kind, text) = explained("SIOCSVH", libc::EINVAL);
    assert_eq!(kind, io::ErrorKind::InvalidInput);
    assert!(text.contains("advskew 0..=254"), "{text}");
    let (_, text) = explained("SIOCGVH", libc::EMSGSIZE);
    assert!(text.contains("carpr_count < 1"), "{text}");
    let (_, text) = explained("SIOCGVH", libc::EFAULT);
    assert!(text.starts_with("SIOCGVH em0 vhid 5: "), "{text}");
    assert!(text.contains("Bad address"), "{text}");
}
