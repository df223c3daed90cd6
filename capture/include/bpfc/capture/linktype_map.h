// Savefiles store LINKTYPE_ values; the compiler and pcap-filter speak DLT_
// values. They are the same number except for a few historical types
// (LINKTYPE_RAW 101 is DLT_RAW 12 on Linux, LINKTYPE_ATM_RFC1483 100 is 11…),
// as libpcap's linktype_to_dlt() / dlt_to_linktype() map them.
#pragma once

#include <cstdint>

namespace bpfc::capture {

uint32_t dlt_from_linktype(uint32_t linktype);
uint32_t linktype_from_dlt(uint32_t dlt);

}  // namespace bpfc::capture
