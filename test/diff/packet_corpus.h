// The packets every expression of a differential test runs on, per link type:
// the corpus savefiles' packets (all link types: a filter must give the same
// verdict on any bytes), their mutants, and synthetic packets for the link
// type, with truncated views.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "packets.h"

namespace bpfc::difftest {

struct PacketCorpusOptions {
  int mutants_per_packet = 12;
  int synthetic_per_linktype = 300;
  bool truncate_savefile_packets = true;  // every caplen 0..len, or only whole packets
  uint64_t seed = 0x62706663;             // "bpfc"
};

class PacketCorpus {
 public:
  PacketCorpus(const std::string& pcaps_dir, const std::vector<uint32_t>& linktypes,
               const PacketCorpusOptions& options);

  // The views for an expression compiled for `linktype` (one given above).
  const std::vector<PacketView>& views_for(uint32_t linktype) const;
  size_t savefile_count() const { return savefile_count_; }
  size_t savefile_packet_count() const { return savefile_packets_.size(); }

 private:
  size_t savefile_count_ = 0;
  std::vector<Packet> savefile_packets_;
  std::vector<Packet> mutants_;
  std::map<uint32_t, std::vector<Packet>> synthetic_;
  std::map<uint32_t, std::vector<PacketView>> views_;
};

}  // namespace bpfc::difftest
