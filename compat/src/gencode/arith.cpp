// Arithmetic, packet access and relations.
#include "gencode/arith.h"

#include <string>

#include "bpfc/frontend/link_traits.h"
#include "bpfc/support/unreachable.h"
#include "gencode/access.h"
#include "gencode/linklayer.h"
#include "gencode/port.h"
#include "gencode/proto.h"

namespace bpfc::lower {

using namespace bpf;
using ast::Proto;

namespace {

// A value under construction: the statements computing it into scratch
// register `reg`, and the protocol checks that must pass first.
struct Arth {
  std::optional<Fragment> checks;
  std::vector<Stmt> stmts;
  int reg = -1;
};

void and_checks(Codegen& cg, std::optional<Fragment>& into, Fragment more) {
  into = into ? gen_and(cg, std::move(*into), std::move(more)) : std::move(more);
}

Arth gen_loadi(Codegen& cg, uint32_t value) {
  Arth a;
  a.reg = cg.alloc_reg();
  a.stmts = {stmt(kLd | kImm, value), stmt(kSt, static_cast<uint32_t>(a.reg))};
  return a;
}

Arth gen_loadlen(Codegen& cg) {
  Arth a;
  a.reg = cg.alloc_reg();
  a.stmts = {stmt(kLd | kLen), stmt(kSt, static_cast<uint32_t>(a.reg))};
  return a;
}

// X = the index (plus the variable part of `base`, if any).
std::vector<Stmt> index_to_x(Codegen& cg, AbsOffset& base, const Arth& index) {
  std::vector<Stmt> s = load_offset_varpart(cg, base);
  if (!s.empty()) {
    s.push_back(stmt(kLd | kMem, static_cast<uint32_t>(index.reg)));
    s.push_back(stmt(kAlu | kAdd | kX));
    s.push_back(stmt(kMisc | kTax));
  } else {
    s.push_back(stmt(kLdx | kMem, static_cast<uint32_t>(index.reg)));
  }
  return s;
}

bool is_network_proto(Proto p) {
  switch (p) {
    case Proto::Ip:
    case Proto::Arp:
    case Proto::Rarp:
    case Proto::Atalk:
    case Proto::Decnet:
    case Proto::Sca:
    case Proto::Lat:
    case Proto::Moprc:
    case Proto::Mopdl:
    case Proto::Ip6: return true;
    default: return false;
  }
}

bool is_transport_proto(Proto p) {
  switch (p) {
    case Proto::Sctp:
    case Proto::Tcp:
    case Proto::Udp:
    case Proto::Icmp:
    case Proto::Igmp:
    case Proto::Igrp:
    case Proto::Pim:
    case Proto::Vrrp:
    case Proto::Carp: return true;
    default: return false;
  }
}

// `proto[index:size]`: replaces the index value by the loaded field.
Arth gen_load(Codegen& cg, Proto proto, Arth inst, uint32_t size) {
  const int reg = cg.alloc_reg();
  cg.free_reg(inst.reg);
  if (size != 1 && size != 2 && size != 4) cg.fail("data size must be 1, 2, or 4");
  const int sz = size_field(size);
  Layout& l = cg.layout();
  if (proto == Proto::Link) {
    require_link_header(cg);
    std::vector<Stmt> s = index_to_x(cg, l.off_linkhdr, inst);
    s.push_back(stmt(kLd | kInd | sz, l.off_linkhdr.constant_part));
    append(inst.stmts, s);
  } else if (is_network_proto(proto)) {
    require_link_layer(cg);
    std::vector<Stmt> s = index_to_x(cg, l.off_linkpl, inst);
    s.push_back(stmt(kLd | kInd | sz, l.off_linkpl.constant_part + l.off_nl));
    append(inst.stmts, s);
    and_checks(cg, inst.checks, gen_proto_abbrev(cg, proto));
  } else if (is_transport_proto(proto)) {
    require_link_layer(cg);
    // Relative to the transport header after an IPv4 header of any length.
    std::vector<Stmt> s = loadx_iphdrlen(cg);
    s.push_back(stmt(kLd | kMem, static_cast<uint32_t>(inst.reg)));
    s.push_back(stmt(kAlu | kAdd | kX));
    s.push_back(stmt(kMisc | kTax));
    s.push_back(stmt(kLd | kInd | sz, l.off_linkpl.constant_part + l.off_nl));
    append(inst.stmts, s);
    // The protocol, then "not a later fragment"; the index's own checks
    // before those, and IPv4 before everything.
    Fragment is_proto = gen_proto_abbrev(cg, proto);
    Fragment b = gen_and(cg, std::move(is_proto), gen_ipfrag(cg));
    if (inst.checks) b = gen_and(cg, std::move(*inst.checks), std::move(b));
    Fragment ipv4 = gen_proto_abbrev(cg, Proto::Ip);
    inst.checks = gen_and(cg, std::move(ipv4), std::move(b));
  } else if (proto == Proto::Icmp6) {
    require_link_layer(cg);
    and_checks(cg, inst.checks, gen_proto_abbrev(cg, Proto::Ip6));
    and_checks(cg, inst.checks, gen_cmp(cg, OffRel::LinkPl, 6, kB, 58));
    std::vector<Stmt> s = index_to_x(cg, l.off_linkpl, inst);
    s.push_back(stmt(kLd | kInd | sz, l.off_linkpl.constant_part + l.off_nl + 40));
    append(inst.stmts, s);
  } else if (proto == Proto::Radio) {
    // Offsets count from the start of the packet, where the radio header
    // of these link types is.
    if (!sema::link_traits(l.linktype).has(sema::kRadioHeader)) cg.fail("radio information not present in capture");
    append(inst.stmts, {stmt(kLdx | kMem, static_cast<uint32_t>(inst.reg)), stmt(kLd | kInd | sz, 0)});
  } else {
    cg.fail("unsupported index operation");
  }
  inst.reg = reg;
  inst.stmts.push_back(stmt(kSt, static_cast<uint32_t>(reg)));
  return inst;
}

int alu_code(ast::ArithOp op) {
  switch (op) {
    case ast::ArithOp::Add: return kAdd;
    case ast::ArithOp::Sub: return kSub;
    case ast::ArithOp::Mul: return kMul;
    case ast::ArithOp::Div: return kDiv;
    case ast::ArithOp::Mod: return kMod;
    case ast::ArithOp::And: return kAnd;
    case ast::ArithOp::Or: return kOr;
    case ast::ArithOp::Xor: return kXor;
    case ast::ArithOp::Shl: return kLsh;
    case ast::ArithOp::Shr: return kRsh;
  }
  BPFC_UNREACHABLE("an arithmetic operator of no known kind");
}

Arth gen_arth(Codegen& cg, int code, Arth a0, Arth a1) {
  // libpcap looks only at the first statement of the right operand: a
  // literal zero divisor (or a literal over-wide shift) is refused even
  // when more follows it, e.g. `x / (0 + 5)`.
  const Stmt& first = a1.stmts.front();
  const bool literal = first.code == (kLd | kImm);
  if (code == kDiv && literal && first.k == 0) cg.fail("division by zero");
  if (code == kMod && literal && first.k == 0) cg.fail("modulus by zero");
  if ((code == kLsh || code == kRsh) && literal && first.k > 31) {
    cg.fail("shift by more than 31 bits");
  }
  append(a0.stmts, a1.stmts);
  a0.stmts.push_back(stmt(kLdx | kMem, static_cast<uint32_t>(a1.reg)));
  a0.stmts.push_back(stmt(kLd | kMem, static_cast<uint32_t>(a0.reg)));
  a0.stmts.push_back(stmt(kAlu | kX | code));
  cg.free_reg(a0.reg);
  cg.free_reg(a1.reg);
  a0.reg = cg.alloc_reg();
  a0.stmts.push_back(stmt(kSt, static_cast<uint32_t>(a0.reg)));
  // The right operand's protocol checks are dropped, as libpcap does.
  return a0;
}

Arth gen_neg(Arth a) {
  a.stmts.push_back(stmt(kLd | kMem, static_cast<uint32_t>(a.reg)));
  a.stmts.push_back(stmt(kAlu | kNeg));
  a.stmts.push_back(stmt(kSt, static_cast<uint32_t>(a.reg)));
  return a;
}

const ast::Arith& operand(Codegen& cg, const ast::ArithPtr& a) {
  if (!a) cg.fail("syntax error in filter expression");
  return *a;
}

Arth lower_arith(Codegen& cg, const ast::Arith& e) {
  const SourceSpan outer = cg.span();
  cg.set_span(e.span);
  Arth result = std::visit(
      [&](const auto& n) -> Arth {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::ArithNumber>) {
          return gen_loadi(cg, n.value);
        } else if constexpr (std::is_same_v<T, ast::ArithLen>) {
          return gen_loadlen(cg);
        } else if constexpr (std::is_same_v<T, ast::PacketAccess>) {
          Arth index = lower_arith(cg, operand(cg, n.index));
          cg.set_span(e.span);
          return gen_load(cg, n.proto, std::move(index), n.size);
        } else if constexpr (std::is_same_v<T, ast::ArithBinary>) {
          Arth lhs = lower_arith(cg, operand(cg, n.lhs));
          Arth rhs = lower_arith(cg, operand(cg, n.rhs));
          cg.set_span(e.span);
          return gen_arth(cg, alu_code(n.op), std::move(lhs), std::move(rhs));
        } else {
          return gen_neg(lower_arith(cg, operand(cg, n.operand)));
        }
      },
      e.node);
  cg.set_span(outer);
  return result;
}

}  // namespace

