#!/usr/bin/env bash
# Remote capture under load: on a veth pair in a private network namespace, a
# sender (`bpfc replay --timing=none`) puts a fixed number of packets on one
# end as fast as it can, while an rpcap daemon captures the other end with a
# filter and streams what matches over loopback to libpcap's own client
# (`rpcapref`, built from ../shared/oracles/rpcap). Daemons, same traffic,
# same filter, same client, alternating rounds:
#     libpcap's rpcapd -n        (the reference, built from the same kit)
#     bpfc-rpcapd -n
# over the TCP data channel and over UDP (--udp). For each: the packets sent
# (the sending device's counter), those the client received, those the
# daemon reported dropped, the daemon's CPU per sent packet, and packets per
# second delivered to the client: those it received (during the send and a
# drain second after it) over the duration of the send.
# Prints medians of RUNS rounds and bpfc-rpcapd's ratio to rpcapd on
# delivered packets per second. Goal (issue 15): >= 1.5x, with no more drops.
#
# Usage: rpcap_bench.sh BUILD_DIR [PACKETS] [RUNS]   (defaults 500000, 3)
# Needs root and ../shared/oracles/rpcap; exit status 0 done, 1 a tool
# failed, 2 usage, 77 skipped.
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
kit=$(cd "$(dirname "$0")/../.." && pwd)/../shared/oracles/rpcap
if [ ! -f "$kit/build.sh" ]; then
  echo "$0: $kit is absent: libpcap's rpcapd cannot be built; skipped" >&2
  exit 77
fi
bench_isolate "$0" "$@"

build=$(cd "$1" && pwd)
packets=${2:-500000}
runs=${3:-3}
bpfc=$build/tools/bpfc/bpfc
daemon=$build/tools/bpfc-rpcapd/bpfc-rpcapd
generator=$build/test/bench/bench_gen_traffic
for tool in "$bpfc" "$daemon" "$generator"; do
  [ -x "$tool" ] || { echo "$0: $tool is missing: build it first" >&2; exit 2; }
done
[[ "$packets" =~ ^[1-9][0-9]*$ ]] || { echo "$0: PACKETS must be a positive number" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "$0: RUNS must be a positive number" >&2; exit 2; }
command -v ip >/dev/null || { echo "$0: ip (iproute2) is not installed; skipped" >&2; exit 77; }

oracle=$build/rpcap-oracle
bash "$kit/build.sh" "$oracle" >/dev/null 2>"$oracle.log" || { cat "$oracle.log" >&2; exit 1; }
rpcapd=$oracle/bin/rpcapd
rpcapref=$oracle/bin/rpcapref

bench_workdir
filter='tcp or udp'
port=42002

ip link set lo up
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null || true
ip link add bench0 type veth peer name bench1
ip link set bench0 up
ip link set bench1 up

"$generator" "$work/mix.pcap" 64M >/dev/null
"$bpfc" filter -r "$work/mix.pcap" -c "$packets" -w "$work/traffic.pcap" 2>/dev/null
file_packets=$("$bpfc" filter -r "$work/traffic.pcap" --count 2>/dev/null | awk '{ print $1; exit }')
loops=$(((packets + file_packets - 1) / file_packets))
matching=$("$bpfc" filter -r "$work/traffic.pcap" --count "$filter" 2>/dev/null | awk '{ print $1; exit }')

tx_packets() { awk '{ sub(/^ +/, ""); split($0, f, /[: ]+/); if (f[1] == "bench0") print f[11] }' /proc/net/dev; }
# CPU seconds (user + system) a process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); split($0, f, " "); printf "%.3f", (f[12] + f[13]) / hz }' "/proc/$1/stat"; }
wait_for_port() {
  for _ in $(seq 1 100); do
    ss -ltn "sport = :$port" | grep -q LISTEN && return 0
    sleep 0.05
  done
  return 1
}

