# Smoke test of the VM lab, and the gap laggd closes: a bond in
# active-backup mode with the MII monitor does not notice that the path
# behind its active port is dead while the port's link stays up; it does
# notice a link going down, and the ARP monitor notices the dead path.
# Run with: tests/vm/run tests/vm/smoke.sh
. "$(dirname "$0")/lab.sh"

PEER=192.0.2.100
PEER6=2001:db8::100

say() { printf '\n=== %s\n' "$*"; }
fail() {
    printf 'SMOKE FAIL: %s\n' "$*"
    lab_in host cat /proc/net/bonding/bond0 || true
    exit 1
}
bond_state() {
    lab_in host cat /proc/net/bonding/bond0 |
        grep -E '^(Bonding Mode|Currently Active|MII Status|Slave Interface|ARP|MII Polling|Link Failure)' |
        sed 's/^/    /'
}

# Polls in the host namespace, without forking for each look, until the
# bond's active slave is $1 (when $1 is "": any slave but $2). $3: the
# start, in ms since boot (lab_now_ms, taken before the action); $4: the
# limit in ms. Prints "SLAVE MS" (MS since the start), or "timeout".
wait_active() {
    lab_in host sh -c '
        want=$1 not=$2 t0=$3 limit=$4
        while :; do
            a=
            read a </sys/class/net/bond0/bonding/active_slave || a=
            read up _ </proc/uptime
            t=${up%.*}${up#*.}0
            if [ -n "$want" ] && [ "$a" = "$want" ]; then break; fi
            if [ -z "$want" ] && [ -n "$a" ] && [ "$a" != "$not" ]; then break; fi
            if [ $((t - t0)) -gt "$limit" ]; then echo timeout; exit 0; fi
            sleep 0.02
        done
        echo "$a $((t - t0))"
    ' wait_active "$1" "$2" "$3" "$4"
}

# Waits up to $3 seconds for NS to reach ADDR.
wait_ping() {
    _i=0
    while [ "$_i" -lt "$3" ]; do
        lab_ping "$1" "$2" && return 0
        _i=$((_i + 1))
    done
    return 1
}

say "lab up: bond0 active-backup, miimon 100"
lab_up mode active-backup miimon 100
wait_ping host "$PEER" 10 || fail "host cannot reach peer $PEER through the bond"
lab_in host ping -n -c 2 -W 1 "$PEER6" >/dev/null || fail "no IPv6 to $PEER6"
active=$(lab_active)
[ "$active" = p0 ] || fail "expected p0 active, got $active"
echo "peer reachable (IPv4 and IPv6) through bond0, active slave $active"
echo "/proc/net/bonding/bond0 before the cut:"
lab_in host cat /proc/net/bonding/bond0 | sed 's/^/    /'

say "cut the path behind p0 in swA (nftables drop, link stays up)"
t0=$(lab_now_ms)
lab_cut_path A
if lab_in host ping -n -q -c 3 -W 1 "$PEER" >/dev/null 2>&1; then
    fail "peer still reachable after the cut"
fi
echo "peer unreachable: 3 pings lost"
sleep 2
active=$(lab_active)
mii=$(lab_in host cat /sys/class/net/p0/operstate)
ms=$(($(lab_now_ms) - t0))
echo "/proc/net/bonding/bond0 $ms ms after the cut:"
lab_in host cat /proc/net/bonding/bond0 | sed 's/^/    /'
[ "$active" = p0 ] || fail "the bond moved to $active: expected no reaction to the cut"
echo "RESULT miimon: the bond did NOT notice the dead path (active still p0, p0 operstate $mii)"

say "ip link set dev p0 down (the slave itself)"
t0=$(lab_now_ms)
lab_in host ip link set dev p0 down
r=$(wait_active p1 "" "$t0" 5000)
[ "$r" != timeout ] || fail "no failover to p1 within 5 s of p0 going down"
wait_ping host "$PEER" 5 || fail "peer unreachable after the failover to p1"
echo "RESULT link down: failed over to p1 within ${r#* } ms of the command; peer reachable via swB"
bond_state

say "restore: p0 up, path A open; carrier loss of p1 (switch side down)"
lab_in host ip link set dev p0 up
lab_restore_path A
sleep 1
t0=$(lab_now_ms)
lab_carrier p1 down
r=$(wait_active p0 "" "$t0" 5000)
[ "$r" != timeout ] || fail "no failover to p0 within 5 s of p1 losing carrier"
wait_ping host "$PEER" 5 || fail "peer unreachable after the failover back to p0"
echo "RESULT carrier loss: failed over to p0 within ${r#* } ms of the command; peer reachable via swA"
lab_carrier p1 up
lab_down

say "lab up: bond0 active-backup, ARP monitor (arp_interval 100, arp_ip_target 192.0.2.1)"
dmesg -c >/dev/null
lab_up mode active-backup arp_interval 100 arp_ip_target 192.0.2.1
wait_ping host "$PEER" 10 || fail "host cannot reach peer $PEER (ARP monitor lab)"
r=$(wait_active "" "" "$(lab_now_ms)" 5000)
[ "$r" != timeout ] || fail "the ARP monitor made no slave active"
active=${r% *}
case $active in
p0) path=A other=p1 ;;
p1) path=B other=p0 ;;
*) fail "unexpected active slave $active" ;;
esac
echo "active slave $active; /proc/net/bonding/bond0 before the cut:"
bond_state
t0=$(lab_now_ms)
lab_cut_path "$path"
r=$(wait_active "$other" "" "$t0" 10000)
[ "$r" != timeout ] || fail "the ARP monitor did not move to $other within 10 s of cutting path $path"
ms=${r#* }
wait_ping host "$PEER" 5 || fail "peer unreachable after the ARP monitor failover"
echo "/proc/net/bonding/bond0 after the cut:"
bond_state
# The kernel's own times: from the cut being in place to the new active.
kms=$(dmesg | awk -v p="lab: path $path cut" -v o="(slave $other): making interface the new active one" '
    { t = substr($0, 2, index($0, "]") - 2) + 0 }
    index($0, p) { c = t }
    c != "" && index($0, o) && n == "" { n = t }
    END { if (c != "" && n != "") printf "%d", (n - c) * 1000 }')
echo "RESULT arp monitor: path $path cut, active moved $active -> $other within $ms ms of the cut command, ${kms:-?} ms after the rule was in place (kernel log); peer reachable"
echo "kernel log:"
dmesg | grep -E 'bond0|lab:' | sed 's/^/    /'
lab_down
echo
echo "smoke: all checks passed"