RelopJump relop_jump(std::optional<ast::RelOp> op) {
  if (!op) return {kJeq, false};
  switch (*op) {
    case ast::RelOp::Gt: return {kJgt, false};
    case ast::RelOp::Ge: return {kJge, false};
    case ast::RelOp::Eq: return {kJeq, false};
    case ast::RelOp::Le: return {kJgt, true};
    case ast::RelOp::Lt: return {kJge, true};
    case ast::RelOp::Ne: return {kJeq, true};
  }
  return {kJeq, false};
}

Fragment gen_relation(Codegen& cg, const ast::Relation& rel) {
  Arth a0 = lower_arith(cg, rel.lhs);
  Arth a1 = lower_arith(cg, rel.rhs);
  const auto [jtype, reversed] = relop_jump(rel.op);
  std::vector<Stmt> s = std::move(a0.stmts);
  append(s, a1.stmts);
  s.push_back(stmt(kLdx | kMem, static_cast<uint32_t>(a1.reg)));
  s.push_back(stmt(kLd | kMem, static_cast<uint32_t>(a0.reg)));
  Fragment b;
  if (jtype == kJeq) {
    // Equality is tested as a0 - a1 == 0.
    s.push_back(stmt(kAlu | kSub | kX));
    b = cg.test(kJmp | kJeq | kK, 0, std::move(s));
  } else {
    b = cg.test(kJmp | jtype | kX, 0, std::move(s));
  }
  if (reversed) b = gen_not(std::move(b));
  cg.free_reg(a0.reg);
  cg.free_reg(a1.reg);
  std::optional<Fragment> checks;
  if (a0.checks) {
    checks = std::move(a0.checks);
    if (a1.checks) checks = gen_and(cg, std::move(*checks), std::move(*a1.checks));
  } else {
    checks = std::move(a1.checks);
  }
  if (checks) return gen_and(cg, std::move(*checks), std::move(b));
  return b;
}

