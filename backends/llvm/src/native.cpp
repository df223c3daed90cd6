#include "bpfc/llvm/native.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <set>

#include "lower.h"
#include "machine.h"

namespace bpfc::native {

std::optional<std::string> check_symbol(std::string_view symbol) {
  if (symbol.empty()) return "a filter's symbol cannot be empty";
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(symbol.front())) {
    return "symbol '" + std::string(symbol) + "' is not a C identifier (it must start with a letter or '_')";
  }
  for (char c : symbol) {
    if (!letter(c) && !(c >= '0' && c <= '9')) {
      return "symbol '" + std::string(symbol) + "' is not a C identifier (letters, digits and '_' only)";
    }
  }
  if (symbol.size() > 200) return "symbol '" + std::string(symbol.substr(0, 20)) + "...' is too long";
  return std::nullopt;
}

struct Compiler::State {
  MachineOptions options;
  std::unique_ptr<llvm::TargetMachine> machine;
};

Compiler::Compiler(std::unique_ptr<State> state) : state_(std::move(state)) {}
Compiler::Compiler(Compiler&&) noexcept = default;
Compiler& Compiler::operator=(Compiler&&) noexcept = default;
Compiler::~Compiler() = default;

Result<Compiler> Compiler::make(const MachineOptions& machine) {
  auto target = make_target_machine(machine);
  if (!target) return target.errors();
  return Compiler(std::make_unique<State>(State{machine, std::move(*target)}));
}

Result<std::string> emit(const std::vector<NamedFilter>& filters, NativeOutput output, const MachineOptions& machine) {
  auto compiler = Compiler::make(machine);
  if (!compiler) return compiler.errors();
  return compiler->emit(filters, output);
}

Result<std::string> Compiler::emit(const std::vector<NamedFilter>& filters, NativeOutput output) {
  llvm::LLVMContext context;
  llvm::Module module("bpfc", context);
  std::set<std::string, std::less<>> symbols;
  for (const NamedFilter& filter : filters) {
    if (auto problem = check_symbol(filter.symbol)) return error(*problem);
    for (const std::string& name : {filter.symbol, filter.symbol + "_batch"}) {
      if (!symbols.insert(name).second) return error("two filters would define the symbol '" + name + "'");
    }
    auto lowered = lower_filter(filter.function, filter.symbol, module);
    if (!lowered) return lowered.errors();
  }
  return optimize_and_emit(module, *state_->machine, state_->options, output);
}

std::string c_header(const std::vector<std::string>& symbols) {
  std::string text =
      "/* Packet filters bpfc compiled to native code (bpfc compile --target=llvm --emit=obj): link the\n"
      " * object with your program. Each NAME(packet, caplen, wirelen) returns libpcap's bpf_filter()\n"
      " * value for the caplen bytes at packet of a packet wirelen bytes long on the wire: 0 rejects\n"
      " * it, any other value is the number of bytes to keep. It reads only those caplen bytes,\n"
      " * keeps no state and is safe to call from several threads at once. NAME_batch runs it on\n"
      " * count packets: verdicts[i] is its value for packets[i]. */\n"
      "#ifndef BPFC_FILTERS_H\n"
      "#define BPFC_FILTERS_H\n\n"
      "#include <stdint.h>\n\n"
      "#ifdef __cplusplus\n"
      "extern \"C\" {\n"
      "#endif\n\n"
      "#ifndef BPFC_PACKET_DEFINED\n"
      "#define BPFC_PACKET_DEFINED\n"
      "struct bpfc_packet {\n"
      "  const uint8_t *data;\n"
      "  uint32_t caplen;\n"
      "  uint32_t wirelen;\n"
      "};\n"
      "#endif\n\n";
  for (const std::string& symbol : symbols) {
    text += "uint32_t " + symbol + "(const uint8_t *packet, uint32_t caplen, uint32_t wirelen);\n";
    text += "void " + symbol + "_batch(const struct bpfc_packet *packets, uint32_t count, uint32_t *verdicts);\n";
  }
  text +=
      "\n#ifdef __cplusplus\n"
      "}\n"
      "#endif\n\n"
      "#endif\n";
  return text;
}

}  // namespace bpfc::native
