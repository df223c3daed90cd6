// libFuzzer target: the compiler, from text to classic BPF, at -O0 and -O2.
// The input decodes (compiler_input.h) to a filter — generated from the
// grammar or raw text — on some link type, plus packets shaped for it;
// compiler_property.h says what must hold. Names resolve from the fixture
// files in test/fixtures/names, never from the system.
//
// With BPFC_FUZZ_SHOW_INPUTS set, each decoded filter is printed with its
// outcome (to see what the generator makes of a corpus: `fuzz_compiler
// -runs=0 DIR`); at exit, a
// summary line says how many filters compiled and why the others were
// refused (the most frequent messages), which run_fuzzers.sh shows.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler_input.h"
#include "compiler_property.h"
#include "fixture_names.h"

namespace {

struct Environment {
  bpfc::fuzz::FixtureNames names = bpfc::fuzz::load_fixture_names(BPFC_FIXTURE_NAMES_DIR);
  std::unique_ptr<bpfc::NameResolver> resolver = bpfc::make_file_resolver(BPFC_FIXTURE_NAMES_DIR);
  bool show_inputs = std::getenv("BPFC_FUZZ_SHOW_INPUTS") != nullptr;
};

const Environment& environment() {
  static const Environment env;
  return env;
}

// Counts for the summary at exit. The harness's only mutable state; the
// compiler under test has none.
struct Summary {
  uint64_t filters = 0, raw_text = 0, compiled_o0 = 0, compiled_o2 = 0;
  uint64_t verdict_checks = 0, level_comparisons = 0, accepting_filters = 0;
  std::map<std::string, uint64_t> refusals;

  ~Summary() {
    if (filters == 0) return;
    std::fprintf(stderr,
                 "compiler fuzz summary: %llu filters (%llu raw text), compiled at -O0 %llu, at -O2 %llu "
                 "(%llu keep some packet); %llu verdicts compared between interpreters, %llu between -O0 and -O2\n",
                 ull(filters), ull(raw_text), ull(compiled_o0), ull(compiled_o2), ull(accepting_filters),
                 ull(verdict_checks), ull(level_comparisons));
    std::vector<std::pair<uint64_t, std::string>> top;
    for (const auto& [message, count] : refusals) top.emplace_back(count, message);
    std::sort(top.rbegin(), top.rend());
    for (size_t i = 0; i < top.size() && i < 12; ++i)
      std::fprintf(stderr, "  refused %llu times: %s\n", ull(top[i].first), top[i].second.c_str());
  }
  static unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }
};

Summary& summary() {
  static Summary s;
  return s;
}

// Refusal messages name values ("port 70000 ..."); the summary groups them
// by their first words.
std::string refusal_kind(const std::string& message) {
  size_t cut = 0;
  for (int words = 0; words < 5 && cut != std::string::npos; ++words) cut = message.find(' ', cut + 1);
  return message.substr(0, std::min(cut, size_t{72}));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Environment& env = environment();
  auto input = bpfc::fuzz::decode_compiler_input({data, size}, env.names);
  // Printed before the check, so that a crash shows the filter too.
  if (env.show_inputs) std::fprintf(stderr, "[dlt %u] %s\n", input.filter.linktype, input.filter.text.c_str());
  auto outcome = bpfc::fuzz::check_compiler_property(input.filter, input.packets, *env.resolver);
  if (env.show_inputs) std::fprintf(stderr, "  -> %s\n", outcome.compiled_o2 ? "compiled" : outcome.refusal.c_str());
  Summary& s = summary();
  ++s.filters;
  s.raw_text += input.filter.raw_text;
  s.compiled_o0 += outcome.compiled_o0;
  s.compiled_o2 += outcome.compiled_o2;
  s.accepting_filters += outcome.accepted_packets > 0;
  s.verdict_checks += outcome.verdict_checks;
  s.level_comparisons += outcome.level_comparisons;
  if (!outcome.compiled_o2) ++s.refusals[refusal_kind(outcome.refusal)];
  return 0;
}
