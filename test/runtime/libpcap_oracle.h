// libpcap as a test oracle: its interpreter, validator and printer, called on
// bpfc's instruction type (which has struct bpf_insn's layout).
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "bpfc/cbpf/insn.h"

namespace bpfc::testing {

inline std::vector<bpf_insn> to_libpcap(const cbpf::Program& p) {
  std::vector<bpf_insn> out;
  out.reserve(p.size());
  for (const cbpf::Insn& insn : p) out.push_back(bpf_insn{insn.code, insn.jt, insn.jf, insn.k});
  return out;
}

inline cbpf::Program from_libpcap(const bpf_program& prog) {
  cbpf::Program out;
  for (u_int i = 0; i < prog.bf_len; ++i) {
    const bpf_insn& insn = prog.bf_insns[i];
    out.push_back(cbpf::Insn{insn.code, insn.jt, insn.jf, insn.k});
  }
  return out;
}

// bpf_filter(): only for programs it can run (known opcodes, no constant
// division by 0, no scratch read before a store): otherwise it aborts, traps
// or reads garbage.
inline uint32_t libpcap_filter(const std::vector<bpf_insn>& prog, std::span<const uint8_t> packet,
                               uint32_t wirelen) {
  return bpf_filter(prog.data(), packet.data(), wirelen, static_cast<u_int>(packet.size()));
}

inline bool libpcap_validate(const cbpf::Program& p) {
  const std::vector<bpf_insn> prog = to_libpcap(p);
  return bpf_validate(prog.data(), static_cast<int>(prog.size())) != 0;
}

inline std::string libpcap_image(const cbpf::Insn& insn, int pc) {
  const bpf_insn raw{insn.code, insn.jt, insn.jf, insn.k};
  return bpf_image(&raw, pc);
}

// The program as libpcap's bpf_image prints it, one instruction a line,
// runs of spaces collapsed to one.
inline std::string libpcap_listing(const cbpf::Program& p) {
  std::string out;
  for (size_t i = 0; i < p.size(); ++i) {
    std::istringstream words(libpcap_image(p[i], static_cast<int>(i)));
    std::string word, line;
    while (words >> word) line += (line.empty() ? "" : " ") + word;
    out += line + "\n";
  }
  return out;
}

}  // namespace bpfc::testing
