#include "ebpf_kernel_harness.h"

namespace bpfc::runtime::testing {

using namespace bpfc::ebpf;

std::vector<uint8_t> socket_frame(std::span<const uint8_t> seen, uint16_t ethertype) {
  std::vector<uint8_t> frame{
      0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 1, static_cast<uint8_t>(ethertype >> 8), static_cast<uint8_t>(ethertype)};
  frame.insert(frame.end(), seen.begin(), seen.end());
  return frame;
}

EbpfContext kernel_like_context(Hook hook, std::span<const uint8_t> packet, uint16_t ethertype) {
  EbpfContext ctx;
  ctx.hook = hook;
  ctx.packet = packet;
  ctx.skb.ifindex = 1;
  ctx.ingress_ifindex = 1;
  if (hook == Hook::Socket) ctx.skb.ethertype = ethertype;
  // The test run passes no __sk_buff in, which leaves wire_len 0.
  if (hook == Hook::Tc) ctx.skb.wire_len = 0;
  if (hook == Hook::Tc && packet.size() >= 14) ctx.skb.ethertype = static_cast<uint16_t>(packet[12] << 8 | packet[13]);
  return ctx;
}

KernelAndVm::KernelAndVm(Program program, Hook hook) : program_(std::move(program)), hook_(hook) {
  const uint32_t type = hook == Hook::Xdp ? kProgTypeXdp : hook == Hook::Tc ? kProgTypeSchedCls : kProgTypeSocketFilter;
  auto loaded = load_program(program_, type);
  if (loaded)
    fd_ = std::move(loaded.value().fd);
  else
    load_error_ = loaded.error();
}

BothResults KernelAndVm::run(std::span<const uint8_t> packet) const {
  BothResults both;
  both.vm = run_ebpf(program_, kernel_like_context(hook_, packet));
  if (load_error_) {
    both.error = load_error_->describe();
    return both;
  }
  const std::vector<uint8_t> data =
      hook_ == Hook::Socket ? socket_frame(packet) : std::vector<uint8_t>(packet.begin(), packet.end());
  auto result = test_run(fd_, data);
  if (result)
    both.kernel = result->retval;
  else
    both.error = result.error().describe();
  return both;
}

}  // namespace bpfc::runtime::testing
