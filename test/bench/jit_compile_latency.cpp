#include "jit_compile_latency.h"

#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <utility>

#include "bpfc/driver/compile.h"
#include "bpfc/exec/engine.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/llvm/native.h"
#include "corpus_entries.h"
#include "bpfc/llvm/native_jit.h"

namespace bpfc::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint32_t kDltEn10mb = 1;

// Compiled once, before the corpus, to take LLVM's first-use costs out of
// the cold numbers; no corpus expression reads these bytes.
constexpr const char* kWarmupExpression = "ether[7] = 0x3c and ip[3] = 0x5a and udp[6:2] = 0x1234";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double thread_cpu_ms() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

LatencyStats stats(std::vector<std::pair<double, std::string>> samples) {
  LatencyStats result;
  result.count = samples.size();
  if (samples.empty()) return result;
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  result.median_ms = n % 2 ? samples[n / 2].first : (samples[n / 2 - 1].first + samples[n / 2].first) / 2;
  result.min_ms = samples.front().first;
  result.max_ms = samples.back().first;
  result.max_expression = samples.back().second;
  return result;
}

CompileOptions options_for(const difftest::AcceptEntry& entry, const NameResolver& resolver) {
  CompileOptions options;
  options.linktype = kDltEn10mb;
  options.snaplen = entry.snaplen;
  options.netmask = entry.netmask;
  options.resolver = &resolver;
  return options;
}

const exec::Engine& jit_engine() {
  const exec::Engine* engine = exec::engines().find("jit");
  if (engine == nullptr) {
    std::fprintf(stderr, "bench_native_exec: this build has no jit engine\n");
    std::exit(1);
  }
  return *engine;
}

// The child's output: one "hit MS" or "miss MS" line per function.
void read_child_lines(FILE* child, const CorpusFunctions& functions, CompileLatency& latency) {
  std::vector<std::pair<double, std::string>> samples;
  char word[8];
  double ms = 0;
  while (std::fscanf(child, "%7s %lf", word, &ms) == 2) {
    const std::string& expression =
        samples.size() < functions.expressions.size() ? functions.expressions[samples.size()] : std::string();
    samples.emplace_back(ms, expression);
    if (std::string(word) != "hit") ++latency.disk_misses;
  }
  if (samples.size() != functions.functions.size()) {
    latency.disk_error = "the child reported " + std::to_string(samples.size()) + " of " +
                         std::to_string(functions.functions.size()) + " functions";
  }
  latency.disk_hit = stats(std::move(samples));
}

}  // namespace

CorpusFunctions corpus_functions(const std::string& corpus_dir, size_t limit) {
  CorpusFunctions result;
  const auto resolver = make_file_resolver(BPFC_TEST_DIR "/fixtures/names");
  std::set<std::string> seen;
  for (const difftest::AcceptEntry& entry : difftest::load_accept_entries(corpus_dir)) {
    if (linktype_from_string(entry.dlt) != kDltEn10mb) continue;
    if (entry.linuxext || entry.offline) continue;
    if (limit != 0 && result.entries == limit) break;
    ++result.entries;
    auto function = compile_to_ir(entry.expr, options_for(entry, *resolver));
    if (!function) {
      ++result.not_compiled;
      continue;
    }
    if (!seen.insert(ir::print(*function)).second) {
      ++result.duplicates;
      continue;
    }
    result.expressions.push_back(entry.expr);
    result.functions.push_back(std::move(*function));
  }
  return result;
}