# run NAME DATA DAEMON...: one remote capture of the whole send; appends
# "sent received dropped daemon_cpu seconds" to $work/NAME.results.
run() {
  local name=$1 data=$2
  shift 2
  setsid "$@" -b 127.0.0.1 -p "$port" -4 -n >"$work/$name.daemon" 2>&1 </dev/null &
  local daemon_pid=$!
  if ! wait_for_port; then
    echo "$0: '$*' does not listen on $port:" >&2
    cat "$work/$name.daemon" >&2
    exit 1
  fi
  local udp=()
  [ "$data" = udp ] && udp=(--udp)
  "$rpcapref" capture "rpcap://127.0.0.1:$port/bench1" -f "$filter" "${udp[@]}" -t 600 >"$work/$name.client" 2>&1 &
  local client=$!
  sleep 1  # the client opens the device, sets its filter and starts
  if ! kill -0 "$client" 2>/dev/null; then
    echo "$0: the client ended before the traffic:" >&2
    cat "$work/$name.client" >&2
    exit 1
  fi
  # The session is a child process of either daemon (rpcapd forks,
  # bpfc-rpcapd runs itself): count the CPU of the whole process group.
  local session_pids
  session_pids=$(pgrep -g "$daemon_pid" | tr '\n' ' ')
  local cpu_before=0 p
  for p in $session_pids; do cpu_before=$(awk -v a="$cpu_before" -v b="$(cpu_seconds "$p")" 'BEGIN { print a + b }'); done
  local before start
  before=$(tx_packets)
  start=$EPOCHREALTIME
  "$bpfc" replay -i bench0 -r "$work/traffic.pcap" --timing=none --loop "$loops" -c "$packets" >/dev/null 2>"$work/$name.replay"
  local send_end=$EPOCHREALTIME
  local sent=$(($(tx_packets) - before))
  sleep 1  # what the daemon still has reaches the client
  local cpu_after=0
  for p in $session_pids; do
    [ -r "/proc/$p/stat" ] && cpu_after=$(awk -v a="$cpu_after" -v b="$(cpu_seconds "$p")" 'BEGIN { print a + b }')
  done
  kill -INT "$client"
  wait "$client" || true
  kill -TERM "$daemon_pid" 2>/dev/null || true
  wait "$daemon_pid" 2>/dev/null || true
  local received dropped
  received=$(awk '/^captured / { print $2 }' "$work/$name.client")
  dropped=$(sed -n 's/^stats recv=[0-9]* drop=\([0-9]*\).*/\1/p' "$work/$name.client")
  if [ -z "$received" ] || [ -z "$dropped" ]; then
    echo "$0: no statistics from the client of '$*':" >&2
    cat "$work/$name.client" "$work/$name.daemon" >&2
    exit 1
  fi
  local seconds
  seconds=$(awk -v s="$start" -v e="$send_end" 'BEGIN { printf "%.3f", e - s }')
  echo "$sent $received $dropped $(awk -v a="$cpu_after" -v b="$cpu_before" 'BEGIN { print a - b }') $seconds" >>"$work/$name.results"
}

jobs=(rpcapd_tcp bpfc_tcp rpcapd_udp bpfc_udp)
job() {
  case $1 in
    rpcapd_tcp) run "$1" tcp "$rpcapd" ;;
    bpfc_tcp) run "$1" tcp "$daemon" ;;
    rpcapd_udp) run "$1" udp "$rpcapd" ;;
    bpfc_udp) run "$1" udp "$daemon" ;;
  esac
}

echo "veth pair in a private namespace; $packets packets per run, $matching of every $file_packets match '$filter'; client rpcapref over 127.0.0.1; $runs rounds"
alternate_rounds "$runs" "${jobs[@]}"


printf '%-12s %10s %10s %10s %14s %12s\n' daemon sent received dropped "daemon ns/pkt" "delivered/s"
declare -A rate drops
for j in "${jobs[@]}"; do
  sent=$(column_median "$j" 1)
  received=$(column_median "$j" 2)
  drops[$j]=$(column_median "$j" 3)
  cpu_ns=$(awk -v c="$(column_median "$j" 4)" -v n="$sent" 'BEGIN { printf "%.1f", c * 1e9 / n }')
  rate[$j]=$(awk -v r="$received" -v s="$(column_median "$j" 5)" 'BEGIN { printf "%.0f", r / s }')
  printf '%-12s %10s %10s %10s %14s %12s\n' "$j" "$sent" "$received" "${drops[$j]}" "$cpu_ns" "${rate[$j]}"
done
echo "bpfc-rpcapd/rpcapd delivered packets per second: TCP $(ratio "${rate[bpfc_tcp]}" "${rate[rpcapd_tcp]}") (drops ${drops[bpfc_tcp]} vs ${drops[rpcapd_tcp]}), UDP $(ratio "${rate[bpfc_udp]}" "${rate[rpcapd_udp]}") (drops ${drops[bpfc_udp]} vs ${drops[rpcapd_udp]}) (goal >= 1.5 with no more drops)"
