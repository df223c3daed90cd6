// Grammar-aware generation of pcap-filter expressions from fuzzer bytes:
// every rule of grammar/PcapFilter.g4 — protocol names, qualified ids with
// every protocol/direction/address-type combination (also those libpcap
// refuses), bare ids that inherit qualifiers after and/or, arithmetic
// relations with packet accesses, the "other" primitives (vlan, mpls,
// pppoes, geneve, vxlan, llc, pflog, 802.11, ATM, SS7, ...), not/!,
// parentheses, long lists of like terms — over the link types bpfc
// models, plus now and then any other link type.
#pragma once

#include "filter_case.h"
#include "fixture_names.h"
#include "fuzz_bytes.h"

namespace bpfc::fuzz {

// The link types whose layouts bpfc models; the generator mostly picks these.
inline constexpr uint32_t kModelledLinktypes[] = {0, 1, 8, 9, 12, 50, 104, 108, 113, 166, 228, 229, 276};

// Fills text, linktype, snaplen, netmask and the value pool.
FilterCase generate_filter(FuzzBytes& in, const FixtureNames& names);

// A link type, compile settings as generate_filter() picks them.
uint32_t pick_linktype(FuzzBytes& in);
uint32_t pick_snaplen(FuzzBytes& in);
std::optional<uint32_t> pick_netmask(FuzzBytes& in);

}  // namespace bpfc::fuzz