CompileLatency measure_compile_latency(const CorpusFunctions& functions, const std::string& self,
                                       const std::string& child_arguments) {
  CompileLatency latency;
  const exec::Engine& engine = jit_engine();
  std::string directory_template = (std::filesystem::temp_directory_path() / "bpfc-jit-cache-XXXXXX").string();
  if (::mkdtemp(directory_template.data()) == nullptr) {
    std::fprintf(stderr, "bench_native_exec: cannot make a temporary directory\n");
    std::exit(1);
  }
  const std::string cache_dir = directory_template;
  exec::EngineSettings settings;
  settings.code_cache = cache_dir;

  {
    CompileOptions options;
    auto warmup = compile_to_ir(kWarmupExpression, options);
    if (!warmup) {
      std::fprintf(stderr, "bench_native_exec: bpfc refuses the warm-up expression\n");
      std::exit(1);
    }
    const Clock::time_point start = Clock::now();
    auto made = engine.make_native(*warmup, exec::EngineSettings{});
    latency.first_compile_ms = ms_since(start);
    if (!made) {
      std::fprintf(stderr, "bench_native_exec: the jit engine refuses the warm-up expression: %s\n",
                   made.error().message.c_str());
      std::exit(1);
    }
  }

  std::vector<std::pair<double, std::string>> cold, cold_cpu, hit;
  for (size_t i = 0; i < functions.functions.size(); ++i) {
    const double cpu_start = thread_cpu_ms();
    Clock::time_point start = Clock::now();
    auto made = engine.make_native(functions.functions[i], settings);
    const double cold_ms = ms_since(start);
    cold_cpu.emplace_back(thread_cpu_ms() - cpu_start, functions.expressions[i]);
    if (!made) {
      std::fprintf(stderr, "bench_native_exec: the jit engine refuses '%s': %s\n", functions.expressions[i].c_str(),
                   made.error().message.c_str());
      std::exit(1);
    }
    start = Clock::now();
    auto again = engine.make_native(functions.functions[i], settings);
    const double hit_ms = ms_since(start);
    if (!again) std::exit(1);
    cold.emplace_back(cold_ms, functions.expressions[i]);
    hit.emplace_back(hit_ms, functions.expressions[i]);
  }
  latency.cold = stats(std::move(cold));
  latency.cold_cpu = stats(std::move(cold_cpu));
  latency.process_hit = stats(std::move(hit));

  // With the target machine made once, as the JIT's compiling threads do.
  auto compiler = native::Compiler::make(native::jit_machine_options());
  if (!compiler) std::exit(1);
  std::vector<std::pair<double, std::string>> emit_ir, emit_object;
  for (size_t i = 0; i < functions.functions.size(); ++i) {
    for (const native::NativeOutput output : {native::NativeOutput::LlvmIr, native::NativeOutput::Object}) {
      const Clock::time_point start = Clock::now();
      auto emitted = compiler->emit({{"bpfc_filter", functions.functions[i]}}, output);
      const double ms = ms_since(start);
      if (!emitted) std::exit(1);
      (output == native::NativeOutput::LlvmIr ? emit_ir : emit_object).emplace_back(ms, functions.expressions[i]);
    }
  }
  latency.emit_ir = stats(std::move(emit_ir));
  latency.emit_object = stats(std::move(emit_object));

  const std::string command = "'" + self + "' " + child_arguments + " --disk_cache_child=" + cache_dir;
  if (FILE* child = ::popen(command.c_str(), "r")) {
    read_child_lines(child, functions, latency);
    const int status = ::pclose(child);
    if (status != 0 && latency.disk_error.empty()) latency.disk_error = "the child failed (status " + std::to_string(status) + ")";
  } else {
    latency.disk_error = "cannot run " + command;
  }
  std::error_code ignored;
  std::filesystem::remove_all(cache_dir, ignored);
  return latency;
}

int run_disk_cache_child(const CorpusFunctions& functions, const std::string& cache_dir) {
  if (functions.functions.empty()) return 0;
  // Starts LLVM's JIT session (no cache directory: nothing is loaded).
  if (native::cached_native_code(functions.functions.front(), "")) return 1;
  for (const ir::Function& function : functions.functions) {
    const Clock::time_point start = Clock::now();
    auto loaded = native::native_code(function, cache_dir);
    const double ms = ms_since(start);
    if (!loaded) return 1;
    std::printf("%s %.6f\n", loaded->source == native::CodeSource::DiskCache ? "hit" : "miss", ms);
  }
  return 0;
}

}  // namespace bpfc::bench
