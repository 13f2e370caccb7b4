# mpath-sys's Linux bonding control and per-port probe socket on a real
# bond (active-backup over p0 in swA and p1 in swB), through the example
# binary bond_probe (sys/examples/bond_probe.rs):
#
#   cargo build -p mpath-sys --example bond_probe
#   bash tests/vm/run tests/vm/laggsys.sh target/debug/examples/bond_probe
#
# (a) bond.rs: list the slaves and the active one, switch the active
#     slave, set and clear the primary, release and re-enslave a slave,
#     take the bond down and up;
# (b) portprobe.rs: an ARP probe (and an NS) sent through the INACTIVE
#     slave from its permanent MAC is answered by tgt and the answer is
#     received on that slave; the bond's MAC stays where it was; after
#     the path behind the slave is cut, no answer comes.
. "$(dirname "$0")/lab.sh"

TGT=192.0.2.1
TGT6=2001:db8::1
PEER=192.0.2.100

say() { printf '\n=== %s\n' "$*"; }
fail() {
    printf 'LAGGSYS FAIL: %s\n' "$*"
    lab_in host cat /proc/net/bonding/bond0 || true
    exit 1
}
bp() { lab_in host bond_probe "$@"; }
# The value of "KEY: value" in bond_probe's output $1.
field() { printf '%s\n' "$1" | sed -n "s/^$2: //p"; }
wait_ping() {
    _i=0
    while [ "$_i" -lt "$3" ]; do
        lab_ping "$1" "$2" && return 0
        _i=$((_i + 1))
    done
    return 1
}

say "lab up: bond0 active-backup miimon 100 over p0 (swA), p1 (swB)"
lab_up mode active-backup miimon 100
wait_ping host "$PEER" 10 || fail "host cannot reach $PEER through bond0"

say "(a) bond.rs: show"
out=$(bp show bond0) || fail "show: $out"
printf '%s\n' "$out" | sed 's/^/    /'
[ "$(field "$out" mode)" = active-backup ] || fail "mode"
[ "$(field "$out" slaves)" = "p0 p1" ] || fail "slaves: $(field "$out" slaves)"
[ "$(field "$out" active)" = p0 ] || fail "active: $(field "$out" active)"
[ "$(field "$out" primary)" = none ] || fail "primary"
bond_mac=$(field "$out" mac)
p1_perm=$(lab_in host cat /sys/class/net/p1/bonding_slave/perm_hwaddr)
p0_perm=$(lab_in host cat /sys/class/net/p0/bonding_slave/perm_hwaddr)
[ "$p0_perm" = "$bond_mac" ] || fail "expected bond0 to have p0's address"
[ "$p1_perm" != "$bond_mac" ] || fail "p1's permanent address is the bond's"
echo "RESULT show: slaves p0 p1 in order, active p0, bond MAC $bond_mac (p0's), p1 permanent $p1_perm"

say "(a) bond.rs: switch the active slave"
out=$(bp set-active bond0 p1) || fail "set-active p1: $out"
echo "    $out"
[ "$(lab_active)" = p1 ] || fail "/proc says active $(lab_active), not p1"
[ "$(lab_in host cat /sys/class/net/p0/bonding_slave/state)" = backup ] ||
    fail "p0 not backup"
wait_ping host "$PEER" 5 || fail "no traffic through p1"
out=$(bp set-active bond0 p0) || fail "set-active p0: $out"
[ "$(lab_active)" = p0 ] || fail "not back on p0"
if out=$(bp set-active bond0 nonesuch 2>&1); then
    fail "set-active to a non-slave succeeded"
fi
echo "    refused as expected: $out"
echo "RESULT set-active: p0 -> p1 -> p0 (kernel's /proc agrees; traffic flows through p1); a non-slave is refused with the sysfs path in the error"

say "(a) bond.rs: primary"
out=$(bp set-primary bond0 p1) || fail "set-primary p1: $out"
echo "    $out"
[ "$(lab_in host cat /sys/class/net/bond0/bonding/primary)" = p1 ] || fail "primary not p1"
_i=0
while [ "$(lab_active)" != p1 ] && [ "$_i" -lt 20 ]; do
    sleep 0.1
    _i=$((_i + 1))
done
[ "$(lab_active)" = p1 ] || fail "the primary p1 did not become active"
out=$(bp set-primary bond0) || fail "clear primary: $out"
echo "    $out"
[ "$(field "$out" primary)" = none ] || fail "primary not cleared"
bp set-active bond0 p0 >/dev/null || fail "set-active p0"
echo "RESULT primary: set to p1 (the bond moved to it), cleared; active back on p0"

