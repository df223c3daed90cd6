// tcpdump -dd (a C array initializer) and -ddd (decimal numbers), as libpcap's
// bpf_dump() prints them.
#include <cstdio>

#include "bpfc/cbpf/format.h"

namespace bpfc::cbpf {

std::string format_c_array(const Program& p) {
  std::string out;
  out.reserve(p.size() * 32);
  char line[64];
  for (const Insn& insn : p) {
    std::snprintf(line, sizeof line, "{ 0x%x, %d, %d, 0x%08x },\n", insn.code, insn.jt, insn.jf,
                  insn.k);
    out += line;
  }
  return out;
}

std::string format_decimal(const Program& p) {
  std::string out;
  out.reserve(p.size() * 20 + 8);
  char line[64];
  std::snprintf(line, sizeof line, "%d\n", static_cast<int>(p.size()));
  out += line;
  for (const Insn& insn : p) {
    std::snprintf(line, sizeof line, "%u %u %u %u\n", insn.code, insn.jt, insn.jf, insn.k);
    out += line;
  }
  return out;
}

}  // namespace bpfc::cbpf
