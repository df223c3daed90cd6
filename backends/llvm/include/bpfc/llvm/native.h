// Native code through LLVM: the IR as an LLVM function
//     uint32_t NAME(const uint8_t *packet, uint32_t caplen, uint32_t wirelen)
// with exactly the IR contract's semantics (a load past caplen, a division by
// zero and a protochain walk that never ends return 0 from the whole filter;
// shifts by 32 or more give 0; `len` is wirelen), and a batch form
//     void NAME_batch(const struct bpfc_packet *packets, uint32_t count, uint32_t *verdicts)
// that runs it on `count` packets in one call. Emitted as LLVM IR, assembly or
// an object file (ahead of time, for programs that link it) or loaded into
// this process (exec's `jit` engine, through native_jit.h). LLVM itself is in
// bpfc's LLVM module, which these functions load when they first need it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::native {

// The symbol a filter gets unless told otherwise.
inline constexpr std::string_view kDefaultSymbol = "bpfc_filter";

// Where the code runs and how it is made.
struct MachineOptions {
  std::string triple;  // empty: this host's
  std::string cpu;     // empty: a generic CPU of the triple ("native": this host's)
  // Position-independent code (Debian links executables as PIE); the JIT
  // does not need it.
  bool position_independent = true;
  // LLVM's optimization level for the IR and for code generation (0..3).
  unsigned opt_level = 2;
  // Instead of LLVM's whole -O pipeline, a short list of passes (inlining
  // into the batch loop, instruction combining, CFG simplification, which
  // forms the switches, common subexpressions): bpfc's IR comes optimized,
  // and a JIT's compile time counts.
  bool short_pipeline = false;
  // LLVM's fast instruction selector in place of SelectionDAG (the register
  // allocator stays the optimizing one): code generation in about half the
  // time, for code 6-8 % slower (native_jit.h; make bench-native).
  bool fast_instruction_selection = false;
};

// One filter of an object: its function's name and its (optimized) IR.
struct NamedFilter {
  std::string symbol;
  ir::Function function;
};

enum class NativeOutput : uint8_t { LlvmIr, Assembly, Object };

// Whether `symbol` can name a filter: a C identifier, whose `_batch` form is
// one too. nullopt when it can; otherwise why not, in words for people.
std::optional<std::string> check_symbol(std::string_view symbol);

// The filters, each as its function and batch function, in one module made
// into `output`. Errors: an IR the target cannot take (kernel metadata, which
// has no place in a native function's arguments), an unknown triple or CPU,
// two filters of the same symbol.
Result<std::string> emit(const std::vector<NamedFilter>& filters, NativeOutput output,
                         const MachineOptions& machine);

// emit() for many modules in a row: LLVM's target machine (the host CPU's
// name and features, the subtarget's tables) is made once and reused, which
// takes a fixed cost off every compile after the first. One thread at a time.
class Compiler {
 public:
  static Result<Compiler> make(const MachineOptions& machine);
  Result<std::string> emit(const std::vector<NamedFilter>& filters, NativeOutput output);

  Compiler(Compiler&&) noexcept;
  Compiler& operator=(Compiler&&) noexcept;
  ~Compiler();

 private:
  struct State;
  explicit Compiler(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The C declarations of the filters' functions (and of struct bpfc_packet),
// for C and C++ programs that link the object.
std::string c_header(const std::vector<std::string>& symbols);

// The layout of struct bpfc_packet, which is exec::PacketView's.
struct Packet {
  const uint8_t* data;
  uint32_t caplen;
  uint32_t wirelen;
};
using FilterFunction = uint32_t (*)(const uint8_t* packet, uint32_t caplen, uint32_t wirelen);
using BatchFunction = void (*)(const Packet* packets, uint32_t count, uint32_t* verdicts);

}  // namespace bpfc::native
