#!/usr/bin/env bash
# `bpfc filter` against `tcpdump` on a large capture of realistic mixed
# traffic: the wall time of
#     tcpdump -r big.pcap -w out.pcap 'tcp port 80'
#     bpfc filter -r big.pcap -w out.pcap 'tcp port 80'
# of the same with -w /dev/null (read and filter only), and of printing a
# line per packet (every packet, no expression) to /dev/null:
#     tcpdump -n -q -r big.pcap
#     bpfc filter -r big.pcap
# and, as the floor any reader of the file stands on, of copying it:
#     dd if=big.pcap of=/dev/null bs=1M
# run alternately RUNS times each from a warm page cache. Prints the median
# times, MB/s (10^6 bytes of input per second), the ratios tcpdump/bpfc and,
# for writing out.pcap, bpfc/dd; checks that both kept the same packets and
# printed the same lines.
#
# Usage: savefile_bench.sh BUILD_DIR [SIZE] [RUNS]
#   BUILD_DIR  a build with tools/bpfc/bpfc and test/bench/bench_gen_traffic
#              (use a Release build for meaningful numbers)
#   SIZE       capture size for bench_gen_traffic (default 1G)
#   RUNS       rounds (default 5)
# The capture is generated once into $BPFC_BENCH_DIR (default
# ${TMPDIR:-/tmp}/bpfc-bench) and reused while the generator is unchanged.
#
# Everything runs in a private network namespace (unshare -n): the filter is
# numeric, and nothing may reach a name service. Exit status: 0 done, 1 a
# tool failed or the outputs differ, 2 usage, 77 skipped (no tcpdump, or no
# network namespace available).
set -euo pipefail
export LC_ALL=C  # a dot in $EPOCHREALTIME and in printf

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: $0 BUILD_DIR [SIZE] [RUNS]" >&2
  exit 2
fi

source "$(dirname "$0")/bench_lib.sh"
bench_isolate "$0" "$@"

build=$(cd "$1" && pwd)
size=${2:-1G}
runs=${3:-5}
filter='tcp port 80'
bpfc=$build/tools/bpfc/bpfc
if [ ! -x "$bpfc" ]; then
  echo "$0: $bpfc is missing: build it first" >&2
  exit 2
fi
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "$0: RUNS must be a positive number, not '$runs'" >&2
  exit 2
fi

bench_capture "$build" "$size"
input_bytes=$(stat -c %s "$big")
bench_workdir

tcpdump_write() { rm -f "$work/tcpdump.pcap"; timed tcpdump_write tcpdump -r "$big" -w "$work/tcpdump.pcap" "$filter"; }
bpfc_write() { rm -f "$work/bpfc.pcap"; timed bpfc_write "$bpfc" filter -r "$big" -w "$work/bpfc.pcap" "$filter"; }
tcpdump_read() { timed tcpdump_read tcpdump -r "$big" -w /dev/null "$filter"; }
bpfc_read() { timed bpfc_read "$bpfc" filter -r "$big" -w /dev/null "$filter"; }
tcpdump_print() { timed tcpdump_print tcpdump -n -q -r "$big"; }
bpfc_print() { timed bpfc_print "$bpfc" filter -r "$big"; }
dd_read() { timed dd_read dd if="$big" of=/dev/null bs=1M; }

echo "input: $big ($input_bytes bytes), filter '$filter', $runs rounds, alternating"
for ((round = 1; round <= runs; round++)); do
  if ((round % 2)); then
    dd_read; tcpdump_write; bpfc_write; tcpdump_read; bpfc_read; tcpdump_print; bpfc_print
  else
    bpfc_write; tcpdump_write; dd_read; bpfc_read; tcpdump_read; bpfc_print; tcpdump_print
  fi
done

mbps() { awk -v b="$input_bytes" -v t="$1" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }

printf '%-34s %10s %8s\n' "" "median s" "MB/s"
for pair in "tcpdump_write:tcpdump -w out.pcap" "bpfc_write:bpfc filter -w out.pcap" \
            "tcpdump_read:tcpdump -w /dev/null" "bpfc_read:bpfc filter -w /dev/null" \
            "tcpdump_print:tcpdump -n -q (lines)" "bpfc_print:bpfc filter (lines)" \
            "dd_read:dd of=/dev/null bs=1M"; do
  name=${pair%%:*}
  t=$(median "$name")
  printf '%-34s %10.3f %8s\n' "${pair#*:}" "$t" "$(mbps "$t")"
done
write_ratio=$(ratio "$(median tcpdump_write)" "$(median bpfc_write)")
read_ratio=$(ratio "$(median tcpdump_read)" "$(median bpfc_read)")
print_ratio=$(ratio "$(median tcpdump_print)" "$(median bpfc_print)")
dd_ratio=$(ratio "$(median bpfc_write)" "$(median dd_read)")
echo "ratio tcpdump/bpfc: ${write_ratio}x writing out.pcap (goal: 4x), ${read_ratio}x read-only (goal: 3x), ${print_ratio}x printing lines"
echo "ratio bpfc/dd: ${dd_ratio}x writing out.pcap (goal: at most 2x)"
echo "bpfc: $(tail -n 1 "$work/bpfc_write.stderr")"

# Both outputs must hold the same packets; count them with the same reader.
count() { tcpdump -r "$1" -n -q 2>/dev/null | wc -l; }
tcpdump_kept=$(count "$work/tcpdump.pcap")
bpfc_kept=$(count "$work/bpfc.pcap")
if [ "$tcpdump_kept" != "$bpfc_kept" ]; then
  echo "$0: the outputs differ: tcpdump kept $tcpdump_kept packets, bpfc $bpfc_kept" >&2
  exit 1
fi
# The 24-byte file headers may differ (snaplen); the records should not.
if cmp -s <(tail -c +25 "$work/tcpdump.pcap") <(tail -c +25 "$work/bpfc.pcap"); then
  same="records byte-identical"
else
  same="records NOT byte-identical"
fi
echo "kept: $bpfc_kept packets by both ($same)"

# Every line of the generated traffic is one bpfc prints as tcpdump does.
if ! cmp -s <(TZ=UTC tcpdump -n -q -r "$big" 2>/dev/null) <(TZ=UTC "$bpfc" filter -r "$big" 2>/dev/null); then
  echo "$0: bpfc and tcpdump -n -q print different lines for $big" >&2
  exit 1
fi
echo "printed: the same lines by both"
