#include "native_property.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <vector>

#include "bpfc/cbpf/format.h"
#include "bpfc/driver/compile.h"
#include "bpfc/exec/engine.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "report_text.h"

namespace bpfc::fuzz {
namespace {

// The batch's verdicts start as this, so that a verdict the batch function
// never wrote shows up (unless the interpreter happens to return it too).
constexpr uint32_t kUnwritten = 0xa5a5a5a5;

class Reporter {
 public:
  Reporter(const NativeInput& input, const ir::Function& function) : input_(input), function_(function) {}

  void set_program(const cbpf::Program* program) { program_ = program; }

  [[noreturn]] void violated(const std::string& what, const TestPacket* packet = nullptr) const {
    std::ostringstream out;
    out << "native property violated: " << what << "\n";
    if (input_.filter) {
      const FilterCase& filter = *input_.filter;
      out << "  filter: " << escaped(filter.text) << "\n  link type " << filter.linktype << ", snaplen "
          << filter.snaplen << ", netmask "
          << (filter.netmask ? std::to_string(*filter.netmask) : std::string("unknown")) << ", -O"
          << input_.opt_level << "\n";
    } else {
      out << "  a random IR function\n";
    }
    if (packet) {
      out << "  packet (" << packet->bytes.size() << " bytes, wirelen " << packet->wirelen
          << "): " << hex(packet->bytes) << "\n";
    }
    out << "  IR:\n" << ir::print(function_);
    if (program_) out << "  classic program:\n" << cbpf::format_listing(*program_);
    std::fputs(out.str().c_str(), stderr);
    std::fflush(stderr);
    std::abort();
  }

 private:
  const NativeInput& input_;
  const ir::Function& function_;
  const cbpf::Program* program_ = nullptr;
};

const exec::Engine& jit_engine() {
  const exec::Engine* engine = exec::engines().find("jit");
  if (engine == nullptr || !engine->make_native) {
    std::fputs("native property: no `jit` engine in this build\n", stderr);
    std::abort();
  }
  return *engine;
}

void check_verdicts(const exec::Filter& filter, const ir::Function& function, const cbpf::Program* program,
                    std::span<const TestPacket> packets, GuardedPackets& memory, const Reporter& report,
                    bool show, NativeOutcome& outcome) {
  std::vector<exec::PacketView> views;
  std::vector<std::span<const uint8_t>> placed;
  for (size_t i = 0; i < packets.size(); ++i) {
    placed.push_back(memory.place(i, packets[i].bytes));
    views.push_back({placed.back().data(), static_cast<uint32_t>(placed.back().size()), packets[i].wirelen});
  }
  std::vector<uint32_t> batch(packets.size(), kUnwritten);
  if (show) {
    std::fprintf(stderr, "  run_batch() on all %zu packets\n", packets.size());
    for (const TestPacket& packet : packets) {
      std::fprintf(stderr, "    (%zu bytes, wirelen %u): %s\n", packet.bytes.size(), packet.wirelen,
                   hex(packet.bytes).c_str());
    }
  }
  filter.run_batch(views, batch);
  for (size_t i = 0; i < packets.size(); ++i) {
    const TestPacket& packet = packets[i];
    const uint32_t reference = ir::interpret(function, packet.bytes, packet.wirelen);
    if (show) std::fprintf(stderr, "  run() on packet %zu\n", i);
    const uint32_t single = filter.run(placed[i], packet.wirelen);
    if (single != reference) {
      report.violated("the IR interpreter returns " + std::to_string(reference) + " and the native filter's run() " +
                          std::to_string(single),
                      &packet);
    }
    if (batch[i] != reference) {
      report.violated("the IR interpreter returns " + std::to_string(reference) + " and the native filter's run_batch() " +
                          std::to_string(batch[i]) + " (packet " + std::to_string(i) + " of a batch of " +
                          std::to_string(packets.size()) + ")",
                      &packet);
    }
    outcome.verdict_checks += 2;
    if (program) {
      const uint32_t classic = runtime::run_cbpf(*program, packet.bytes, packet.wirelen);
      if (classic != reference) {
        report.violated("the IR interpreter returns " + std::to_string(reference) + " and the classic interpreter " +
                            std::to_string(classic),
                        &packet);
      }
      ++outcome.verdict_checks;
    }
    outcome.accepted_packets += reference != 0;
  }
}

}  // namespace

NativeOutcome check_native_property(const NativeInput& input, const NameResolver& resolver, GuardedPackets& memory,
                                    bool show) {
  NativeOutcome outcome;
  std::optional<ir::Function> compiled;
  std::optional<cbpf::Program> program;
  if (input.filter) {
    const FilterCase& filter = *input.filter;
    CompileOptions options;
    options.linktype = filter.linktype;
    options.snaplen = filter.snaplen;
    options.netmask = filter.netmask;
    options.opt_level = input.opt_level;
    options.resolver = &resolver;
    auto function = compile_to_ir(filter.text, options);
    if (!function) return outcome;  // fuzz_compiler checks refusals
    compiled = std::move(*function);
    // The classic program can be refused where the IR was not (too many
    // registers, jumps too long): then only the native code is compared.
    if (auto classic = compile_cbpf(filter.text, options)) program = std::move(*classic);
  }
  const ir::Function& function = compiled ? *compiled : *input.function;
  Reporter report(input, function);
  if (program) report.set_program(&*program);
  if (auto malformed = ir::verify(function, {.kernel_metadata = false})) {
    report.violated("the function to compile is malformed: " + *malformed);
  }

  if (show) std::fprintf(stderr, "  IR:\n%s", ir::print(function).c_str());
  auto filter = jit_engine().make_native(function, exec::EngineSettings{});
  if (!filter) report.violated("the jit engine refuses the function: " + filter.errors().front().message);
  outcome.compiled = true;

  // As many packets as there are guarded slots, cut to the slot size (the
  // interpreters see the same bytes).
  std::vector<TestPacket> packets(input.packets.begin(),
                                  input.packets.begin() + std::min(input.packets.size(), memory.slots()));
  for (TestPacket& packet : packets) {
    if (packet.bytes.size() > memory.slot_bytes()) packet.bytes.resize(memory.slot_bytes());
  }
  check_verdicts(**filter, function, program ? &*program : nullptr, packets, memory, report, show, outcome);
  return outcome;
}

}  // namespace bpfc::fuzz
