# laggd against real 802.3ad bonding, in the VM: two LACP bonds back to
# back, bond0 (host, supervised by laggd) and bond1 (partner), over two
# veth pairs, p0-q0 and p1-q1. Both ports live; then the partner stops
# LACP on q1 (nftables drops its LACPDUs both ways) while the link stays
# up: bond0's p1 falls out of the active aggregator, laggd counts it not
# live, min-links reacts (reported; then, with `action down`, bond0 is
# brought down and laggd brings it up again to let LACP try), the bad
# score lowers the redundancy group's priority; the partner speaks LACP
# again and p1 is live again. Last, the operator takes p1 out of service
# (released from the 802.3ad bond) and puts it back, and may not take
# the last live port.
# Run with: tests/vm/run tests/vm/lacp.sh target/debug/laggd target/debug/ifctl
# (Its own namespaces, host and partner: lab.sh's helpers only.)
. "$(dirname "$0")/lab.sh"

IFCTL="ifctl -s /tmp/no-mpathd.sock -S /tmp/laggd.sock"

fail() {
    printf 'LACP FAIL: %s\n' "$*"
    ip netns exec host cat /proc/net/bonding/bond0 || true
    cat /tmp/laggd.log || true
    exit 1
}
wait_for() { lab_wait_for "$@"; }
now_ms() { lab_now_ms; }
in_host() { lab_in host "$@"; }
live_is() { [ "$($IFCTL -L -P -o aggregate,live)" = "bond0:$1" ]; }
logged() { grep -q "$1" /tmp/laggd.log; }
mark() { wc -l </tmp/laggd.log; } # the log's length now
logged_since() { tail -n +"$(($1 + 1))" /tmp/laggd.log | grep -q "$2"; }
bond_up() { in_host ip -o link show bond0 | grep -q '<[^>]*,UP[,>]'; }
bond_down() { ! bond_up; }
slaves_are() { [ "$(in_host cat /sys/class/net/bond0/bonding/slaves)" = "$1" ]; }
aggregated() { # port: in bond0's active aggregator, collecting and distributing
    _a=$(in_host cat /sys/class/net/bond0/bonding/ad_aggregator)
    _p=$(in_host cat "/sys/class/net/$1/bonding_slave/ad_aggregator_id")
    _s=$(in_host cat "/sys/class/net/$1/bonding_slave/ad_actor_oper_port_state")
    [ "$_a" = "$_p" ] && [ $((_s & 48)) -eq 48 ]
}
# The partner stops (or resumes) LACP on q1; the link stays up.
partner_lacp_off() {
    ip netns exec partner nft -f - <<'NFT'
table netdev nolacp {
    chain in {
        type filter hook ingress device q1 priority 0; policy accept;
        ether type 0x8809 drop
    }
    chain out {
        type filter hook egress device q1 priority 0; policy accept;
        ether type 0x8809 drop
    }
}
NFT
}
partner_lacp_on() { ip netns exec partner nft delete table netdev nolacp; }
rg1() { cat /tmp/laggd-rg1 2>/dev/null; }

echo "=== two 802.3ad bonds back to back"
for ns in host partner; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
done
ip -n host link add p0 type veth peer name q0 netns partner
ip -n host link add p1 type veth peer name q1 netns partner
ip -n host link add bond0 type bond mode 802.3ad lacp_rate fast miimon 100
ip -n partner link add bond1 type bond mode 802.3ad lacp_rate fast miimon 100
ip -n host link set p0 master bond0
ip -n host link set p1 master bond0
ip -n partner link set q0 master bond1
ip -n partner link set q1 master bond1
ip -n host addr add 192.0.2.10/24 dev bond0
ip -n partner addr add 192.0.2.1/24 dev bond1
ip -n host link set bond0 up
ip -n partner link set bond1 up
PARTNER=$(ip netns exec partner cat /sys/class/net/bond1/address)
wait_for 30 aggregated p0 || fail "LACP did not aggregate p0"
wait_for 30 aggregated p1 || fail "LACP did not aggregate p1"
in_host ping -c 1 -W 2 192.0.2.1 >/dev/null || fail "no ping over bond0"

cat >/tmp/laggd.conf <<'CONF'
lagg bond0 ports p0 p1 min-links 2 action report
redundancy rg1 priority 120 track bond0 decrement 50 keepalived /tmp/laggd-rg1
CONF
laggd -n -f /tmp/laggd.conf || fail "config check"
ip netns exec host laggd -d -f /tmp/laggd.conf -s /tmp/laggd.sock >/tmp/laggd.log 2>&1 &
LAGGD=$!
wait_for 15 live_is 2/2 || fail "laggd does not count both ports live: $($IFCTL -L)"
$IFCTL bond0 | tee /tmp/ifctl-bond0.txt
grep -q "laggproto 802.3ad" /tmp/ifctl-bond0.txt || fail "ifctl: no laggproto"
grep -q "laggport: p0 flags=1d<MASTER,ACTIVE,COLLECTING,DISTRIBUTING>" /tmp/ifctl-bond0.txt ||
    fail "ifctl: p0's lagg(4) flags"
grep -q "laggport: p1 flags=1c<ACTIVE,COLLECTING,DISTRIBUTING>" /tmp/ifctl-bond0.txt ||
    fail "ifctl: p1's lagg(4) flags"
