// The code that runs before a filter's first test and computes the offsets
// of variable length the filter uses (libpcap's insert_compute_vloffsets):
// the length of a radio header in front of 802.11 (Prism, AVS, radiotap,
// PPI), the length of the 802.11 MAC header (QoS data frames are 2 bytes
// longer; radiotap may announce padding to a multiple of 4), and the
// registers a live capture's `vlan` reads.
#pragma once

#include "gencode/codegen.h"

namespace bpfc::lower {

// `f` is the whole filter; the result runs the offset code first, then `f`.
// Only offsets whose registers the filter reads are computed.
Fragment insert_compute_vloffsets(Codegen& cg, Fragment f);

}  // namespace bpfc::lower
