// libpcap as the oracle for generated classic BPF: its interpreter
// (bpf_filter), its validator (bpf_validate) and its printer (bpf_image).
#pragma once

#include <pcap/bpf.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bpfc/cbpf/insn.h"

namespace bpfc::testing {

inline std::vector<bpf_insn> to_pcap(const cbpf::Program& program) {
  std::vector<bpf_insn> out;
  out.reserve(program.size());
  for (const cbpf::Insn& i : program) out.push_back(bpf_insn{i.code, i.jt, i.jf, i.k});
  return out;
}

inline bool pcap_validates(const cbpf::Program& program) {
  auto insns = to_pcap(program);
  return bpf_validate(insns.data(), static_cast<int>(insns.size())) == 1;
}

inline uint32_t pcap_run(const std::vector<bpf_insn>& insns, std::span<const uint8_t> packet, uint32_t wirelen) {
  static const uint8_t kNothing = 0;
  const uint8_t* data = packet.empty() ? &kNothing : packet.data();
  return bpf_filter(insns.data(), data, wirelen, static_cast<u_int>(packet.size()));
}

// tcpdump -d style listing, one instruction a line.
inline std::string pcap_listing(const cbpf::Program& program) {
  auto insns = to_pcap(program);
  std::string out;
  for (size_t i = 0; i < insns.size(); ++i) {
    out += bpf_image(&insns[i], static_cast<int>(i));
    out += '\n';
  }
  return out;
}

}  // namespace bpfc::testing
