// The native-code API on this side of the module boundary: what needs no
// LLVM (symbol checks, the C header) is done here, the rest in bpfc's LLVM
// module (module_interface.h), loaded at the first compile.
#include "bpfc/llvm/native.h"

#include <set>

#include "module_loader.h"

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
  std::unique_ptr<module::ModuleCompiler> compiler;
};

Compiler::Compiler(std::unique_ptr<State> state) : state_(std::move(state)) {}
Compiler::Compiler(Compiler&&) noexcept = default;
Compiler& Compiler::operator=(Compiler&&) noexcept = default;
Compiler::~Compiler() = default;

Result<Compiler> Compiler::make(const MachineOptions& machine) {
  auto backend = module::backend();
  if (!backend) return backend.errors();
  std::string problem;
  auto compiler = (*backend)->make_compiler(machine, problem);
  if (compiler == nullptr) return error(problem);
  return Compiler(std::make_unique<State>(State{std::move(compiler)}));
}

Result<std::string> emit(const std::vector<NamedFilter>& filters, NativeOutput output, const MachineOptions& machine) {
  auto compiler = Compiler::make(machine);
  if (!compiler) return compiler.errors();
  return compiler->emit(filters, output);
}

Result<std::string> Compiler::emit(const std::vector<NamedFilter>& filters, NativeOutput output) {
  std::set<std::string, std::less<>> symbols;
  std::vector<std::string> texts;
  texts.reserve(filters.size());
  for (const NamedFilter& filter : filters) {
    if (auto problem = check_symbol(filter.symbol)) return error(*problem);
    for (const std::string& name : {filter.symbol, filter.symbol + "_batch"}) {
      if (!symbols.insert(name).second) return error("two filters would define the symbol '" + name + "'");
    }
    texts.push_back(ir::print(filter.function));
  }
  std::vector<module::TextFilter> named;
  named.reserve(filters.size());
  for (size_t i = 0; i < filters.size(); ++i) named.push_back({filters[i].symbol, texts[i]});
  std::string bytes;
  std::string problem;
  if (!state_->compiler->emit(named, output, bytes, problem)) return error(problem);
  return bytes;
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
