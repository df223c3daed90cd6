// Block creation, fragment composition and scratch registers.
#include "gencode/codegen.h"

namespace bpfc::lower {

int Codegen::new_block(int jump_code, uint32_t k, std::vector<Stmt> stmts) {
  MachineBlock b;
  b.stmts = std::move(stmts);
  b.jump = Stmt{jump_code, k};
  program_.blocks.push_back(std::move(b));
  return static_cast<int>(program_.blocks.size() - 1);
}

Fragment Codegen::test(int jump_code, uint32_t k, std::vector<Stmt> stmts) {
  int b = new_block(jump_code, k, std::move(stmts));
  return Fragment{b, {Exit{b, true}}, {Exit{b, false}}};
}

void Codegen::patch(const std::vector<Exit>& exits, int target) {
  for (const Exit& e : exits) {
    if (e.jt) {
      block(e.block).jt = target;
    } else {
      block(e.block).jf = target;
    }
  }
}

int Codegen::alloc_reg() {
  for (int tries = 0; tries < bpf::kMemWords; ++tries) {
    if (!regused_[curreg_]) {
      regused_[curreg_] = true;
      return curreg_;
    }
    curreg_ = (curreg_ + 1) % bpf::kMemWords;
  }
  fail("too many registers needed to evaluate expression");
}

void Codegen::free_reg(int reg) {
  if (reg >= 0 && reg < bpf::kMemWords) regused_[reg] = false;
}

std::string_view Codegen::span_text() const {
  if (span_.begin >= span_.end || span_.end > source_.size()) return {};
  return source_.substr(span_.begin, span_.end - span_.begin);
}

void Codegen::fail(std::string message) const { throw LowerError(Diagnostic{std::move(message), span_}); }

Fragment gen_and(Codegen& cg, Fragment a, Fragment b) {
  cg.patch(a.on_true, b.head);
  Fragment r;
  r.head = a.head;
  r.on_true = std::move(b.on_true);
  r.on_false = std::move(a.on_false);
  for (const Exit& e : b.on_false) r.on_false.push_back(e);
  return r;
}

Fragment gen_or(Codegen& cg, Fragment a, Fragment b) {
  cg.patch(a.on_false, b.head);
  Fragment r;
  r.head = a.head;
  r.on_true = std::move(a.on_true);
  for (const Exit& e : b.on_true) r.on_true.push_back(e);
  r.on_false = std::move(b.on_false);
  return r;
}

Fragment gen_not(Fragment f) {
  std::swap(f.on_true, f.on_false);
  return f;
}

}  // namespace bpfc::lower
