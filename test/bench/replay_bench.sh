#!/usr/bin/env bash
# bpfc replay's two send methods on a veth pair in a private network
# namespace: the generated capture of savefile_bench.sh sent back to back,
#     bpfc replay -i bench0 -r big.pcap --timing=none --method=ring|sendmmsg
# RUNS rounds each, alternating, from a warm page cache, with nothing
# listening on the far end (bench1) and again with tcpdump writing it to
# /dev/null there. Prints the median packets/s of each method (from bpfc's
# own statistics, which time the sending only) and their ratio, and checks
# that every run sent every packet and tcpdump's kernel counted them all.
#
# Usage: replay_bench.sh BUILD_DIR [SIZE] [RUNS]   (defaults 200M, 5)
# Exit status 0 done, 1 a run failed or lost packets, 2 usage, 77 skipped.
set -euo pipefail
export LC_ALL=C

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: $0 BUILD_DIR [SIZE] [RUNS]" >&2
  exit 2
fi
source "$(dirname "$0")/bench_lib.sh"
bench_isolate "$0" "$@"

build=$(cd "$1" && pwd)
size=${2:-200M}
runs=${3:-5}
bpfc=$build/tools/bpfc/bpfc
[ -x "$bpfc" ] || { echo "$0: $bpfc is missing: build it first" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "$0: RUNS must be a positive number" >&2; exit 2; }

bench_capture "$build" "$size"
bench_workdir

# Only the frames the benchmark sends cross the pair.
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null || true
ip link add bench0 type veth peer name bench1
ip link set bench0 up
ip link set bench1 up
packets=$("$bpfc" filter -r "$big" --count 2>/dev/null)
packets=${packets% packets}
echo "capture: $big, $packets packets"

# replay_once NAME METHOD: one run; its packets/s into $work/NAME.rates.
replay_once() {
  local name=$1 method=$2
  "$bpfc" replay -i bench0 -r "$big" --timing=none --method="$method" 2>"$work/$name.stderr" || {
    cat "$work/$name.stderr" >&2
    exit 1
  }
  local line
  line=$(grep ' sent on ' "$work/$name.stderr")
  if [[ "$line" != "$packets packets "* ]]; then
    echo "$0: $name did not send all $packets packets: $line" >&2
    exit 1
  fi
  sed -E 's/.*: ([0-9]+) packets\/s.*/\1/' <<<"$line" >>"$work/$name.rates"
}

median_rate() { sort -n "$work/$1.rates" | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : int((t[NR / 2] + t[NR / 2 + 1]) / 2) }'; }

for round in $(seq "$runs"); do
  replay_once ring ring
  replay_once sendmmsg sendmmsg
done

# The same with a receiver: tcpdump on the far end, writing nowhere.
for round in $(seq "$runs"); do
  for method in ring sendmmsg; do
    tcpdump -Z root -B 262144 -s 2048 -i bench1 -Q in -w /dev/null 2>"$work/tcpdump.stderr" &
    listener=$!
    until grep -q 'listening on' "$work/tcpdump.stderr" 2>/dev/null; do sleep 0.05; done
    replay_once "$method-tcpdump" "$method"
    sleep 0.5
    kill -INT "$listener"
    wait "$listener" || true
    received=$(sed -nE 's/^([0-9]+) packets? received by filter/\1/p' "$work/tcpdump.stderr")
    if [ "$received" != "$packets" ]; then
      echo "$0: tcpdump's kernel counted $received of $packets packets ($method)" >&2
      exit 1
    fi
  done
done

ring=$(median_rate ring)
mmsg=$(median_rate sendmmsg)
ring_t=$(median_rate ring-tcpdump)
mmsg_t=$(median_rate sendmmsg-tcpdump)
echo "median packets/s over $runs runs (no listener):   ring $ring, sendmmsg $mmsg, ring/sendmmsg $(ratio "$ring" "$mmsg")"
echo "median packets/s over $runs runs (tcpdump on bench1): ring $ring_t, sendmmsg $mmsg_t, ring/sendmmsg $(ratio "$ring_t" "$mmsg_t")"
