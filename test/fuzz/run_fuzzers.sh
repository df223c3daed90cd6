#!/usr/bin/env bash
# Runs each fuzz target (the two savefile readers, the decompression layer
# under them, the compiler, the eBPF interpreter, native code against
# the interpreters, the RPCAP message decoder and the rpcap client's data
# connection) for a fixed time and
# reports how many inputs it executed and whether it found anything. Builds nothing: the targets must exist in BUILD_DIR (configured
# with -DBPFC_FUZZ=ON; `make test-fuzz` does both).
#
# Usage: run_fuzzers.sh BUILD_DIR [SECONDS]   (default 30 seconds per target)
#
# The readers' corpus starts from libpcap's test savefiles (test/corpus/pcaps)
# plus the hand-made seeds of fuzz_seed_generator; the decompression target's
# from the same files behind its two header bytes (compressed_property.h),
# four codec/damage combinations each; the compiler's from the
# expressions of test/corpus/accept (one in eight for runs under five minutes,
# so that loading them leaves time to fuzz) plus as many generator inputs, by
# fuzz_compiler_seed_generator; the eBPF interpreter's from two small
# programs written below (the input format is in fuzz_ebpf_vm.cpp); native
# code's from fuzz_compiler_seed_generator's output for one in 64 of those
# expressions, each seed once as an expression
# and once as the bytes of a random IR function (native_input.h), as few
# because each seed costs an LLVM compile, plus the inputs in
# test/fuzz/native_seeds (past findings, kept so that every run checks
# them); the RPCAP decoder's from a few messages written below (AUTH,
# STARTCAP with a filter, PACKET, an interface list, and a stream of
# several); the data connection's from the same messages as a stream (byte 0
# = 0) and as datagrams (byte 0 = 1, each behind its 2-byte length), one of
# them a good PACKET followed by a datagram that is no message. All live
# in a temporary directory that is removed afterwards. The targets run side
# by side (nine on the usual two
# cores: the wall time stays SECONDS plus start-up). Findings (crash-*,
# leak-*, timeout-*, oom-* reproducers) are kept in
# BUILD_DIR/fuzz-artifacts/<target>/ and each target's output in
# BUILD_DIR/fuzz-logs/<target>.log. Exit status: 0 when no target found
# anything, 1 on a finding, 2 on a usage or setup error.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BUILD_DIR [SECONDS]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=${2:-30}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "$0: SECONDS must be a positive number, not '$seconds'" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
corpus_pcaps=$here/../corpus/pcaps
corpus_accept=$here/../corpus/accept
targets=(fuzz_pcap_reader fuzz_pcapng_reader fuzz_compressed_savefile fuzz_compiler fuzz_ebpf_vm fuzz_native
  fuzz_rpcap_decoder fuzz_rpcap_data_channel fuzz_rpcap_server)
bin_dir=$build/test/fuzz

for program in "${targets[@]}" fuzz_seed_generator fuzz_compiler_seed_generator; do
  if [ ! -x "$bin_dir/$program" ]; then
    echo "$0: $bin_dir/$program is missing: build the fuzz targets first (make build-fuzzers)" >&2
    exit 2
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bpfc-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
seeds=$work/seeds
compiler_seeds=$work/compiler-seeds
compressed_seeds=$work/compressed-seeds
ebpf_seeds=$work/ebpf-seeds
native_seeds=$work/native-seeds
rpcap_seeds=$work/rpcap-seeds
channel_seeds=$work/channel-seeds
server_seeds=$work/server-seeds
mkdir -p "$seeds" "$compiler_seeds" "$compressed_seeds" "$ebpf_seeds" "$native_seeds" "$rpcap_seeds" "$channel_seeds" \
  "$server_seeds" \
  "$work/native-from" \
  "$build/fuzz-logs"
# Raw instructions (byte 0 = 4: socket hook, raw form), a 4-byte packet:
# "r6 = r1; r0 = ntohs(packet[1]); exit" and an XDP bounds-checked read.
printf '\004\004\001\002\003\004\277\026\000\000\000\000\000\000\050\000\000\000\001\000\000\000\225\000\000\000\000\000\000\000' \
  >"$ebpf_seeds/socket-ld-abs"
printf '\005\002\252\273\141\022\000\000\000\000\000\000\141\023\004\000\000\000\000\000\277\044\000\000\000\000\000\000\007\004\000\000\001\000\000\000\055\064\001\000\000\000\000\000\161\040\000\000\000\000\000\000\225\000\000\000\000\000\000\000' \
  >"$ebpf_seeds/xdp-direct"
