#include "llvm_target.h"

#include <cstdlib>
#include <string>
#include <utility>

#include "bpfc/llvm/native.h"

namespace bpfc::native {
namespace {

std::string chosen(const driver::TargetSettings& settings, std::string_view option, std::string fallback) {
  auto found = settings.find(option);
  return found == settings.end() ? fallback : found->second;
}

Result<driver::Emitted> emit_filters(std::vector<NamedFilter> filters, const driver::TargetSettings& settings) {
  driver::Emitted emitted;
  const std::string kind = chosen(settings, "emit", "obj");
  if (kind == "header") {
    std::vector<std::string> symbols;
    for (const NamedFilter& filter : filters) {
      if (auto problem = check_symbol(filter.symbol)) return error(*problem);
      symbols.push_back(filter.symbol);
    }
    emitted.bytes = c_header(symbols);
    return emitted;
  }
  MachineOptions machine;
  machine.triple = chosen(settings, "triple", "");
  machine.cpu = chosen(settings, "cpu", "");
  machine.position_independent = chosen(settings, "relocation", "pic") == "pic";
  const NativeOutput output = kind == "llvm-ir" ? NativeOutput::LlvmIr
                              : kind == "asm"   ? NativeOutput::Assembly
                                                : NativeOutput::Object;
  auto bytes = emit(filters, output, machine);
  if (!bytes) return bytes.errors();
  emitted.bytes = std::move(*bytes);
  return emitted;
}

}  // namespace

void register_target(driver::TargetRegistry& registry) {
  driver::Target target;
  target.name = "llvm";
  target.description =
      "native code through LLVM: an object file a C or C++ program links (uint32_t NAME(const uint8_t *packet, "
      "uint32_t caplen, uint32_t wirelen)), its C header, LLVM IR or assembly";
  target.emits = {driver::Emits::BinaryObject, driver::Emits::TextListing};
  target.options = {
      {"emit",
       "what to write: obj (an ELF object, the default), llvm-ir, asm, or header (the C declarations of the "
       "object's functions)",
       {"obj", "llvm-ir", "asm", "header"}},
      {"symbol", "the filter's function name (default bpfc_filter); NAME_batch is its batch form", {}, "NAME"},
      {"triple", "the machine to make code for, as an LLVM target triple (default: this host's)", {}, "TRIPLE"},
      {"cpu", "the CPU to tune and select instructions for (default: the triple's generic one; native: this host's)",
       {}, "CPU"},
      {"relocation", "pic (position-independent, what Debian's PIE executables need) or static", {"pic", "static"}},
  };
  target.emit = [](const ir::Function& function, const CompileOptions&,
                   const driver::TargetSettings& settings) -> Result<driver::Emitted> {
    std::vector<NamedFilter> filters;
    filters.push_back({chosen(settings, "symbol", std::string(kDefaultSymbol)), function});
    return emit_filters(std::move(filters), settings);
  };
  target.emit_named = [](const std::vector<driver::NamedFunction>& functions, const CompileOptions&,
                         const driver::TargetSettings& settings) -> Result<driver::Emitted> {
    std::vector<NamedFilter> filters;
    for (const driver::NamedFunction& named : functions) filters.push_back({named.name, named.function});
    return emit_filters(std::move(filters), settings);
  };
  // A second target of the same name is a build mistake, not a user's.
  if (!registry.add(std::move(target))) std::abort();
}

}  // namespace bpfc::native
