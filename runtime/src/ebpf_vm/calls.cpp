// The legacy packet loads (LD_ABS/LD_IND) and the helpers, as the kernel
// runs them (bpf_gen_ld_abs and the helpers in net/core/filter.c and
// kernel/trace/bpf_trace.c).
#include <array>

#include "machine.h"
#include "opcodes.h"

namespace bpfc::runtime::ebpf_vm {

using namespace bpfc::ebpf;

namespace {

constexpr int64_t kEfault = -14;
constexpr int64_t kEnomem = -12;
constexpr int64_t kErange = -34;

std::string reg(unsigned r) { return "r" + std::to_string(r); }

bool skb_hook(const Machine& m) { return m.context->hook == Hook::Socket || m.context->hook == Hook::Tc; }

Fault argument(const Machine& m, unsigned r, Kind want, Value& out) {
  out = m.regs[r];
  if (out.kind == Kind::Uninit) return reg(r) + " is read before anything was written to it";
  if (want == Kind::Ctx && (out.kind != Kind::Ctx || out.offset() != 0))
    return reg(r) + " must be the context pointer but holds " + describe_kind(out.kind) +
           (out.kind == Kind::Ctx ? " with an offset" : "");
  if (want == Kind::Scalar && out.kind != Kind::Scalar)
    return reg(r) + " must be a number but holds " + describe_kind(out.kind);
  return std::nullopt;
}

void clobber_arguments(Machine& m) {
  for (unsigned r = R1; r <= R5; ++r) m.regs[r] = Value{};
}

Fault skb_load_bytes(Machine& m, int64_t& result) {
  if (!skb_hook(m)) return std::string("bpf_skb_load_bytes needs an __sk_buff context (socket or tc programs)");
  Value ctx, offset, to, len;
  if (auto f = argument(m, R1, Kind::Ctx, ctx)) return f;
  if (auto f = argument(m, R2, Kind::Scalar, offset)) return f;
  if (auto f = argument(m, R3, Kind::Stack, to)) return f;
  if (auto f = argument(m, R4, Kind::Scalar, len)) return f;
  const uint64_t size = static_cast<uint32_t>(len.bits);
  size_t first = 0;
  if (auto f = stack_range(m, to, size, first)) return "bpf_skb_load_bytes: " + *f;
  const auto from = static_cast<uint32_t>(offset.bits);
  const std::span<const uint8_t> packet = m.context->packet;
  if (from > 0x7fffffffu || from > packet.size() || packet.size() - from < size) {
    helper_write_stack(m, first, nullptr, size);
    result = kEfault;
    return std::nullopt;
  }
  helper_write_stack(m, first, packet.data() + from, size);
  result = 0;
  return std::nullopt;
}

Fault skb_pull_data(Machine& m, int64_t& result) {
  if (m.context->hook != Hook::Tc) return std::string("bpf_skb_pull_data is available to tc programs only");
  Value ctx, len;
  if (auto f = argument(m, R1, Kind::Ctx, ctx)) return f;
  if (auto f = argument(m, R2, Kind::Scalar, len)) return f;
  // The whole packet is already linear here; asking for more than there is
  // fails as pskb_may_pull() does.
  result = static_cast<uint32_t>(len.bits) > m.packet_size() ? kEnomem : 0;
  // The verifier forgets every packet pointer after the call (the data may
  // have moved): using one again is an error, here a fault.
  for (Value& v : m.regs)
    if (v.kind == Kind::Packet || v.kind == Kind::PacketEnd) v = Value{};
  for (size_t slot = 0; slot < m.spilled.size(); ++slot)
    if (m.spilled[slot].kind == Kind::Packet || m.spilled[slot].kind == Kind::PacketEnd) {
      m.spilled[slot] = Value{};
      for (size_t i = 0; i < 8; ++i) m.written[slot * 8 + i] = false;
    }
  return std::nullopt;
}

// What bpf_probe_read_kernel returns for a number used as an address, as on
// x86-64: the user half and non-canonical addresses are refused with -ERANGE
// (copy_from_kernel_nofault_allowed); a kernel address is taken as unmapped
// (-EFAULT), since no kernel memory is modelled.
// With 4-level paging the upper canonical half starts at 0xffff800000000000.
int64_t probe_error(uint64_t address) {
  constexpr uint64_t kKernelStart = ~((uint64_t{1} << 47) - 1);
  return address < kKernelStart ? kErange : kEfault;
}

Fault probe_read_kernel(Machine& m, int64_t& result) {
  Value dst, size_value, src;
  if (auto f = argument(m, R1, Kind::Stack, dst)) return f;
  if (auto f = argument(m, R2, Kind::Scalar, size_value)) return f;
  if (auto f = argument(m, R3, Kind::Uninit, src)) return f;
  const uint64_t size = static_cast<uint32_t>(size_value.bits);
  result = 0;
  if (size == 0) return std::nullopt;  // the kernel allows a zero size and copies nothing
  size_t first = 0;
  if (auto f = stack_range(m, dst, size, first)) return "bpf_probe_read_kernel: " + *f;
  const std::span<const uint8_t> packet = m.context->packet;
  const int64_t from = src.offset();
  switch (src.kind) {
    case Kind::Packet:
      // Past the packet the kernel would read whatever follows it in memory;
      // here that memory does not exist.
      if (from < 0 || static_cast<uint64_t>(from) > packet.size() ||
          packet.size() - static_cast<uint64_t>(from) < size) {
        helper_write_stack(m, first, nullptr, size);
        result = kEfault;
        return std::nullopt;
      }
      helper_write_stack(m, first, packet.data() + from, size);
      return std::nullopt;
    case Kind::Stack: {
      size_t source = 0;
      if (auto f = stack_range(m, src, size, source)) return "bpf_probe_read_kernel: " + *f;
      std::array<uint8_t, kStackSize> copy{};
      for (uint64_t i = 0; i < size; ++i) {
        if (!m.written[source + i] || m.spilled[(source + i) / 8].kind != Kind::Uninit)
          return std::string("bpf_probe_read_kernel: the source on the stack was never written (or holds a pointer)");
        copy[i] = m.stack[source + i];
      }
      helper_write_stack(m, first, copy.data(), size);
      return std::nullopt;
    }
    case Kind::Scalar:
      helper_write_stack(m, first, nullptr, size);
      result = probe_error(src.bits);
      return std::nullopt;
    default:
      return "bpf_probe_read_kernel from " + describe_kind(src.kind) + ": the kernel memory behind it is not modelled";
  }
}

}  // namespace

Fault execute_legacy_load(Machine& m, const Insn& insn, bool& exit_now) {
  if (!skb_hook(m)) return std::string("LD_ABS/LD_IND exist only in socket filters and tc programs");
  const Value ctx = m.regs[R6];
  if (ctx.kind != Kind::Ctx || ctx.offset() != 0)
    return "LD_ABS/LD_IND take the context from r6, which holds " + describe_kind(ctx.kind) +
           (ctx.kind == Kind::Ctx ? " with an offset" : "");
  int64_t offset = insn.imm;
  if (op_mode(insn.code) == IND) {
    Value index;
    if (auto f = argument(m, insn.src, Kind::Scalar, index)) return "LD_IND: " + *f;
    // The kernel passes src + imm to an int parameter.
    offset =
        static_cast<int32_t>(static_cast<uint32_t>(index.bits + static_cast<uint64_t>(static_cast<int64_t>(insn.imm))));
  }
  const unsigned size = size_bytes(op_size(insn.code));
  const std::span<const uint8_t> packet = m.context->packet;
  clobber_arguments(m);
  // Negative offsets are the kernel's SKF_NET_OFF/SKF_LL_OFF areas; this
  // engine treats them all as out of range.
  if (offset < 0 || static_cast<uint64_t>(offset) + size > packet.size()) {
    m.regs[R0] = Value::scalar(0);
    exit_now = true;
    return std::nullopt;
  }
  uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) value = (value << 8) | packet[static_cast<size_t>(offset) + i];
  m.regs[R0] = Value::scalar(value);
  return std::nullopt;
}

Fault execute_call(Machine& m, const Insn& insn) {
  int64_t result = 0;
  Fault fault;
  switch (insn.imm) {
    case kHelperSkbLoadBytes:
      fault = skb_load_bytes(m, result);
      break;
    case kHelperSkbPullData:
      fault = skb_pull_data(m, result);
      break;
    case kHelperProbeReadKernel:
      fault = probe_read_kernel(m, result);
      break;
    default:
      return "call of helper " + std::to_string(insn.imm) + ", which this engine does not know";
  }
  if (fault) return fault;
  clobber_arguments(m);
  m.regs[R0] = Value::scalar(static_cast<uint64_t>(result));
  return std::nullopt;
}

}  // namespace bpfc::runtime::ebpf_vm