# RPCAP messages (header: version, type, value, length; big-endian): a null
# and a password AUTH request, STARTCAP with a two-instruction filter, a
# 9-byte PACKET, a FINDALLIF reply (lo, one IPv4 address), all in a row.
printf '\000\010\000\000\000\000\000\010\000\000\000\000\000\000\000\000' >"$rpcap_seeds/auth-null"
printf '\000\010\000\000\000\000\000\015\000\001\000\000\000\002\000\003abxyz' >"$rpcap_seeds/auth-password"
printf '\000\004\000\000\000\000\000\044\000\004\000\000\000\000\001\364\000\002\022\064\000\001\000\000\000\000\000\002\000\025\001\002\000\000\010\000\000\006\000\000\377\377\377\377' \
  >"$rpcap_seeds/startcap"
printf '\000\007\000\000\000\000\000\035\000\000\000\001\000\000\000\002\000\000\000\011\000\000\000\011\000\000\000\001abcdefghi' \
  >"$rpcap_seeds/packet"
{
  printf '\000\202\000\001\000\000\002\016\000\002\000\000\000\000\000\067\000\001\000\000lo'
  printf '\000\002\000\000\177\000\000\001'; head -c 120 /dev/zero
  printf '\000\002\000\000\377\000\000\000'; head -c 120 /dev/zero
  head -c 256 /dev/zero
} >"$rpcap_seeds/interface-list"
cat "$rpcap_seeds/auth-null" "$rpcap_seeds/startcap" "$rpcap_seeds/packet" "$rpcap_seeds/interface-list" \
  >"$rpcap_seeds/stream"
