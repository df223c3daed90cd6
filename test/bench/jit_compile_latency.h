// How long the `jit` engine takes to make a filter's native code, over the
// Ethernet expressions of the libpcap corpus's accept list that bpfc
// compiles (test/corpus/accept/EN10MB.jsonl; kernel-metadata and savefile-
// context entries left out, since native code cannot take them):
//
//   cold:        Engine::make_native on an IR function no cache holds (the
//                IR is compiled first, untimed). The process cache is keyed
//                by the printed IR, so expressions with identical IR count
//                once. It includes everything a cold make does: the cache
//                key, LLVM's IR, optimization and code generation, linking
//                the object into the process and writing it to the on-disk
//                cache (EngineSettings.code_cache, a fresh empty directory).
//   process hit: make_native again on the same function (the key, a lookup).
//   disk hit:    in a child process (this program again, whose process cache
//                is empty), native_code() for each function, which reads the
//                object the cold pass wrote and links it; a run whose code
//                does not come from the directory counts as a miss. LLVM's
//                JIT session is started untimed before the first one.
//
//   breakdown:   native::emit of each function as LLVM IR and as an object
//                (no cache involved), which says how much of a cold make is
//                LLVM's optimization pipeline and how much code generation.
//
// The one-time cost of the first compile in a process (LLVM's own startup)
// is measured apart on an expression outside the corpus, and not counted in
// the cold numbers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/ir/ir.h"

namespace bpfc::bench {

// The distinct IR functions of the corpus's Ethernet accept entries that
// bpfc compiles (at most `limit` entries read; 0: all), with counts.
struct CorpusFunctions {
  std::vector<std::string> expressions;  // one per distinct function, the first that gave it
  std::vector<ir::Function> functions;
  size_t entries = 0;        // Ethernet accept entries considered
  size_t not_compiled = 0;   // of which bpfc (or the native target) refuses
  size_t duplicates = 0;     // of which gave an IR already in the list
};

CorpusFunctions corpus_functions(const std::string& corpus_dir, size_t limit);

struct LatencyStats {
  size_t count = 0;
  double min_ms = 0, median_ms = 0, max_ms = 0;
  std::string max_expression;  // where the maximum was measured
};

struct CompileLatency {
  double first_compile_ms = 0;  // LLVM's startup and one compile, apart
  LatencyStats cold, process_hit, disk_hit;
  // The cold makes' CPU time on the calling thread (LLVM compiles there):
  // what a cold make costs on an idle machine, where wall time is inflated
  // by other load.
  LatencyStats cold_cpu;
  // Where a cold make's time goes, per function, outside any cache:
  // native::emit of LLVM IR (lowering and LLVM's optimization pipeline) and
  // of an object (the same and code generation), for this host's CPU.
  LatencyStats emit_ir, emit_object;
  size_t disk_misses = 0;       // child runs whose code was not read from the directory
  std::string disk_error;       // set when the child could not be run
};

// Measures the three latencies over `functions` in this process (which must
// not have compiled any of them yet) and in one child run of `self`
// (this executable) with `child_arguments` followed by --disk_cache_child=DIR.
CompileLatency measure_compile_latency(const CorpusFunctions& functions, const std::string& self,
                                       const std::string& child_arguments);

// The child's side: native_code() of each function with the directory as its
// cache, printing one line per function ("hit MS" or "miss MS") on stdout.
// Returns the exit status.
int run_disk_cache_child(const CorpusFunctions& functions, const std::string& cache_dir);

}  // namespace bpfc::bench
