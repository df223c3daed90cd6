// The code generator's state while lowering one filter: the block program
// under construction, predicate fragments with pending exits (libpcap's
// backpatching scheme), scratch-register allocation, and the current view of
// the packet layout, which `vlan`, `mpls`, `pppoes` and `geneve` change for
// everything lowered after them (libpcap's documented, textual-order rule).
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bpfc/compat/lower.h"
#include "bpfc/support/diagnostic.h"
#include "gencode/machine.h"

namespace bpfc::lower {

// Thrown from deep inside the generator for what libpcap reports with
// bpf_error(); caught once, in lower_filter(), and turned into a Diagnostic.
class LowerError : public std::exception {
 public:
  explicit LowerError(Diagnostic d) : diagnostic_(std::move(d)) {}
  const char* what() const noexcept override { return diagnostic_.message.c_str(); }
  const Diagnostic& diagnostic() const { return diagnostic_; }

 private:
  Diagnostic diagnostic_;
};

// A predicate under construction: control enters at `head`; the listed jump
// slots are still unresolved and will lead to wherever the predicate is
// true / false once the enclosing expression is known.
struct Exit {
  int block;
  bool jt;  // the jt slot of the block (otherwise its jf slot)
};
struct Fragment {
  int head = kNoBlock;
  std::vector<Exit> on_true;
  std::vector<Exit> on_false;
};

// An offset from the start of the packet: a constant, plus optionally a
// run-time part kept in a scratch register (libpcap's bpf_abs_offset).
struct AbsOffset {
  bool is_variable = false;
  uint32_t constant_part = 0;
  int reg = -1;  // scratch register of the variable part, once assigned
};

inline constexpr uint32_t kOffsetNotSet = 0xffffffffu;

// Where the headers are, as libpcap's compiler state tracks it.
struct Layout {
  uint32_t linktype = 0;  // link layer currently being decoded
  uint32_t prevlinktype = 0;
  uint32_t outermostlinktype = 0;  // the capture's link type
  AbsOffset off_linkhdr;
  AbsOffset off_prevlinkhdr;
  AbsOffset off_outermostlinkhdr;
  AbsOffset off_linkpl;        // link-layer payload
  AbsOffset off_linktype;      // the field naming the payload protocol
  uint32_t off_nl = 0;         // network layer, relative to off_linkpl
  uint32_t off_nl_nosnap = 0;  // the same for 802.2 without SNAP
  unsigned label_stack_depth = 0;
  unsigned vlan_stack_depth = 0;
  // `vlan` on a live Linux capture made the payload and link-type offsets
  // variable: their registers start at 0 (libpcap's is_vlan_vloffset).
  bool is_vlan_vloffset = false;
  bool is_geneve = false;
  bool is_vxlan = false;
  bool modelled = false;  // the lowering knows this link layer
  // off_linkhdr is known (link[N] works): on every modelled link layer, and
  // on most others, whose header starts at a fixed offset.
  bool link_header_known = false;
};

class Codegen {
 public:
  explicit Codegen(const LowerOptions& options) : options_(options) {}

  const LowerOptions& options() const { return options_; }
  const NameResolver& resolver() const { return *options_.resolver; }
  MachineProgram& program() { return program_; }
  Layout& layout() { return layout_; }

  // ---- blocks and fragments ----
  int new_block(int jump_code, uint32_t k, std::vector<Stmt> stmts = {});
  MachineBlock& block(int id) { return program_.blocks[static_cast<size_t>(id)]; }
  // A fragment made of one new conditional block: true when its jump holds.
  Fragment test(int jump_code, uint32_t k, std::vector<Stmt> stmts);
  // Resolves every listed exit to `target`.
  void patch(const std::vector<Exit>& exits, int target);

  // ---- scratch registers (libpcap allocates round-robin) ----
  int alloc_reg();
  void free_reg(int reg);

  // ---- errors ----
  // The span errors are attributed to: the AST node being lowered.
  void set_span(SourceSpan span) { span_ = span; }
  SourceSpan span() const { return span_; }
  void set_source(std::string_view text) { source_ = text; }
  // The filter text of the current span (the construct being lowered).
  std::string_view span_text() const;
  [[noreturn]] void fail(std::string message) const;

  void disable_optimizer() { program_.no_optimize = true; }

 private:
  const LowerOptions& options_;
  MachineProgram program_;
  Layout layout_;
  bool regused_[bpf::kMemWords] = {};
  int curreg_ = 0;
  SourceSpan span_;
  std::string_view source_;
};

// libpcap's gen_and / gen_or / gen_not: `a` is always evaluated first.
Fragment gen_and(Codegen& cg, Fragment a, Fragment b);
Fragment gen_or(Codegen& cg, Fragment a, Fragment b);
Fragment gen_not(Fragment f);

inline Stmt stmt(int code, uint32_t k = 0) { return Stmt{code, k}; }
inline void append(std::vector<Stmt>& to, const std::vector<Stmt>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace bpfc::lower