for seed in "$rpcap_seeds"/*; do
  { printf '\000'; cat "$seed"; } >"$channel_seeds/stream-$(basename "$seed")"
done
{ printf '\001\000\045'; cat "$rpcap_seeds/packet"; printf '\000\045'; cat "$rpcap_seeds/packet"; } \
  >"$channel_seeds/datagrams"
{ printf '\001\000\045'; cat "$rpcap_seeds/packet"; printf '\000\003abc'; } >"$channel_seeds/datagram-bad-after-good"
# The daemon's input: a policy byte (1: NULL authentication allowed), then a
# client's requests: AUTH, FINDALLIF, OPEN lo, STARTCAP, STATS, ENDCAP, CLOSE.
{
  printf '\001'; cat "$rpcap_seeds/auth-null"
  printf '\000\002\000\000\000\000\000\000'
  printf '\000\003\000\000\000\000\000\002lo'
  cat "$rpcap_seeds/startcap"
  printf '\000\011\000\000\000\000\000\000\000\012\000\000\000\000\000\000\000\006\000\000\000\000\000\000'
} >"$server_seeds/session"
{ printf '\000'; cat "$rpcap_seeds/auth-password"; } >"$server_seeds/password"
cp "$corpus_pcaps"/* "$seeds"/
"$bin_dir/fuzz_seed_generator" "$seeds"
index=0
for seed in "$seeds"/*; do
  for variant in 0 1 2 3; do
    mode=$(((4 * index + variant) % 48))
    parameter=$(((37 * index + 71 * variant) % 256))
    { printf "\\$(printf %03o "$mode")\\$(printf %03o "$parameter")"; cat "$seed"; } \
      >"$compressed_seeds/$variant-$(basename "$seed")"
  done
  index=$((index + 1))
done
"$bin_dir/fuzz_compiler_seed_generator" --every $((seconds < 300 ? 8 : 1)) "$corpus_accept" "$compiler_seeds" 2>/dev/null
"$bin_dir/fuzz_compiler_seed_generator" --every 64 "$corpus_accept" "$work/native-from" 2>/dev/null
for seed in "$work/native-from"/*; do
  { printf '\000'; cat "$seed"; } >"$native_seeds/expression-$(basename "$seed")"
  { printf '\001'; cat "$seed"; } >"$native_seeds/ir-$(basename "$seed")"
done
cp "$here/native_seeds"/* "$native_seeds"/
touch "$work/started"  # artifacts newer than this come from this run

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# intercept_tls_get_addr=0: as in the Makefile's test-sanitize (the LLVM
# module's dynamic TLS).
export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:intercept_tls_get_addr=0

echo "fuzzing ${targets[*]} for ${seconds} s each ($(ls "$seeds" | wc -l) savefile seeds," \
  "$(ls "$compressed_seeds" | wc -l) compressed-savefile seeds, $(ls "$compiler_seeds" | wc -l) compiler seeds," \
  "$(ls "$ebpf_seeds" | wc -l) eBPF seeds, $(ls "$native_seeds" | wc -l) native-code seeds," \
  "$(ls "$rpcap_seeds" | wc -l) RPCAP seeds, $(ls "$channel_seeds" | wc -l) data-connection seeds)"
pids=()
for target in "${targets[@]}"; do
  mkdir -p "$work/$target" "$build/fuzz-artifacts/$target"
  asan_options=$ASAN_OPTIONS
  if [ "$target" = fuzz_compiler ]; then
    # Expressions are short; the entropic schedule's bookkeeping costs a
    # third of the run time on this target's many coverage features. A
    # protochain filter (thousands of instructions) takes a second of CPU in
    # this build, and a shared machine can make that ten on the clock: a
    # hang is what takes longer than 30 s.
    options=(-max_len=8192 -entropic=0 -timeout=30)
    target_seeds=$compiler_seeds
  elif [ "$target" = fuzz_native ]; then
    # An input is one LLVM compile (several ms in this build, more for a
    # protochain filter): the inputs run at full length from the start, as
    # the seeds are long; the entropic schedule's bookkeeping would cost a
    # quarter of the run time; a hang is what takes longer than 30 s, as for
    # fuzz_compiler. LLVM allocates much: recording each allocation's stack
    # costs an eighth of the compiles (a report still has the faulting
    # stack; replay the reproducer for the allocation's).
    options=(-max_len=4096 -len_control=0 -entropic=0 -timeout=30)
    asan_options=$ASAN_OPTIONS:malloc_context_size=0
    target_seeds=$native_seeds
  elif [ "$target" = fuzz_rpcap_decoder ]; then
    options=(-max_len=65536)
    target_seeds=$rpcap_seeds
  elif [ "$target" = fuzz_rpcap_server ]; then
    options=(-max_len=65536)
    target_seeds=$server_seeds
  elif [ "$target" = fuzz_rpcap_data_channel ]; then
    # Each input is a socket pair and a 1.3 MiB buffer: a few hundred a
    # second.
    options=(-max_len=65536)
    target_seeds=$channel_seeds
  elif [ "$target" = fuzz_ebpf_vm ]; then
    options=(-max_len=4096)
    target_seeds=$ebpf_seeds
  elif [ "$target" = fuzz_compressed_savefile ]; then
    options=(-max_len=65536)
    target_seeds=$compressed_seeds
  else
    options=(-max_len=65536)
    target_seeds=$seeds
  fi
  # New inputs go to the first directory; the seeds are only read. An input
  # slower than the timeout is a finding (timeout-*); one merely slow is not:
  # nine targets share two cores, so an LLVM compile that takes one second
  # alone can take ten on the clock, and libFuzzer would keep it as a
  # slow-unit-* file at 10 s. The slowest input's time is in the summary.
  ASAN_OPTIONS=$asan_options "$bin_dir/$target" -timeout=10 -report_slow_units=30 "${options[@]}" \
    -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$target/" "$work/$target" "$target_seeds" \
    >"$build/fuzz-logs/$target.log" 2>&1 &
  pids+=($!)
done

findings=0
for i in "${!targets[@]}"; do
  target=${targets[$i]}
  log=$build/fuzz-logs/$target.log
  status=0
  wait "${pids[$i]}" || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  new_units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
  slowest=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -n 1)
  mapfile -t artifacts < <(find "$build/fuzz-artifacts/$target" -type f -newer "$work/started" ! -name 'slow-unit-*' |
    sort)
  # (A target that failed while loading its seeds printed neither.)
  coverage=$(grep -aoE '(DONE|INITED) +cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 | sed -E 's/^(DONE|INITED) +//' ||
    true)
  if [ "$status" -eq 0 ] && [ ${#artifacts[@]} -eq 0 ]; then
    echo "$target: ${executions:-?} executions in ${seconds} s, ${new_units:-?} new corpus inputs" \
      "(${coverage:-cov: ?}), slowest input ${slowest:-?} s, no finding"
    grep -aE '^(compiler|native) fuzz summary' "$log" | sed -E 's/^(compiler|native) fuzz summary: /  /' || true
    continue
  fi
  findings=$((findings + 1))
  echo "$target: FINDING after ${executions:-?} executions (exit status $status); log: $log"
  grep -aE '^(==[0-9]+==ERROR|SUMMARY|(savefile|compiler|native) property violated|.*runtime error)' "$log" |
    head -n 5 | sed 's/^/  /'
  for artifact in "${artifacts[@]}"; do
    echo "  reproducer: $artifact   (run: $bin_dir/$target $artifact)"
  done
done
exit $((findings > 0 ? 1 : 0))
