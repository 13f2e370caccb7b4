# The failover lab, sourced by the VM test scripts (POSIX sh, as root).
#
#                  swA (br0)                  core (br0)
#   host          hp ---- uplink ------------- upA
#   bond0 - p0 ---'                            |-- cpeer --- eth0  peer
#         \                                    |    192.0.2.100/24 2001:db8::100/64
#          `- p1 ---.                          |-- ctgt ---- eth0  tgt
#                   hp ---- uplink ------------- upB   192.0.2.1/24 2001:db8::1/64
#                  swB (br0)
#
# host: bond0 over the veth ports p0 and p1, 192.0.2.10/24, 2001:db8::10/64.
# swA, swB: one bridge each ("switches"); hp is the host-facing port (the
#   peer of p0 in swA, of p1 in swB), uplink the link into core.
# core: a bridge joining both uplinks, so either side reaches peer and tgt.
# peer, tgt: one interface eth0 each; tgt is the probe target.
#
# Only documentation addresses; nothing leaves the namespaces.
#
# lab_up [BOND OPTIONS...]   build it; the options go to
#     `ip link add bond0 type bond ...` (default: mode active-backup
#     miimon 100); `lab_up nobond` leaves p0 and p1 unenslaved, up and
#     without addresses (for a daemon that makes its own bond).
# lab_cut_path A|B   drop every frame to and from the host's port in swA
#     (or swB) with nftables; the port's link and carrier stay up.
# lab_restore_path [A|B]   undo the cut (both when no argument).
# lab_carrier p0|p1 up|down   take the switch side of the port down (or up):
#     the host's port loses (or regains) carrier, as if unplugged.
# lab_down   delete every namespace of the lab.
# lab_in NS CMD...   run CMD in namespace NS.
# lab_active   the bond's currently active slave (or "None").
# lab_ping NS ADDR   one ping with a one second wait; status only.
# lab_now_ms   milliseconds since boot (10 ms resolution).
# lab_mark TEXT   write "lab: TEXT" into the kernel log, so that dmesg
#     shows the lab's actions between the kernel's own messages (the
#     functions above mark themselves once their change is in place).
# lab_wait_for SECONDS CONDITION...   run CONDITION every 0.1 s until it
#     succeeds (status 0) or SECONDS have passed (status 1).
#
# The helpers (lab_in, lab_mark, lab_now_ms, lab_wait_for) serve scripts
# that build their own topology too (lacp.sh).

LAB_NS="host swA swB core peer tgt"

lab_in() {
    _ns=$1
    shift
    ip netns exec "$_ns" "$@"
}

lab_mark() {
    echo "lab: $*" >/dev/kmsg 2>/dev/null || true
}

lab_now_ms() {
    awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

lab_wait_for() {
    _n=$(($1 * 10))
    shift
    while [ "$_n" -gt 0 ]; do
        if "$@"; then return 0; fi
        sleep 0.1
        _n=$((_n - 1))
    done
    return 1
}

lab_up() {
    if [ $# -eq 0 ]; then
        set -- mode active-backup miimon 100
    fi
    for _ns in $LAB_NS; do
        ip netns add "$_ns"
        ip -n "$_ns" link set lo up
    done
    # No IPv6 chatter from the switches.
    for _ns in swA swB core; do
        lab_in "$_ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        lab_in "$_ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    done
    for _ns in swA swB core; do
        ip -n "$_ns" link add br0 type bridge stp_state 0
        ip -n "$_ns" link set dev br0 up
    done
    ip -n host link add p0 type veth peer name hp netns swA
    ip -n host link add p1 type veth peer name hp netns swB
    ip -n swA link add uplink type veth peer name upA netns core
    ip -n swB link add uplink type veth peer name upB netns core
    ip -n core link add cpeer type veth peer name eth0 netns peer
    ip -n core link add ctgt type veth peer name eth0 netns tgt
    for _p in swA:hp swA:uplink swB:hp swB:uplink core:upA core:upB core:cpeer \
        core:ctgt; do
        ip -n "${_p%%:*}" link set dev "${_p#*:}" master br0 up
    done
    ip -n peer addr add 192.0.2.100/24 dev eth0
    ip -n peer addr add 2001:db8::100/64 dev eth0 nodad
    ip -n peer link set dev eth0 up
    ip -n tgt addr add 192.0.2.1/24 dev eth0
    ip -n tgt addr add 2001:db8::1/64 dev eth0 nodad
    ip -n tgt link set dev eth0 up
    if [ "$1" = nobond ]; then
        ip -n host link set dev p0 up
        ip -n host link set dev p1 up
        return 0
    fi
    ip -n host link add bond0 type bond "$@"
    ip -n host link set dev p0 master bond0
    ip -n host link set dev p1 master bond0
    ip -n host addr add 192.0.2.10/24 dev bond0
    ip -n host addr add 2001:db8::10/64 dev bond0 nodad
    ip -n host link set dev bond0 up
}

_lab_sw() {
    case $1 in
    A | a) echo swA ;;
    B | b) echo swB ;;
    *)
        echo "lab: no path $1 (A or B)" >&2
        return 2
        ;;
    esac
}

lab_cut_path() {
    _sw=$(_lab_sw "$1") || return 2
    lab_in "$_sw" nft -f - <<'EOF'
table bridge lab_cut {
    chain forward {
        type filter hook forward priority 0; policy accept;
        iifname "hp" drop
        oifname "hp" drop
    }
    chain input {
        type filter hook input priority 0; policy accept;
        iifname "hp" drop
    }
}
EOF
    lab_mark "path $1 cut"
}

lab_restore_path() {
    if [ $# -eq 0 ]; then
        set -- A B
    fi
    for _p in "$@"; do
        _sw=$(_lab_sw "$_p") || return 2
        lab_in "$_sw" nft delete table bridge lab_cut 2>/dev/null || true
        lab_mark "path $_p restored"
    done
}

lab_carrier() {
    case $1 in
    p0) _sw=swA ;;
    p1) _sw=swB ;;
    *)
        echo "lab: no port $1 (p0 or p1)" >&2
        return 2
        ;;
    esac
    case $2 in
    up | down)
        ip -n "$_sw" link set dev hp "$2"
        lab_mark "carrier $1 $2"
        ;;
    *)
        echo "lab: carrier up or down, not $2" >&2
        return 2
        ;;
    esac
}

lab_down() {
    for _ns in $LAB_NS; do
        ip netns del "$_ns" 2>/dev/null || true
    done
}

lab_active() {
    lab_in host sed -n 's/^Currently Active Slave: //p' /proc/net/bonding/bond0
}

lab_ping() {
    lab_in "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1
}
