// MTP2 signal units and MTP3 routing-label fields, at the offsets libpcap's
// init_linktype() gives each SS7 link type.
#include "gencode/ss7.h"

#include <optional>
#include <string>

#include "gencode/access.h"
#include "gencode/arith.h"
#include "gencode/linklayer.h"

namespace bpfc::lower {

using namespace bpf;

namespace {

// Where the fields are, from the start of the packet (the MTP2 flag octet is
// not captured). The high-speed (Annex A) signal units have 12-bit sequence
// numbers: their length indicator is 9 bits at off_li_hsl, and every MTP3
// field is 3 bytes further on.
struct Ss7Offsets {
  uint32_t li, li_hsl, sio, opc, dpc, sls;
};

std::optional<Ss7Offsets> ss7_offsets(uint32_t linktype) {
  switch (linktype) {
    case dlt::kMtp2: return Ss7Offsets{2, 4, 3, 4, 4, 7};
    // A 4-byte pseudo-header first.
    case dlt::kMtp2WithPhdr: return Ss7Offsets{6, 8, 7, 8, 8, 11};
    // The ERF record header (16 bytes) and the MTP2 extension header first.
    case dlt::kErf: return Ss7Offsets{22, 24, 23, 24, 24, 27};
    default: return std::nullopt;
  }
}

constexpr uint32_t kHslExtra = 3;
// Length indicator masks: 6 bits in the low-speed byte, 9 bits in the
// high-speed halfword (its top bits, as read big-endian).
constexpr uint32_t kLiMask = 0x3f, kLiHslMask = 0xff80;
// The halfword values of high-speed length indicators of 1 and 2.
constexpr uint32_t kLiHslOne = 0x0080, kLiHslTwo = 0x0100;
constexpr uint32_t kSioMax = 0xff, kPointCodeMax = 0x3fff, kSlsMax = 0xf;

uint32_t swap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}
uint32_t swap16(uint32_t v) { return ((v >> 8) & 0xffu) | ((v & 0xffu) << 8); }

std::string keyword_name(ast::MtpKeyword k) {
  using K = ast::MtpKeyword;
  switch (k) {
    case K::Fisu: return "fisu";
    case K::Lssu: return "lssu";
    case K::Msu: return "msu";
    case K::Hfisu: return "hfisu";
    case K::Hlssu: return "hlssu";
    case K::Hmsu: return "hmsu";
    case K::Sio: return "sio";
    case K::Opc: return "opc";
    case K::Dpc: return "dpc";
    case K::Sls: return "sls";
    case K::Hsio: return "hsio";
    case K::Hopc: return "hopc";
    case K::Hdpc: return "hdpc";
    case K::Hsls: return "hsls";
  }
  return "mtp";
}

void check_max(Codegen& cg, const std::string& name, uint32_t value, uint32_t max) {
  if (value > max) {
    cg.fail(name + " " + std::to_string(value) + " greater than maximum " + std::to_string(max));
  }
}

// A length indicator of 1 or 2 (an LSSU): libpcap tests `li > 0 and li <= 2`
// with two loads; the same verdicts, truncated packets included, come from
// one load and the unsigned `li - 1 < 2` (`one` is the field's value of 1).
Fragment gen_length_1_or_2(Codegen& cg, uint32_t offset, int size, uint32_t mask, uint32_t one) {
  std::vector<Stmt> s = load_a(cg, OffRel::Packet, offset, size);
  s.push_back(stmt(kAlu | kAnd | kK, mask));
  s.push_back(stmt(kAlu | kSub | kK, one));
  return gen_not(cg.test(kJmp | kJge | kK, 2 * one, std::move(s)));
}

// A signal unit kind, by its length indicator: 0 for FISU, 1 or 2 for LSSU,
// more for MSU.
Fragment gen_signal_unit(Codegen& cg, const Ss7Offsets& o, ast::MtpKeyword k) {
  using K = ast::MtpKeyword;
  switch (k) {
    case K::Fisu: return gen_ncmp(cg, OffRel::Packet, o.li, kB, kLiMask, kJeq, false, 0);
    case K::Lssu: return gen_length_1_or_2(cg, o.li, kB, kLiMask, 1);
    case K::Msu: return gen_ncmp(cg, OffRel::Packet, o.li, kB, kLiMask, kJgt, false, 2);
    case K::Hfisu: return gen_ncmp(cg, OffRel::Packet, o.li_hsl, kH, kLiHslMask, kJeq, false, 0);
    case K::Hlssu: return gen_length_1_or_2(cg, o.li_hsl, kH, kLiHslMask, kLiHslOne);
    case K::Hmsu: return gen_ncmp(cg, OffRel::Packet, o.li_hsl, kH, kLiHslMask, kJgt, false, kLiHslTwo);
    default: break;
  }
  cg.fail("syntax error in filter expression");
}

}  // namespace

Fragment gen_mtp(Codegen& cg, const ast::Mtp& mtp) {
  using K = ast::MtpKeyword;
  const std::string name = keyword_name(mtp.keyword);
  std::optional<Ss7Offsets> o = ss7_offsets(cg.layout().linktype);
  if (!o) cg.fail("'" + name + "' supported only on SS7");
  if (!mtp.value) return gen_signal_unit(cg, *o, mtp.keyword);
  const uint32_t v = *mtp.value;
  const auto [jump, reverse] = relop_jump(mtp.op);
  // MTP3 is little-endian and its diagrams read right to left: the routing
  // label (DPC in the low 14 bits, then OPC, then SLS) is shifted and masked
  // as a number, then byte-swapped for the big-endian loads.
  switch (mtp.keyword) {
    case K::Sio:
    case K::Hsio: {
      check_max(cg, name, v, kSioMax);
      const uint32_t off = o->sio + (mtp.keyword == K::Hsio ? kHslExtra : 0);
      return gen_ncmp(cg, OffRel::Packet, off, kB, 0xffffffffu, jump, reverse, v);
    }
    case K::Opc:
    case K::Hopc: {
      check_max(cg, name, v, kPointCodeMax);
      const uint32_t off = o->opc + (mtp.keyword == K::Hopc ? kHslExtra : 0);
      return gen_ncmp(cg, OffRel::Packet, off, kW, swap32(kPointCodeMax << 14), jump, reverse, swap32(v << 14));
    }
    case K::Dpc:
    case K::Hdpc: {
      check_max(cg, name, v, kPointCodeMax);
      const uint32_t off = o->dpc + (mtp.keyword == K::Hdpc ? kHslExtra : 0);
      return gen_ncmp(cg, OffRel::Packet, off, kH, swap16(kPointCodeMax), jump, reverse, swap16(v));
    }
    case K::Sls:
    case K::Hsls: {
      check_max(cg, name, v, kSlsMax);
      const uint32_t off = o->sls + (mtp.keyword == K::Hsls ? kHslExtra : 0);
      return gen_ncmp(cg, OffRel::Packet, off, kB, kSlsMax << 4, jump, reverse, v << 4);
    }
    default: break;
  }
  cg.fail("syntax error in filter expression");
}

}  // namespace bpfc::lower