say "(a) bond.rs: release and re-enslave p1"
out=$(bp remove bond0 p1) || fail "remove p1: $out"
echo "    $out"
[ "$(field "$out" slaves)" = p0 ] || fail "slaves after remove: $out"
state=$(lab_in host cat /sys/class/net/p1/operstate)
mac=$(lab_in host cat /sys/class/net/p1/address)
echo "    p1 after release: operstate $state, address $mac"
[ "$mac" = "$p1_perm" ] || fail "p1 did not get its permanent address back"
lab_in host ip link set dev p1 up
out=$(bp add bond0 p1) || fail "add p1 (up before): $out"
echo "    $out"
[ "$(field "$out" slaves)" = "p0 p1" ] || fail "slaves after add: $out"
[ "$(lab_in host cat /sys/class/net/p1/bonding_slave/state)" = backup ] ||
    fail "p1 not backup after re-enslaving"
[ "$(lab_active)" = p0 ] || fail "active moved"
echo "RESULT remove/add: p1 released (down, own address back), brought up, re-enslaved (add took it down first) -> slaves p0 p1, p1 backup"

say "(b) portprobe.rs: ARP probe through the inactive slave p1"
sleep 1
[ "$(lab_active)" = p0 ] || fail "p0 not active"
out=$(bp arp bond0 p1 "$TGT" 3000) || fail "no ARP reply through p1: $out"
printf '%s\n' "$out" | sed 's/^/    /'
printf '%s\n' "$out" | grep -q "^REPLY arp via p1: $TGT is at .*, sent to $p1_perm" ||
    fail "the reply was not sent to p1's permanent address"
[ "$(lab_active)" = p0 ] || fail "the probe moved the bond"
# The switches: bond0's MAC is still learned towards swA (p0's side),
# p1's permanent address towards swB.
core_fdb=$(lab_in core bridge fdb show br br0)
printf '%s\n' "$core_fdb" | grep -q "^$bond_mac dev upA" ||
    fail "core does not see bond0's MAC on upA: $core_fdb"
printf '%s\n' "$core_fdb" | grep -q "^$p1_perm dev upB" ||
    fail "core did not learn p1's permanent address on upB: $core_fdb"
# tgt learnt nothing about p1's address (ARP Probe: sender 0.0.0.0).
if lab_in tgt ip neigh show | grep -q "$p1_perm"; then
    fail "tgt has an entry for p1's permanent address"
fi
echo "RESULT arp: tgt answered the ARP probe from p1's permanent MAC; received on standby p1; core switch: bond0's MAC stays on upA, p1's own on upB; tgt's neighbour table untouched"

say "(b) portprobe.rs: NS through the inactive slave p1"
out=$(bp ns bond0 p1 "$TGT6" 3000) || fail "no NA through p1: $out"
printf '%s\n' "$out" | sed 's/^/    /'
printf '%s\n' "$out" | grep -q "^REPLY ns via p1: $TGT6 is at .*, sent to $p1_perm" ||
    fail "the NA was not sent to p1's permanent address"
echo "RESULT ns: tgt answered the NS from p1's own MAC and link-local address; NA received on standby p1"

say "(b) p0's permanent address is the bond's: probing it is refused"
if out=$(bp arp bond0 p0 "$TGT" 500 2>&1); then
    fail "a probe from p0 was sent: $out"
fi
echo "    $out"
printf '%s\n' "$out" | grep -q "is bond0's address" || fail "wrong refusal: $out"
echo "RESULT refusal: no probe from p0 (its permanent MAC is bond0's)"

say "(b) cut the path behind p1 (swB drops everything from and to hp)"
lab_cut_path B
if out=$(bp arp bond0 p1 "$TGT" 3000); then
    fail "an ARP reply came through the cut path: $out"
fi
printf '%s\n' "$out" | sed 's/^/    /'
printf '%s\n' "$out" | grep -q "^NO REPLY arp via p1" || fail "unexpected: $out"
if out=$(bp ns bond0 p1 "$TGT6" 3000); then
    fail "an NA came through the cut path: $out"
fi
printf '%s\n' "$out" | sed 's/^/    /'
[ "$(lab_active)" = p0 ] || fail "the bond moved"
wait_ping host "$PEER" 5 || fail "bond0 lost its traffic through p0"
echo "RESULT cut: no ARP reply and no NA through p1 within 3 s each; bond0 (on p0) unaffected"
lab_restore_path B
out=$(bp arp bond0 p1 "$TGT" 3000) || fail "no ARP reply after restoring the path: $out"
echo "RESULT restore: ARP reply through p1 again"

say "(a) bond.rs: the bond down and up (min-links)"
out=$(bp set-up bond0 down) || fail "down: $out"
echo "    $out"
[ "$(field "$out" admin)" = down ] || fail "bond0 not down"
if lab_ping host "$PEER"; then fail "ping through a downed bond"; fi
out=$(bp set-up bond0 up) || fail "up: $out"
echo "    $out"
wait_ping host "$PEER" 10 || fail "no traffic after bond0 came back up"
echo "RESULT set-up: bond0 down (no traffic), up (traffic again)"

lab_down
echo
echo "laggsys: all checks passed"
