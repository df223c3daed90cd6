#!/usr/bin/env bash
# The optimizer benchmarks of issue 4, one after the other, then their
# headline numbers against the goals:
#   bench_program_size  EN10MB corpus: bpfc -O2 instructions / libpcap -O's   (goal <= 0.90)
#   bench_compound_size everyday compound filters (test/corpus/compound): the
#                       same ratio, and no filter longer than libpcap's      (goal <= 0.85)
#   bench_compile_time  host/port/net OR-lists: bpfc time and peak memory     (goal: 1000 terms
#                       <= 50 ms; 100 000 terms <= 5 s and <= 1 GiB)
#   bench_filter_exec   ns per packet, bpfc's program and libpcap's under the
#                       same interpreter                                       (goal: 1000-host
#                       list >= 20x faster)
#
# Usage: optimizer_bench.sh [--full | --smoke] [BUILD_DIR]
#   (default)  quick: the corpus without named hosts; lists of 10, 100 and
#              1000 terms, bpfc limited to 10 s per compile, libpcap up to 100
#              terms; the execution benchmark with the 1000-host list (libpcap
#              needs ~1.5 min for that list once; its program is then cached
#              in ${BPFC_BENCH_DIR:-${TMPDIR:-/tmp}/bpfc-bench})
#   --full     also the corpus entries with names (as root), lists up to
#              100 000 terms with 120 s per compile, libpcap up to 1000 terms
#              (its cubic optimizer needs minutes there): 15 minutes or more
#   --smoke    each benchmark in its quickest form, in seconds (ctest runs this)
#   BUILD_DIR  a build with test/bench/bench_* (default: build; use a Release
#              build for meaningful numbers)
#
# The programs isolate themselves from the network (an empty network
# namespace) when root; otherwise this script runs them under `unshare -rn`
# where it can. libpcap only ever sees numeric expressions (and, with --full
# as root, fixture names bind-mounted over /etc inside that namespace).
# Exit status: 0 done (whether or not the goals are met), 1 a benchmark
# failed, 2 usage.
set -euo pipefail
export LC_ALL=C

mode=quick
build=build
for arg in "$@"; do
  case $arg in
    --full) mode=full ;;
    --smoke) mode=smoke ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "$0: unknown option $arg" >&2; exit 2 ;;
    *) build=$arg ;;
  esac
done
if [ ! -d "$build" ]; then
  echo "$0: no build directory $build" >&2
  exit 2
fi
bench_dir=$(cd "$build" && pwd)/test/bench
for program in bench_program_size bench_compound_size bench_compile_time bench_filter_exec; do
  if [ ! -x "$bench_dir/$program" ]; then
    echo "$0: $bench_dir/$program is missing: build it first" >&2
    exit 2
  fi
done

# Not root: a user namespace makes the programs root enough to isolate
# themselves (they say what they did on their first line).
isolate=()
if [ "$(id -u)" != 0 ] && unshare -rn true 2>/dev/null; then
  isolate=(unshare -rn)
fi

case $mode in
  smoke)
    size_flags=(--limit 40)
    compile_flags=(--kinds host,net --sizes 1,10 --runs 1 --time-limit 30)
    exec_flags=(--no_1000_hosts --packets=256 --libpcap_cache=none --benchmark_min_time=0.001)
    ;;
  quick)
    size_flags=()
    compile_flags=(--sizes 10,100,1000 --libpcap-max 100 --time-limit 10)
    exec_flags=(--benchmark_min_time=0.1)
    ;;
  full)
    size_flags=()
    if [ "$(id -u)" = 0 ]; then size_flags=(--names-in-etc); fi
    compile_flags=(--sizes 10,100,1000,10000,100000 --libpcap-max 1000 --time-limit 120)
    exec_flags=()
    ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/bpfc-optimizer-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# run NAME PROGRAM ARGS...: runs a benchmark, showing and keeping its output.
run() {
  local name=$1
  shift
  echo "== $name: $*"
  if ! "${isolate[@]}" "$@" 2>&1 | tee "$work/$name.out"; then
    echo "$0: $name failed" >&2
    exit 1
  fi
  echo
}

run program_size "$bench_dir/bench_program_size" "${size_flags[@]}"
run compound_size "$bench_dir/bench_compound_size"
run compile_time "$bench_dir/bench_compile_time" "${compile_flags[@]}"
run filter_exec "$bench_dir/bench_filter_exec" "${exec_flags[@]}"

echo "== headline ($mode mode; goals from issue 4)"
cat "$work"/program_size.out "$work"/compound_size.out "$work"/compile_time.out "$work"/filter_exec.out | grep '^GOAL ' | sed 's/^GOAL /  /'
if [ "$mode" = quick ]; then
  echo "  (quick mode: bpfc compiles limited to 10 s, no 10 000/100 000-term lists; --full measures those)"
fi
