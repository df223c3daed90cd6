# Shared by the end-to-end bench scripts (savefile_bench.sh, engine_bench.sh);
# sourced, not run. Each script calls, in order:
#   bench_isolate "$0" "$@"        re-runs the script in a private network
#                                  namespace (exits 77 when there is none)
#   bench_capture BUILD_DIR SIZE   sets $big: the generated capture, made once
#                                  into $BPFC_BENCH_DIR and reused while the
#                                  generator is unchanged, in the page cache
#   bench_workdir                  sets $work, removed on exit
# then times commands with `timed NAME COMMAND...` and reads them back with
# `median NAME`; `ratio A B` prints A/B. Scripts that record several numbers
# per run append them as a line to $work/NAME.results and read each back
# with `column_median NAME N`; `alternate_rounds RUNS JOB...` calls the
# script's `job NAME` for every JOB, RUNS rounds, every other round in
# reverse order (no job always runs first).

bench_isolate() {
  local script=$1
  shift
  if ! command -v tcpdump >/dev/null; then
    echo "$script: tcpdump is not installed; skipped" >&2
    exit 77
  fi
  # One namespace for the whole script, so that no timed command pays for it.
  if [ -z "${BPFC_BENCH_ISOLATED:-}" ]; then
    local isolate
    for isolate in "unshare -n" "unshare -rn"; do
      if $isolate true 2>/dev/null; then
        export BPFC_BENCH_ISOLATED=1
        exec $isolate bash "$script" "$@"
      fi
    done
    echo "$script: cannot create a network namespace (unshare -n) for tcpdump; skipped" >&2
    exit 77
  fi
}

bench_capture() {
  local build=$1 size=$2
  local generator=$build/test/bench/bench_gen_traffic
  if [ ! -x "$generator" ]; then
    echo "$0: $generator is missing: build it first" >&2
    exit 2
  fi
  local cache_dir=${BPFC_BENCH_DIR:-${TMPDIR:-/tmp}/bpfc-bench}
  mkdir -p "$cache_dir"
  big=$cache_dir/big-$size.pcap
  if [ ! -s "$big" ] || [ "$generator" -nt "$big" ]; then
    echo "generating $big ..."
    "$generator" "$big.$$" "$size"
    mv -f "$big.$$" "$big"  # atomic: a concurrent run never sees half a file
  fi
  cat "$big" >/dev/null  # warm the page cache
}

bench_workdir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/bpfc-bench-run.XXXXXX")
  trap 'rm -rf "$work"' EXIT
}

# timed NAME COMMAND...: runs COMMAND, appends its wall time in seconds to
# $work/NAME.times, keeps its stderr in $work/NAME.stderr.
timed() {
  local name=$1
  shift
  local start=$EPOCHREALTIME
  if ! "$@" >/dev/null 2>"$work/$name.stderr"; then
    echo "$0: '$*' failed:" >&2
    cat "$work/$name.stderr" >&2
    exit 1
  fi
  local end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f\n", e - s }' >>"$work/$name.times"
}

median() { sort -n "$work/$1.times" | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

column_median() {
  awk -v c="$2" '{ print $c }' "$work/$1.results" | sort -n |
    awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

alternate_rounds() {
  local runs=$1
  shift
  local jobs=("$@") order round k j
  for ((round = 1; round <= runs; round++)); do
    order=("${jobs[@]}")
    if ((round % 2 == 0)); then
      order=()
      for ((k = ${#jobs[@]} - 1; k >= 0; k--)); do order+=("${jobs[k]}"); done
    fi
    for j in "${order[@]}"; do job "$j"; done
  done
}
