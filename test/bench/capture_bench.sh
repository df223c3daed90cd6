#!/usr/bin/env bash
# Live capture under load: on a veth pair in a private network namespace, a
# sender (`bpfc replay --timing=none`) puts a fixed number of packets on one
# end as fast as it can while a capturer on the other end runs
#     tcpdump      -i B -B KIB [-w out.pcap] FILTER
#     bpfc capture -i B -B KIB [-w out.pcap] [--threads 2] FILTER
# with the same filter and buffer size. For each, the packets sent (the
# sending device's counter), captured and dropped (the capturer's own exit
# statistics), and the capturer's user and system CPU per sent packet, with
# the ratio of bpfc's CPU per packet to tcpdump's in the same run; RUNS
# rounds, medians. Goal (issue 14): bpfc captures at least as many packets as
# tcpdump with fewer drops, at <= 0.7x its CPU per packet.
#
# Usage: capture_bench.sh BUILD_DIR [PACKETS] [RUNS]   (defaults 1000000, 3)
# Needs root (veth pairs in a network namespace); exit status 0 done, 1 a
# tool failed, 2 usage, 77 skipped.
set -euo pipefail
export LC_ALL=C

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: $0 BUILD_DIR [PACKETS] [RUNS]" >&2
  exit 2
fi
source "$(dirname "$0")/bench_lib.sh"
if [ "$(id -u)" -ne 0 ]; then
  echo "$0: needs root for a veth pair in a network namespace; skipped" >&2
  exit 77
fi
bench_isolate "$0" "$@"

build=$(cd "$1" && pwd)
packets=${2:-1000000}
runs=${3:-3}
bpfc=$build/tools/bpfc/bpfc
generator=$build/test/bench/bench_gen_traffic
for tool in "$bpfc" "$generator"; do
  [ -x "$tool" ] || { echo "$0: $tool is missing: build it first" >&2; exit 2; }
done
[[ "$packets" =~ ^[1-9][0-9]*$ ]] || { echo "$0: PACKETS must be a positive number" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "$0: RUNS must be a positive number" >&2; exit 2; }
command -v ip >/dev/null || { echo "$0: ip (iproute2) is not installed; skipped" >&2; exit 77; }

bench_workdir
filter='tcp port 80'
buffer_kib=4096

# The pair lives in this script's private namespace and goes with it.
ip link set lo up
ip link add bench0 type veth peer name bench1
ip link set bench0 up
ip link set bench1 up

# The traffic: the generator's mix (mostly small packets, 10 % VLAN), cut to
# PACKETS packets (or sent several times over when it has fewer).
"$generator" "$work/mix.pcap" 64M >/dev/null
"$bpfc" filter -r "$work/mix.pcap" -c "$packets" -w "$work/traffic.pcap" 2>/dev/null
file_packets=$("$bpfc" filter -r "$work/traffic.pcap" --count 2>/dev/null | awk '{ print $1; exit }')
loops=$(((packets + file_packets - 1) / file_packets))

# (/sys/class/net shows the host's devices in a namespace that did not mount
# its own sysfs; /proc/net/dev is the namespace's.)
tx_packets() { awk '{ sub(/^ +/, ""); split($0, f, /[: ]+/); if (f[1] == "bench0") print f[11] }' /proc/net/dev; }

# run NAME CAPTURER...: one capture of the whole send; appends
# "sent captured dropped user sys" to $work/NAME.results.
run() {
  local name=$1
  shift
  local out=$work/$name.out
  local timing=$work/$name.time
  /usr/bin/time -f "%U %S" -o "$timing" "$@" >"$out.stdout" 2>"$out.stderr" &
  local pid=$!
  sleep 1  # the capturer opens its socket and attaches its filter
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "$0: '$*' ended before the traffic:" >&2
    cat "$out.stderr" >&2
    exit 1
  fi
  local before
  before=$(tx_packets)
  "$bpfc" replay -i bench0 -r "$work/traffic.pcap" --timing=none --loop "$loops" >/dev/null 2>"$work/$name.replay"
  local sent=$(($(tx_packets) - before))
  sleep 0.5  # what is in flight reaches the capturer
  kill -INT "$(pgrep -P "$pid" | head -1 || echo "$pid")" 2>/dev/null || true
  wait "$pid" || true
  local captured dropped
  captured=$(awk '/packets? captured/ { print $1; exit }' "$out.stderr")
  dropped=$(awk '/packets? dropped by kernel/ { print $1; exit }' "$out.stderr")
  if [ -z "$captured" ] || [ -z "$dropped" ]; then
    echo "$0: no statistics from '$*':" >&2
    cat "$out.stderr" >&2
    exit 1
  fi
  echo "$sent $captured $dropped $(cat "$timing")" >>"$work/$name.results"
}

jobs=(tcpdump_w bpfc_w tcpdump_print bpfc_print)
# Fanout across threads, where bpfc capture has it.
if "$bpfc" capture --help 2>/dev/null | grep -q -- '--threads'; then
  jobs+=(bpfc_w_threads2)
else
  echo "bpfc capture has no --threads: the fanout row is left out"
fi
job() {
  case $1 in
    tcpdump_w) run "$1" tcpdump -n -i bench1 -B "$buffer_kib" -w "$work/tcpdump.pcap" "$filter" ;;
    bpfc_w) run "$1" "$bpfc" capture -i bench1 -B "$buffer_kib" -w "$work/bpfc.pcap" "$filter" ;;
    bpfc_w_threads2) run "$1" "$bpfc" capture -i bench1 -B "$buffer_kib" --threads 2 -w "$work/bpfc2.pcap" "$filter" ;;
    tcpdump_print) run "$1" tcpdump -n -i bench1 -B "$buffer_kib" "$filter" ;;
    bpfc_print) run "$1" "$bpfc" capture -i bench1 -B "$buffer_kib" "$filter" ;;
  esac
}

echo "veth pair in a private namespace; $packets packets per run ($loops pass(es) over $file_packets generated packets), filter '$filter', -B $buffer_kib; $runs rounds"
alternate_rounds "$runs" "${jobs[@]}"

per_packet_ns() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.1f", s * 1e9 / n }'; }

printf '%-18s %10s %10s %10s %12s %12s\n' capturer sent captured dropped "user ns/pkt" "sys ns/pkt"
declare -A cpu
for j in "${jobs[@]}"; do
  sent=$(column_median "$j" 1)
  user=$(per_packet_ns "$(column_median "$j" 4)" "$sent")
  sys=$(per_packet_ns "$(column_median "$j" 5)" "$sent")
  cpu[$j]=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
  printf '%-18s %10s %10s %10s %12s %12s\n' "$j" "$sent" "$(column_median "$j" 2)" "$(column_median "$j" 3)" "$user" "$sys"
done
summary="bpfc/tcpdump CPU per packet: -w $(ratio "${cpu[bpfc_w]}" "${cpu[tcpdump_w]}"), printing $(ratio "${cpu[bpfc_print]}" "${cpu[tcpdump_print]}")"
if [ -n "${cpu[bpfc_w_threads2]:-}" ]; then
  summary+=", -w --threads 2 $(ratio "${cpu[bpfc_w_threads2]}" "${cpu[tcpdump_w]}")"
fi
echo "$summary (goal <= 0.70)"
