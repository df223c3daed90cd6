// Loads and stores, each checked against the region its pointer belongs to:
// the stack (aligned, read only where written, pointers spilled whole), the
// packet (read-only here), the context's modelled fields (read-only).
#include <algorithm>

#include "machine.h"
#include "opcodes.h"

namespace bpfc::runtime::ebpf_vm {

using namespace bpfc::ebpf;

namespace {

uint64_t load_le(const uint8_t* p, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

// A pointer's offset plus an instruction's, wrapping like the machine would
// (no signed overflow for pointers pushed far out by arithmetic).
int64_t plus(const Value& base, int16_t off) {
  return static_cast<int64_t>(base.bits + static_cast<uint64_t>(static_cast<int64_t>(off)));
}

std::string signed_text(int64_t v) { return (v >= 0 ? "+" : "") + std::to_string(v); }

// The stack index of an access of `size` bytes at r10 + `offset`, checked.
Fault stack_access(int64_t offset, uint64_t size, bool aligned, size_t& first) {
  if (offset < -kStackSize || offset >= 0 || size > static_cast<uint64_t>(-offset))
    return "stack access of " + std::to_string(size) + " bytes at r10" + signed_text(offset) +
           " is outside the stack (r10-512 to r10)";
  if (aligned && offset % static_cast<int64_t>(size) != 0)
    return "misaligned stack access of " + std::to_string(size) + " bytes at r10" + signed_text(offset);
  first = static_cast<size_t>(kStackSize + offset);
  return std::nullopt;
}

// Forgets the pointers spilled to the slots [first, first + size) touches;
// their other bytes become unreadable, as they would otherwise read as a part
// of a pointer.
void clobber_spills(Machine& m, size_t first, uint64_t size) {
  for (size_t slot = first / 8; slot * 8 < first + size; ++slot) {
    if (m.spilled[slot].kind == Kind::Uninit) continue;
    m.spilled[slot] = Value{};
    std::fill_n(m.written.begin() + static_cast<std::ptrdiff_t>(slot * 8), 8, false);
  }
}

struct Field {
  int16_t offset;
  const char* name;
};

Fault context_load(Machine& m, const Insn& insn, Value& out) {
  const EbpfContext& ctx = *m.context;
  const unsigned size = size_bytes(op_size(insn.code));
  const int16_t off = insn.off;
  const bool skb_hook = ctx.hook == Hook::Socket || ctx.hook == Hook::Tc;
  const std::string where = std::string(skb_hook ? "__sk_buff" : "xdp_md") + " at offset " + std::to_string(off);
  if (off < 0 || off % static_cast<int>(size) != 0 || size == 8)
    return "context read of " + std::to_string(size) + " bytes at offset " + std::to_string(off) +
           " (context reads are 1, 2 or 4 aligned bytes of one field)";
  const int16_t field = static_cast<int16_t>(off & ~3);
  uint32_t value = 0;
  bool is_data = false, is_end = false;
  if (skb_hook) {
    const uint64_t len = ctx.packet.size();
    switch (field) {
      case skb::kLen:
        value = ctx.skb.len.value_or(static_cast<uint32_t>(len));
        break;
      case skb::kPktType:
        value = ctx.skb.pkt_type;
        break;
      case skb::kProtocol:
        value = static_cast<uint16_t>((ctx.skb.ethertype >> 8) | (ctx.skb.ethertype << 8));
        break;
      case skb::kVlanPresent:
        value = ctx.skb.vlan_present;
        break;
      case skb::kVlanTci:
        value = ctx.skb.vlan_tci;
        break;
      case skb::kIfindex:
        value = ctx.skb.ifindex;
        break;
      case skb::kData:
        is_data = true;
        break;
      case skb::kDataEnd:
        is_end = true;
        break;
      case skb::kWireLen:
        value = ctx.skb.wire_len.value_or(static_cast<uint32_t>(len));
        break;
      default:
        return "read of the " + where +
               ", a field this engine does not model (it models len, pkt_type, protocol, vlan_present, vlan_tci, "
               "ifindex, data, data_end, wire_len)";
    }
    if (ctx.hook == Hook::Socket && (is_data || is_end || field == skb::kWireLen))
      return "read of the " + where + " (data, data_end and wire_len are not readable in socket filters)";
  } else {
    switch (field) {
      case xdp_md::kData:
        is_data = true;
        break;
      case xdp_md::kDataEnd:
        is_end = true;
        break;
      case xdp_md::kIngressIfindex:
        value = ctx.ingress_ifindex;
        break;
      default:
        return "read of the " + where +
               ", a field this engine does not model (it models data, data_end, ingress_ifindex)";
    }
  }
  if (is_data || is_end) {
    if (size != 4)
      return "read of " + std::to_string(size) + " bytes of the " + where + " (data pointers are read whole, 4 bytes)";
    out = Value::pointer(is_data ? Kind::Packet : Kind::PacketEnd, 0);
    return std::nullopt;
  }
  const uint64_t shifted = static_cast<uint64_t>(value) >> (8 * (off - field));
  out = Value::scalar(size == 4 ? shifted : shifted & ((uint64_t{1} << (8 * size)) - 1));
  return std::nullopt;
}

}  // namespace

Fault stack_range(const Machine& m, const Value& pointer, uint64_t size, size_t& first) {
  (void)m;
  if (pointer.kind != Kind::Stack)
    return "the buffer is " + describe_kind(pointer.kind) + ", not a pointer to the stack";
  if (size == 0) return std::string("the buffer size is 0");
  return stack_access(pointer.offset(), size, false, first);
}

void helper_write_stack(Machine& m, size_t first, const uint8_t* bytes, uint64_t size) {
  clobber_spills(m, first, size);
  for (uint64_t i = 0; i < size; ++i) {
    m.stack[first + i] = bytes ? bytes[i] : 0;
    m.written[first + i] = true;
  }
}

Fault execute_load(Machine& m, const Insn& insn) {
  const unsigned size = size_bytes(op_size(insn.code));
  const Value base = m.regs[insn.src];
  Value& out = m.regs[insn.dst];
  switch (base.kind) {
    case Kind::Uninit:
    case Kind::Scalar:
    case Kind::PacketEnd:
      return "load through r" + std::to_string(insn.src) + ", which holds " + describe_kind(base.kind);
    case Kind::Ctx:
      if (base.offset() != 0)
        return "load through a modified context pointer (r" + std::to_string(insn.src) + " = ctx" +
               signed_text(base.offset()) + ")";
      return context_load(m, insn, out);
    case Kind::Packet: {
      const int64_t at = plus(base, insn.off);
      if (at < 0 || static_cast<uint64_t>(at) > m.packet_size() || m.packet_size() - static_cast<uint64_t>(at) < size)
        return "packet read of " + std::to_string(size) + " bytes at data" + signed_text(at) +
               " is outside the packet (" + std::to_string(m.packet_size()) + " bytes)";
      out = Value::scalar(load_le(m.context->packet.data() + at, size));
      return std::nullopt;
    }
    case Kind::Stack: {
      size_t first = 0;
      if (auto f = stack_access(plus(base, insn.off), size, true, first)) return f;
      const Value& spill = m.spilled[first / 8];
      if (spill.kind != Kind::Uninit) {
        if (size != 8)
          return "read of " + std::to_string(size) + " bytes of a pointer spilled to r10" +
                 signed_text(static_cast<int64_t>(first / 8 * 8) - kStackSize);
        out = spill;
        return std::nullopt;
      }
      for (unsigned i = 0; i < size; ++i)
        if (!m.written[first + i])
          return "read of the stack at r10" + signed_text(static_cast<int64_t>(first + i) - kStackSize) +
                 ", which was never written";
      out = Value::scalar(load_le(m.stack.data() + first, size));
      return std::nullopt;
    }
  }
  return std::string("unreachable load");
}

Fault execute_store(Machine& m, const Insn& insn) {
  const unsigned size = size_bytes(op_size(insn.code));
  const Value base = m.regs[insn.dst];
  Value value = Value::scalar(static_cast<uint64_t>(static_cast<int64_t>(insn.imm)));
  if (op_class(insn.code) == STX) {
    value = m.regs[insn.src];
    if (value.kind == Kind::Uninit)
      return "r" + std::to_string(insn.src) + " is read before anything was written to it";
  }
  if (base.kind != Kind::Stack)
    return "store through r" + std::to_string(insn.dst) + ", which holds " + describe_kind(base.kind) +
           (base.kind == Kind::Packet || base.kind == Kind::Ctx ? " (read-only in this engine)" : "");
  size_t first = 0;
  if (auto f = stack_access(plus(base, insn.off), size, true, first)) return f;
  clobber_spills(m, first, size);
  if (value.is_pointer()) {
    if (size != 8)
      return "store of " + std::to_string(size) + " bytes of " + describe_kind(value.kind) +
             " (pointers are spilled whole)";
    m.spilled[first / 8] = value;
    std::fill_n(m.stack.begin() + static_cast<std::ptrdiff_t>(first), 8, 0);
    std::fill_n(m.written.begin() + static_cast<std::ptrdiff_t>(first), 8, true);
    return std::nullopt;
  }
  for (unsigned i = 0; i < size; ++i) {
    m.stack[first + i] = static_cast<uint8_t>(value.bits >> (8 * i));
    m.written[first + i] = true;
  }
  return std::nullopt;
}

}  // namespace bpfc::runtime::ebpf_vm
