#!/usr/bin/env bash
# bpfc filter's engines end to end: on the generated capture of
# savefile_bench.sh, the wall time of
#     tcpdump -r big.pcap -w out.pcap LIST
#     bpfc filter --engine=interp|jit|auto -r big.pcap -w /dev/null LIST
# for a list of 1,000 hosts (the JIT's longest compile among the listed
# filters; tcpdump, whose libpcap takes about a minute per run on it, in the
# first round only), and on the 54-packet examples/sample.pcap the wall time of
#     bpfc filter --engine=interp|auto -r sample.pcap -w /dev/null 'tcp port 80'
# (a short job: auto must not make it slower), RUNS rounds each,
# alternating, from a warm page cache. Prints medians and ratios, and checks
# that every engine kept as many packets as tcpdump.
#
# Usage: engine_bench.sh BUILD_DIR [SIZE] [RUNS]   (defaults 1G, 5)
# The capture is generated as savefile_bench.sh does (same directory,
# $BPFC_BENCH_DIR). Runs in a private network namespace; exit status 0 done,
# 1 a tool failed or the counts differ, 2 usage, 77 skipped.
set -euo pipefail
export LC_ALL=C

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: $0 BUILD_DIR [SIZE] [RUNS]" >&2
  exit 2
fi
source "$(dirname "$0")/bench_lib.sh"
bench_isolate "$0" "$@"

build=$(cd "$1" && pwd)
size=${2:-1G}
runs=${3:-5}
bpfc=$build/tools/bpfc/bpfc
sample=$(cd "$(dirname "$0")/../../examples" && pwd)/sample.pcap
[ -x "$bpfc" ] || { echo "$0: $bpfc is missing: build it first" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "$0: RUNS must be a positive number" >&2; exit 2; }

bench_capture "$build" "$size"
bench_workdir

# 1,000 hosts: 20 of the generator's clients (192.168.1.1-20), so that some
# packets match, and 980 addresses it never uses.
hosts=$(awk 'BEGIN { for (i = 0; i < 1000; i++) printf "%shost %s", (i ? " or " : ""),
                     (i < 20 ? "192.168.1." (i + 1) : "10.0." int(i / 250) "." (i % 250 + 1)) }')

long_jobs=(tcpdump interp jit auto)
long_job() {
  case $1 in
    tcpdump) if ((round == 1)); then timed tcpdump tcpdump -r "$big" -w "$work/tcpdump.pcap" "$hosts"; fi ;;
    *) timed "$1" "$bpfc" filter --engine="$1" -r "$big" -w /dev/null "$hosts" ;;
  esac
}
short_job() { timed "short_$1" "$bpfc" filter --engine="$1" -r "$sample" -w /dev/null 'tcp port 80'; }

echo "input: $big, 1,000 hosts; $sample, 'tcp port 80'; $runs rounds, alternating"
for ((round = 1; round <= runs; round++)); do
  if ((round % 2)); then order=("${long_jobs[@]}"); else order=(auto jit interp tcpdump); fi
  for job in "${order[@]}"; do long_job "$job"; done
  # The short job is fast: 20 of each per round, interleaved.
  for ((i = 0; i < 20; i++)); do short_job interp; short_job auto; done
done


printf '%-46s %10s\n' "" "median s"
for job in "${long_jobs[@]}"; do
  printf '%-46s %10.3f\n' "$job: 1,000 hosts on the capture" "$(median "$job")"
done
for job in interp auto; do
  printf '%-46s %10.4f\n' "$job: 'tcp port 80' on sample.pcap (54 packets)" "$(median "short_$job")"
done
echo "ratio interp/jit: $(ratio "$(median interp)" "$(median jit)")x, tcpdump/jit: $(ratio "$(median tcpdump)" "$(median jit)")x, tcpdump/auto: $(ratio "$(median tcpdump)" "$(median auto)")x, interp/auto: $(ratio "$(median interp)" "$(median auto)")x"
echo "short job: auto/interp $(ratio "$(median short_auto)" "$(median short_interp)")x (auto must not be slower beyond noise)"

# Every engine kept what tcpdump kept.
expected=$(tcpdump -r "$work/tcpdump.pcap" -n -q 2>/dev/null | wc -l)
for job in interp jit auto; do
  kept=$(tail -n 1 "$work/$job.stderr" | sed -n 's/.* read, \([0-9]*\) matched/\1/p')
  if [ "$kept" != "$expected" ]; then
    echo "$0: --engine=$job kept $kept packets, tcpdump $expected" >&2
    exit 1
  fi
done
echo "kept: $expected packets by tcpdump and every engine"
