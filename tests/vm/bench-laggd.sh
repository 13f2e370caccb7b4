# Benchmark (prints figures, asserts nothing): time from a path cut
# behind the active port to the bond moving to the other port, for laggd
# and for the bonding driver's own ARP monitor, at the same probe interval
# and missed count: laggd FAILURE_DETECTION_TIME=1000 probes every
# 1000/7 = 142 ms on average and fails a port after 5 lost probes; the ARP
# monitor runs with arp_interval 142 and arp_missed_max 5.
# Run with: tests/vm/run tests/vm/bench-laggd.sh target/release/laggd
# (TRIALS=N in the environment of run is not passed in; edit N below).
. "$(dirname "$0")/lab.sh"

N=20

# Milliseconds until the active slave is $1, polling every 10 ms inside
# the host namespace (no fork per look).
until_active() {
    lab_in host sh -c '
        want=$1 t0=$2
        while :; do
            read a </sys/class/net/bond0/bonding/active_slave || a=
            read up _ </proc/uptime
            t=${up%.*}${up#*.}0
            [ "$a" = "$want" ] && break
            [ $((t - t0)) -gt 10000 ] && { echo timeout; exit 0; }
            sleep 0.01
        done
        echo $((t - t0))' until_active "$1" "$2"
}

stats() { # label values...
    label=$1
    shift
    printf '%s\n' "$@" | sort -n | awk -v l="$label" '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print l ": no data"; exit }
            m = v[int((NR + 1) / 2)]
            p = v[NR]
            printf "%-44s n=%d median %d ms, min %d ms, max %d ms\n", l, NR, m, v[1], p
        }'
}

trials() { # label
    out=
    i=0
    while [ "$i" -lt "$N" ]; do
        # Back to p0 with the path whole, then a random moment.
        lab_restore_path A
        until_active p0 "$(lab_now_ms)" >/dev/null
        sleep 1
        sleep "0.$(( $(od -An -N1 -tu1 /dev/urandom) % 9 + 1 ))"
        t0=$(lab_now_ms)
        lab_cut_path A
        ms=$(until_active p1 "$t0")
        [ "$ms" != timeout ] && out="$out $ms"
        lab_restore_path A
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    stats "$1" $out
}

echo "=== laggd (FDT 1000 ms: ~142 ms interval, 5 losses), bond miimon 100"
lab_up mode active-backup miimon 100
cat >/tmp/laggd.conf <<'CONF'
FAILURE_DETECTION_TIME=1000
lagg bond0 ports p0 p1 targets 192.0.2.1
CONF
lab_in host laggd -d -f /tmp/laggd.conf -s /tmp/laggd.sock >/tmp/laggd.log 2>&1 &
sleep 4
trials "laggd: path cut -> bond on p1"
kill %1 2>/dev/null || true
lab_down

echo "=== bonding ARP monitor (arp_interval 142, arp_missed_max 5)"
lab_up mode active-backup arp_interval 142 arp_ip_target 192.0.2.1 \
    arp_missed_max 5 primary p0
sleep 2
trials "ARP monitor: path cut -> bond on p1"
echo "BENCH DONE"
