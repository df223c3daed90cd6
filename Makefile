# Entry points: `make run` (install, build, demo) and `make test` (install,
# build, the whole suite in a Release build and again under AddressSanitizer
# and UndefinedBehaviorSanitizer, then each fuzz target (savefile readers,
# compiler, eBPF interpreter, native code) for FUZZ_SECONDS). `make fuzz` fuzzes longer, `make bench` measures `bpfc
# filter` against tcpdump, `make bench-ebpf` bpfc's eBPF in the kernel, `make bench-native` the JIT's native
# code against bpf_filter() and its compile latency, `make bench-engines` bpfc filter's engines, `make bench-replay` bpfc replay's send methods, `make bench-capture` live capture against tcpdump. Everything else is CMake.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
# `make fuzz` runs 10 minutes per target unless FUZZ_SECONDS is given.
LONG_FUZZ_SECONDS = $(if $(filter command line environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),600)
BENCH_SIZE ?= 1G
BENCH_RUNS ?= 5
BENCH_REPLAY_SIZE ?= 200M
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# Keep the output readable: no "Entering directory" lines from nested makes.
MAKEFLAGS += --no-print-directory

.PHONY: run test test-release test-sanitize test-fuzz fuzz bench bench-optimizer bench-replay bench-ebpf bench-native bench-engines bench-capture bench-rpcap deps build build-sanitize build-fuzzers clean

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DBPFC_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null

# The fuzzing build compiles only the fuzz targets and the libraries they link
# (the compiler's included, so CMAKE_FLAGS such as a ccache launcher apply).
$(FUZZ_BUILD)/CMakeCache.txt:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DBPFC_FUZZ=ON $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build-sanitize: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)

build-fuzzers: deps $(FUZZ_BUILD)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets

run: build
	@bash examples/demo.sh $(BUILD)/tools/bpfc/bpfc

test: test-release test-sanitize test-fuzz

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The Debug build also runs the IR verifier after lowering. LeakSanitizer
# takes some of glibc 2.36's dynamic TLS blocks for another glibc's layout
# and crashes scanning them at exit ("Tracer caught signal 11",
# google/sanitizers#1322); bpfc's LLVM module and libLLVM, loaded with
# dlopen, have such blocks, so LeakSanitizer is told not to track them.
SANITIZER_ASAN_OPTIONS = detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0
test-sanitize: build-sanitize
	cd $(ASAN_BUILD) && ASAN_OPTIONS=$(SANITIZER_ASAN_OPTIONS) \
	  UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

test-fuzz: build-fuzzers
	bash test/fuzz/run_fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz: build-fuzzers
	bash test/fuzz/run_fuzzers.sh $(FUZZ_BUILD) $(LONG_FUZZ_SECONDS)

# Not part of `make test`: needs minutes and a quiet machine. Uses the
# Release build; BENCH_SIZE is the generated capture's size.
bench: build
	bash test/bench/savefile_bench.sh $(BUILD) $(BENCH_SIZE) $(BENCH_RUNS)
	$(BUILD)/test/bench/bench_savefile_reader

# bpfc replay's send methods (PACKET_TX_RING, sendmmsg) on a veth pair in a
# private network namespace (root).
bench-replay: build
	bash test/bench/replay_bench.sh $(BUILD) $(BENCH_REPLAY_SIZE) $(BENCH_RUNS)

# Issue 4's optimizer benchmarks (program size, compile time, execution)
# against libpcap; quick by default, BENCH_OPTIMIZER_FLAGS=--full for all.
bench-optimizer: build
	bash test/bench/optimizer_bench.sh $(BENCH_OPTIMIZER_FLAGS) $(BUILD)

# Issue 12's eBPF execution benchmark: bpfc's eBPF socket filter against
# libpcap's program translated instruction by instruction, timed with
# BPF_PROG_TEST_RUN in this kernel (needs root or CAP_BPF; a few minutes the
# first time, while libpcap compiles the 1000-host list). Flags such as
# --runs=N, --repeat=N, --packets=N in BENCH_EBPF_FLAGS.
bench-ebpf: build
	$(BUILD)/test/bench/bench_ebpf_exec $(BENCH_EBPF_FLAGS)

# Issue 13's native-code benchmark: bpf_filter(), bpfc's interpreter, the jit
# engine per packet and per batch, and (with root or CAP_BPF) bpfc's eBPF in
# the kernel, on one packet set; then the JIT's compile and cache latency over
# the corpus. A few minutes the first time (libpcap compiles the 1000-host
# list). Flags such as --runs=N, --packets=N, --target_ms=N in
# BENCH_NATIVE_FLAGS.
bench-native: build
	$(BUILD)/test/bench/bench_native_exec $(BENCH_NATIVE_FLAGS)

# bpfc filter's engines end to end: interp, jit and auto against tcpdump on
# the generated capture with a 1000-host list, and interp against auto on the
# 54-packet sample (a short job must not pay for LLVM).
bench-engines: build
	bash test/bench/engine_bench.sh $(BUILD) $(BENCH_SIZE) $(BENCH_RUNS)

# Live capture under load on a veth pair (root): tcpdump and bpfc capture,
# with and without -w (and bpfc with --threads 2 where it has fanout).
# CAPTURE_PACKETS per run.
CAPTURE_PACKETS ?= 1000000
bench-capture: build
	bash test/bench/capture_bench.sh $(BUILD) $(CAPTURE_PACKETS) $(BENCH_RUNS)

# Remote capture under load (root, ../shared): libpcap's rpcapd and
# bpfc-rpcapd feeding libpcap's client over loopback, TCP and UDP data.
RPCAP_PACKETS ?= 500000
bench-rpcap: build
	bash test/bench/rpcap_bench.sh $(BUILD) $(RPCAP_PACKETS) $(BENCH_RUNS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
