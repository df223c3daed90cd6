// Header-relative loads and comparisons.
#include "gencode/access.h"

namespace bpfc::lower {

using namespace bpf;

std::vector<Stmt> load_offset_varpart(Codegen& cg, AbsOffset& off) {
  if (!off.is_variable) return {};
  if (off.reg == -1) off.reg = cg.alloc_reg();
  return {stmt(kLdx | kMem, static_cast<uint32_t>(off.reg))};
}

namespace {

std::vector<Stmt> load_from(Codegen& cg, AbsOffset& base, uint32_t offset, int size) {
  std::vector<Stmt> s = load_offset_varpart(cg, base);
  if (!s.empty()) {
    s.push_back(stmt(kLd | kInd | size, base.constant_part + offset));
  } else {
    s.push_back(stmt(kLd | kAbs | size, base.constant_part + offset));
  }
  return s;
}

}  // namespace

std::vector<Stmt> loadx_iphdrlen(Codegen& cg) {
  Layout& l = cg.layout();
  std::vector<Stmt> s = load_offset_varpart(cg, l.off_linkpl);
  if (!s.empty()) {
    // X holds the variable prefix: A = 4 * (ip[0] & 0xf) + X, then X = A.
    s.push_back(stmt(kLd | kInd | kB, l.off_linkpl.constant_part + l.off_nl));
    s.push_back(stmt(kAlu | kAnd | kK, 0xf));
    s.push_back(stmt(kAlu | kLsh | kK, 2));
    s.push_back(stmt(kAlu | kAdd | kX));
    s.push_back(stmt(kMisc | kTax));
  } else {
    s.push_back(stmt(kLdx | kMsh | kB, l.off_linkpl.constant_part + l.off_nl));
  }
  return s;
}

std::vector<Stmt> load_a(Codegen& cg, OffRel rel, uint32_t offset, int size) {
  Layout& l = cg.layout();
  switch (rel) {
    case OffRel::Packet: return {stmt(kLd | kAbs | size, offset)};
    case OffRel::LinkHdr: return load_from(cg, l.off_linkhdr, offset, size);
    case OffRel::PrevLinkHdr: return load_from(cg, l.off_prevlinkhdr, offset, size);
    case OffRel::Llc: return load_from(cg, l.off_linkpl, offset, size);
    case OffRel::PrevMplsHdr: return load_from(cg, l.off_linkpl, l.off_nl - 4 + offset, size);
    case OffRel::LinkPl: return load_from(cg, l.off_linkpl, l.off_nl + offset, size);
    case OffRel::LinkPlNoSnap: return load_from(cg, l.off_linkpl, l.off_nl_nosnap + offset, size);
    case OffRel::LinkType: return load_from(cg, l.off_linktype, offset, size);
    case OffRel::TranIpv4: {
      std::vector<Stmt> s = loadx_iphdrlen(cg);
      s.push_back(stmt(kLd | kInd | size, l.off_linkpl.constant_part + l.off_nl + offset));
      return s;
    }
    case OffRel::TranIpv6: return load_from(cg, l.off_linkpl, l.off_nl + 40 + offset, size);
  }
  return {};
}

Fragment gen_ncmp(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t mask, int jtype, bool reverse,
                  uint32_t v) {
  std::vector<Stmt> s = load_a(cg, rel, offset, size);
  if (mask != 0xffffffffu) s.push_back(stmt(kAlu | kAnd | kK, mask));
  Fragment f = cg.test(kJmp | jtype | kK, v, std::move(s));
  if (reverse) f = gen_not(std::move(f));
  return f;
}

Fragment gen_cmp(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v) {
  return gen_ncmp(cg, rel, offset, size, 0xffffffffu, kJeq, false, v);
}
Fragment gen_cmp_gt(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v) {
  return gen_ncmp(cg, rel, offset, size, 0xffffffffu, kJgt, false, v);
}
Fragment gen_cmp_ge(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v) {
  return gen_ncmp(cg, rel, offset, size, 0xffffffffu, kJge, false, v);
}
Fragment gen_cmp_lt(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v) {
  return gen_ncmp(cg, rel, offset, size, 0xffffffffu, kJge, true, v);
}
Fragment gen_cmp_le(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v) {
  return gen_ncmp(cg, rel, offset, size, 0xffffffffu, kJgt, true, v);
}
Fragment gen_mcmp(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v, uint32_t mask) {
  return gen_ncmp(cg, rel, offset, size, mask, kJeq, false, v);
}

Fragment gen_bcmp(Codegen& cg, OffRel rel, uint32_t offset, std::span<const uint8_t> bytes) {
  auto be = [&](size_t at, size_t n) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | bytes[at + i];
    return v;
  };
  size_t size = bytes.size();
  Fragment result;
  bool have = false;
  auto chain = [&](Fragment piece) {
    result = have ? gen_and(cg, std::move(result), std::move(piece)) : std::move(piece);
    have = true;
  };
  while (size >= 4) {
    chain(gen_cmp(cg, rel, offset + static_cast<uint32_t>(size - 4), kW, be(size - 4, 4)));
    size -= 4;
  }
  while (size >= 2) {
    chain(gen_cmp(cg, rel, offset + static_cast<uint32_t>(size - 2), kH, be(size - 2, 2)));
    size -= 2;
  }
  if (size > 0) chain(gen_cmp(cg, rel, offset, kB, bytes[0]));
  return result;
}

Fragment gen_jset(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t mask) {
  return cg.test(kJmp | kJset | kK, mask, load_a(cg, rel, offset, size));
}

Fragment gen_true(Codegen& cg) { return cg.test(kJmp | kJeq | kK, 0, {stmt(kLd | kImm, 0)}); }
Fragment gen_false(Codegen& cg) { return cg.test(kJmp | kJeq | kK, 0, {stmt(kLd | kImm, 1)}); }

}  // namespace bpfc::lower
