// Hand-built packets covering the protocols the lowering decodes, framed for
// each supported link type, for the differential tests.
#pragma once

#include <vector>

#include "lower_test_support.h"

namespace bpfc::lowertest {

// Network-layer datagrams and Ethernet payloads worth testing, framed for
// link type `dlt` (Ethernet frames for EN10MB, cooked headers for
// LINUX_SLL/SLL2, AF headers for NULL/LOOP, bare IP for RAW/IPV4/IPV6...).
std::vector<Packet> synthetic_packets(int dlt);

// The synthetic packets, all their truncations, some mutations (with their
// truncations) and a sample of savefile packets: the standard test set.
const std::vector<Packet>& standard_packets(int dlt);

}  // namespace bpfc::lowertest