Fragment gen_less(Codegen& cg, uint32_t length) {
  return gen_not(cg.test(kJmp | kJgt | kK, length, {stmt(kLd | kLen)}));
}

Fragment gen_greater(Codegen& cg, uint32_t length) {
  return cg.test(kJmp | kJge | kK, length, {stmt(kLd | kLen)});
}

Fragment gen_byteop(Codegen& cg, const ast::Byte& byte) {
  switch (byte.op) {
    case ast::ByteOp::Eq: return gen_cmp(cg, OffRel::LinkHdr, byte.offset, kB, byte.value);
    case ast::ByteOp::Lt: return gen_cmp_lt(cg, OffRel::LinkHdr, byte.offset, kB, byte.value);
    case ast::ByteOp::Gt: return gen_cmp_gt(cg, OffRel::LinkHdr, byte.offset, kB, byte.value);
    case ast::ByteOp::And:
    case ast::ByteOp::Or: {
      // `byte N & V` is true when the byte at N of the link-layer header,
      // masked (or or-ed) with V, is not 0: libpcap's semantics since it
      // loads the byte first. libpcap 1.10.3 forgets the load and applies
      // the operation to whatever the accumulator holds, a value its own
      // optimizer changes (its -O and -O0 programs disagree); bpfc follows
      // the fixed semantics, the only one with a stable meaning.
      const int op = byte.op == ast::ByteOp::And ? kAnd : kOr;
      std::vector<Stmt> s = load_a(cg, OffRel::LinkHdr, byte.offset, kB);
      s.push_back(stmt(kAlu | op | kK, byte.value));
      return gen_not(cg.test(kJmp | kJeq | kK, 0, std::move(s)));
    }
  }
  BPFC_UNREACHABLE("a byte comparison of no known kind");
}

}  // namespace bpfc::lower