grep -Eq "lacp: p1 aggregated, aggregator ([0-9]+) \(active \1\), partner $PARTNER" /tmp/ifctl-bond0.txt ||
    fail "ifctl: p1's aggregator and partner"

echo "=== the partner stops LACP on q1; p1's link stays up"
t0=$(now_ms)
partner_lacp_off
wait_for 30 logged "bond0: port p1 not aggregated by LACP" || fail "p1 still counted aggregated"
t1=$(now_ms)
echo "laggd counted p1 not live $((t1 - t0)) ms after the partner stopped LACP" \
    "(laggd gives LACP 10 s to settle as it starts)"
in_host ip -o link show p1 | grep -q LOWER_UP || fail "p1's link went down"
wait_for 5 live_is 1/2 || fail "live ports: $($IFCTL -L)"
logged "bond0: 1 live port, fewer than min-links 2" || fail "min-links did not react"
bond_up || fail "action report took bond0 down"
$IFCTL bond0 | tee /tmp/ifctl-bond0.txt
grep -q "laggport: p1 flags=0<>" /tmp/ifctl-bond0.txt || fail "ifctl: p1's flags"
grep -Eq "lacp: p1 not aggregated, aggregator [0-9]+ \(active [0-9]+\), no partner" /tmp/ifctl-bond0.txt ||
    fail "ifctl: p1's LACP state"
grep -q "below min-links" /tmp/ifctl-bond0.txt || fail "ifctl: not below min-links"
$IFCTL -j p1 | grep -q '"live":false' || fail "ifctl -j: p1 live"
# Bad score (failure-threshold 0, the default): rg1 loses 50.
wait_for 5 [ "$(rg1)" = -50 ] || fail "keepalived track file: $(rg1)"
logged "redundancy group rg1: priority 120 -> 70 (bond0 down)" || fail "no priority log"
in_host ping -c 1 -W 2 192.0.2.1 >/dev/null || fail "no ping through p0"

echo "=== the partner speaks LACP again"
t0=$(now_ms)
partner_lacp_on
wait_for 90 live_is 2/2 || fail "p1 not live again"
t1=$(now_ms)
echo "p1 live again $((t1 - t0)) ms after the partner resumed LACP (LACP's slow periodic time is 30 s)"
logged "bond0: port p1 aggregated by LACP" || fail "no aggregated log"
logged "bond0: 2 live ports, min-links 2 met again" || fail "no min-links log"
wait_for 5 [ "$(rg1)" = 0 ] || fail "keepalived track file: $(rg1)"

echo "=== action down: bond0 goes down, and comes back once LACP works"
sed -i 's/action report/action down/' /tmp/laggd.conf
$IFCTL reload laggd || fail "reload"
m=$(mark)
t0=$(now_ms)
partner_lacp_off
wait_for 30 bond_down || fail "min-links did not take bond0 down"
t1=$(now_ms)
echo "bond0 brought down $((t1 - t0)) ms after the partner stopped LACP"
# Down, bond0 runs no LACP: laggd brings it up again to let LACP try.
partner_lacp_on
t0=$(now_ms)
wait_for 60 logged_since "$m" "bringing it up for LACP to aggregate its ports" ||
    fail "no retry"
wait_for 60 aggregated p1 || fail "LACP did not aggregate p1 again"
t1=$(now_ms)
echo "LACP aggregated p1 again $((t1 - t0)) ms after the partner resumed LACP"
# Past the settle time laggd gave LACP, bond0 stays up, both ports live.
lacp_p1() { $IFCTL bond0 | grep -q "lacp: p1 aggregated, aggregator"; }
wait_for 10 lacp_p1 || fail "ifctl does not show p1 aggregated"
logged_since "$m" "bond0: port p1 counted live while LACP settles" ||
    fail "no settle log"
downs=$(grep -c "fewer than min-links 2" /tmp/laggd.log)
sleep 40
bond_up || fail "bond0 went down again"
live_is 2/2 || fail "live ports: $($IFCTL -L)"
[ "$(grep -c "fewer than min-links 2" /tmp/laggd.log)" = "$downs" ] ||
    fail "min-links reacted again"

echo "=== maintenance: p1 out of service and back"
sed -i 's/min-links 2/min-links 1/' /tmp/laggd.conf
$IFCTL reload laggd || fail "reload"
$IFCTL p1 offline | tee /tmp/ifctl-offline.txt
grep -q "bond0: port p1 offline by the operator" /tmp/ifctl-offline.txt || fail "offline reply"
wait_for 10 slaves_are p0 || fail "p1 not released: $(in_host cat /sys/class/net/bond0/bonding/slaves)"
rc=0
$IFCTL p0 offline 2>/tmp/ifctl-err.txt || rc=$?
[ "$rc" = 75 ] || fail "the last live port went offline (status $rc)"
grep -q "p0 is the last live port of bond0" /tmp/ifctl-err.txt || fail "refusal: $(cat /tmp/ifctl-err.txt)"
$IFCTL -j bond0 | grep -q '"offline":true' || fail "ifctl -j: p1 not offline"
in_host ping -c 1 -W 2 192.0.2.1 >/dev/null || fail "no ping with p1 offline"
$IFCTL p1 online
wait_for 10 slaves_are "p0 p1" || fail "p1 not enslaved again"
wait_for 30 live_is 2/2 || fail "p1 not live after online"
cat /tmp/laggd.log
kill "$LAGGD"
wait "$LAGGD" || fail "laggd exited with status $? on SIGTERM"
echo "LACP PASS"
