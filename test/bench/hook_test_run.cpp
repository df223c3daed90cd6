#include "hook_test_run.h"

namespace bpfc::bench {
namespace {

constexpr size_t kEthernetHeader = 14;
constexpr uint8_t kExperimentalEtherType[2] = {0x88, 0xb5};

}  // namespace

uint32_t HookTestRun::expected(uint32_t libpcap_verdict) const {
  if (hook == ebpf::Hook::Xdp) return libpcap_verdict != 0 ? ebpf::kXdpPass : ebpf::kXdpDrop;
  return libpcap_verdict;
}

HookTestRunOrError make_hook_test_run(ebpf::Hook hook, const PacketSet& packets) {
  HookTestRunOrError result;
  HookTestRun& run = result.run;
  run.hook = hook;
  if (hook != ebpf::Hook::Socket && hook != ebpf::Hook::Xdp) {
    result.error = "no test run for the " + std::string(ebpf::name(hook)) + " hook";
    return result;
  }
  const bool xdp = hook == ebpf::Hook::Xdp;
  run.prog_type = xdp ? ebpf::kProgTypeXdp : ebpf::kProgTypeSocketFilter;
  // Socket: r0 = 0 drops; XDP: XDP_DROP (not 0, XDP_ABORTED, which is an
  // error verdict).
  const int32_t verdict = xdp ? ebpf::kXdpDrop : 0;
  run.overhead_program = {ebpf::mov64_imm(ebpf::R0, verdict), ebpf::exit_insn()};
  run.overhead_words = "r0 = " + std::to_string(verdict) + (xdp ? " (XDP_DROP)" : "") + "; exit";
  run.framing_words = xdp ? "each frame as it is"
                          : "each behind a 14-byte Ethernet header with EtherType 0x88b5 for eth_type_trans";
  for (const PacketSet::Packet& packet : packets.packets) {
    const uint8_t* bytes = packets.data(packet);
    if (packet.length < kEthernetHeader) {
      result.error = "packet set holds a frame shorter than an Ethernet header";
      return result;
    }
    if (xdp) {
      if (packet.length > kXdpMaxFrame) {
        result.error = "packet set holds a " + std::to_string(packet.length) + "-byte frame; an XDP test run shows " +
                       std::to_string(kXdpMaxFrame) + " at most";
        return result;
      }
      run.frames.emplace_back(bytes, bytes + packet.length);
      continue;
    }
    std::vector<uint8_t> frame(bytes, bytes + 12);
    frame.insert(frame.end(), std::begin(kExperimentalEtherType), std::end(kExperimentalEtherType));
    frame.insert(frame.end(), bytes, bytes + packet.length);
    run.frames.push_back(std::move(frame));
  }
  return result;
}

}  // namespace bpfc::bench
