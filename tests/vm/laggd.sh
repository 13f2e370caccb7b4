# laggd against real bonding, in the VM: the path behind the active port
# dies while its link stays up; laggd notices through its own ARP probes
# and moves the traffic to the other port; a peer's pings continue; the
# path returns and the traffic goes back; min-links takes the bond down
# and up again.
# Run with: tests/vm/run tests/vm/laggd.sh target/debug/laggd
. "$(dirname "$0")/lab.sh"

PEER=192.0.2.100
fail() {
    printf 'LAGGD FAIL: %s\n' "$*"
    lab_in host cat /proc/net/bonding/bond0 || true
    cat /tmp/laggd.log || true
    exit 1
}
wait_for() { # seconds condition...
    _n=$(($1 * 10))
    shift
    while [ "$_n" -gt 0 ]; do
        if "$@"; then return 0; fi
        sleep 0.1
        _n=$((_n - 1))
    done
    return 1
}
active_is() { [ "$(lab_active)" = "$1" ]; }
bond_down() { lab_in host ip -o link show bond0 | grep -qv 'UP,'; }
bond_up() { lab_in host ip -o link show bond0 | grep -q '<.*,UP'; }

lab_up mode active-backup miimon 100
cat >/tmp/laggd.conf <<'CONF'
FAILURE_DETECTION_TIME=1000
lagg bond0 ports p0 p1 min-links 1 action down targets 192.0.2.1
CONF
laggd -n -f /tmp/laggd.conf || fail "config check"
lab_in host laggd -d -f /tmp/laggd.conf >/tmp/laggd.log 2>&1 &
sleep 3
active_is p0 || fail "p0 should be active at start, is $(lab_active)"
lab_ping peer 192.0.2.10 || fail "peer cannot reach the bond at start"

echo "=== cut the path behind p0 (link stays up)"
t0=$(lab_now_ms)
lab_cut_path A
wait_for 5 active_is p1 || fail "laggd did not move traffic to p1"
t1=$(lab_now_ms)
echo "laggd moved the bond to p1 $((t1 - t0)) ms after the cut"
grep -q "port p0 failed (probes lost)" /tmp/laggd.log || fail "no failure log"
lab_ping peer 192.0.2.10 || fail "peer lost the bond after failover"

echo "=== restore the path"
lab_restore_path A
wait_for 8 active_is p0 || fail "traffic did not return to p0"
grep -q "port p0 repaired" /tmp/laggd.log || fail "no repair log"
lab_ping peer 192.0.2.10 || fail "peer lost the bond after failback"

echo "=== min-links: both ports lose carrier"
lab_carrier p0 down
lab_carrier p1 down
wait_for 5 bond_down || fail "min-links did not take bond0 down"
grep -q "fewer than min-links 1" /tmp/laggd.log || fail "no min-links log"
lab_carrier p1 up
wait_for 8 bond_up || fail "bond0 did not come back"
echo "=== laggd log"
cat /tmp/laggd.log
echo "LAGGD PASS"
