// libFuzzer target: native code (the `jit` engine, LLVM) against the
// reference IR interpreter and, for expressions, the classic interpreter.
// The input decodes (native_input.h) to a random IR function or a filter
// expression, plus packets; native_property.h says what must hold. Names
// resolve from the fixture files in test/fixtures/names, never from the
// system.
//
// With BPFC_FUZZ_SHOW_INPUTS set, each decoded input is printed (the
// expression, or the function's size), then its IR and each packet before
// the native code runs on it (to name the packet of a crash: replay the
// reproducer so); at exit a summary line says how many inputs became native
// code, which run_fuzzers.sh shows.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "fixture_names.h"
#include "guarded_packets.h"
#include "native_input.h"
#include "native_property.h"

namespace {

// Slots for a run's packets: fuzz_compiler's synthesizer makes a few dozen
// at most; frames longer than a slot are cut (for every engine alike).
constexpr size_t kPacketSlots = 64;
constexpr size_t kSlotBytes = 16384;

struct Environment {
  bpfc::fuzz::FixtureNames names = bpfc::fuzz::load_fixture_names(BPFC_FIXTURE_NAMES_DIR);
  std::unique_ptr<bpfc::NameResolver> resolver = bpfc::make_file_resolver(BPFC_FIXTURE_NAMES_DIR);
  bool show_inputs = std::getenv("BPFC_FUZZ_SHOW_INPUTS") != nullptr;
};

const Environment& environment() {
  static const Environment env;
  return env;
}

bpfc::fuzz::GuardedPackets& packet_memory() {
  static bpfc::fuzz::GuardedPackets memory(kPacketSlots, kSlotBytes);
  return memory;
}

// Counts for the summary at exit: the harness's only mutable state.
struct Summary {
  uint64_t inputs = 0, functions = 0, expressions = 0, refused = 0, compiled = 0, verdict_checks = 0,
           accepting = 0;

  ~Summary() {
    if (inputs == 0) return;
    std::fprintf(stderr,
                 "native fuzz summary: %llu inputs (%llu random IR functions, %llu expressions, %llu of them "
                 "refused by the compiler); %llu compiled to native code (%llu keep some packet), %llu verdicts "
                 "compared with the IR interpreter\n",
                 ull(inputs), ull(functions), ull(expressions), ull(refused), ull(compiled), ull(accepting),
                 ull(verdict_checks));
  }
  static unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }
};

Summary& summary() {
  static Summary s;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Environment& env = environment();
  const bpfc::fuzz::NativeInput input = bpfc::fuzz::decode_native_input({data, size}, env.names);
  if (env.show_inputs) {
    if (input.filter) {
      std::fprintf(stderr, "[dlt %u, -O%d] %s\n", input.filter->linktype, input.opt_level, input.filter->text.c_str());
    } else {
      std::fprintf(stderr, "[random IR] %zu blocks, %zu values\n", input.function->blocks.size(),
                   input.function->values.size());
    }
  }
  const auto outcome = bpfc::fuzz::check_native_property(input, *env.resolver, packet_memory(), env.show_inputs);
  Summary& s = summary();
  ++s.inputs;
  s.functions += input.function.has_value();
  s.expressions += input.filter.has_value();
  s.refused += input.filter && !outcome.compiled;
  s.compiled += outcome.compiled;
  s.accepting += outcome.accepted_packets > 0;
  s.verdict_checks += outcome.verdict_checks;
  return 0;
}
