# laggd against real bonding, in the VM: the path behind the active port
# dies while its link stays up; laggd notices through its own ARP probes
# and moves the traffic to the other port, announcing the bond's
# addresses from the new port (gratuitous ARP and unsolicited NA: the
# bond's own announcements are switched off here, so what the core
# switch counts is laggd's); a peer's pings continue; the path returns
# and the traffic goes back; min-links takes the bond down and up again.
# Run with: tests/vm/run tests/vm/laggd.sh target/debug/laggd target/debug/ifctl
. "$(dirname "$0")/lab.sh"

PEER=192.0.2.100
fail() {
    printf 'LAGGD FAIL: %s\n' "$*"
    lab_in host cat /proc/net/bonding/bond0 || true
    cat /tmp/laggd.log || true
    exit 1
}
wait_for() { lab_wait_for "$@"; }
active_is() { [ "$(lab_active)" = "$1" ]; }
bond_down() { lab_in host ip -o link show bond0 | grep -qv 'UP,'; }
bond_up() { lab_in host ip -o link show bond0 | grep -q '<.*,UP'; }

lab_up mode active-backup miimon 100 num_grat_arp 0 num_unsol_na 0
BOND_MAC=$(lab_in host cat /sys/class/net/bond0/address)
# Count, in the core switch, announcements of the bond's addresses from
# the bond's MAC: gratuitous ARP (sender = target = 192.0.2.10) and
# unsolicited neighbour advertisements.
lab_in core nft -f - <<NFT
table bridge garp {
    counter garp {}
    counter na {}
    chain forward {
        type filter hook forward priority 0; policy accept;
        ether saddr $BOND_MAC arp saddr ip 192.0.2.10 arp daddr ip 192.0.2.10 counter name garp
        ether saddr $BOND_MAC icmpv6 type nd-neighbor-advert counter name na
    }
}
NFT
announced() { # counter name -> packets seen so far
    lab_in core nft list counter bridge garp "$1" |
        sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
fdb_port() { # switch -> the port where it has learnt the bond's MAC
    lab_in "$1" bridge fdb show br br0 | sed -n "s/^$BOND_MAC dev \([^ ]*\).*/\1/p"
}
cat >/tmp/laggd.conf <<'CONF'
FAILURE_DETECTION_TIME=1000
lagg bond0 ports p0 p1 min-links 1 action down targets 192.0.2.1
CONF
laggd -n -f /tmp/laggd.conf || fail "config check"
# Not through lab_in: a function in the background is a subshell, and
# $! must be laggd itself (ip netns exec execs it) for the SIGTERM below.
ip netns exec host laggd -d -f /tmp/laggd.conf -s /tmp/laggd.sock >/tmp/laggd.log 2>&1 &
LAGGD=$!
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
# Before any ping: only the announcement can have taught the switches.
garp_seen() { [ "$(announced garp)" -ge 1 ] && [ "$(announced na)" -ge 1 ]; }
wait_for 2 garp_seen || fail "no gratuitous ARP / NA from laggd (garp $(announced garp), na $(announced na))"
grep -Eq "bond0: announced [1-9][0-9]* addresses" /tmp/laggd.log || fail "no announce log"
[ "$(fdb_port core)" = upB ] || fail "core switch did not learn the bond on upB: $(fdb_port core)"
echo "gratuitous ARP $(announced garp), unsolicited NA $(announced na); core switch has the bond's MAC on $(fdb_port core)"
# What the operator sees: ifctl over laggd's control socket.
IFCTL="ifctl -s /tmp/no-mpathd.sock -S /tmp/laggd.sock"
$IFCTL bond0 | tee /tmp/ifctl-bond0.txt
grep -q "laggproto active-backup" /tmp/ifctl-bond0.txt || fail "ifctl: no laggproto line"
grep -Eq "laggport: p1 flags=[0-9]+<MASTER,ACTIVE>" /tmp/ifctl-bond0.txt || fail "ifctl: p1 not master and active"
grep -Eq "^	p0 +up +failed +failed +no .*probes lost" /tmp/ifctl-bond0.txt || fail "ifctl: p0 not shown failed"
$IFCTL -j bond0 | grep -q '"reason":"probes lost"' || fail "ifctl -j: no reason"
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

echo "=== balance-xor: every port carries traffic, so a failed one is released"
kill "$LAGGD"
wait "$LAGGD" || fail "laggd exited with status $? on SIGTERM"
lab_down
lab_up mode balance-xor miimon 100
slaves() { lab_in host cat /sys/class/net/bond0/bonding/slaves; }
slaves_are() { [ "$(slaves)" = "$1" ]; }
lab_in host laggd -d -f /tmp/laggd.conf -s /tmp/laggd.sock >/tmp/laggd-xor.log 2>&1 &
sleep 3
slaves_are "p0 p1" || fail "slaves at start: $(slaves)"
lab_cut_path A
wait_for 5 slaves_are p1 || { cat /tmp/laggd-xor.log; fail "p0 not released: $(slaves)"; }
lab_ping peer 192.0.2.10 || fail "peer lost the bond with p0 released"
lab_restore_path A
wait_for 8 slaves_are "p1 p0" || { cat /tmp/laggd-xor.log; fail "p0 not enslaved again: $(slaves)"; }
lab_ping peer 192.0.2.10 || fail "peer lost the bond after p0 returned"
grep -q "mode balance-xor: released p0" /tmp/laggd-xor.log || fail "no release log"
grep -q "mode balance-xor: enslaved p0" /tmp/laggd-xor.log || fail "no enslave log"
cat /tmp/laggd-xor.log
echo "LAGGD PASS"
