// Classic programs that use what libpcap's code generator never emits but a
// classic-to-eBPF translator must still get right: ret a, ldx #len,
// an index from the frame's length, ldxb 4*([k]&0xf) beyond the frame and
// beyond what the XDP verifier can prove. The eBPF benchmark checks their
// translations against libpcap's bpf_filter() on its packet set, untimed.
// (ret x is not among them: libpcap's bpf_filter() has no such instruction.)
#pragma once

#include <string>
#include <vector>

#include "bpfc/cbpf/insn.h"

namespace bpfc::bench {

struct HandBuiltProgram {
  std::string id;
  std::string words;  // what it does
  cbpf::Program program;
};

std::vector<HandBuiltProgram> hand_built_cbpf_programs();

}  // namespace bpfc::bench
