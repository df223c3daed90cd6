#include "packet_corpus.h"

#include <stdexcept>

#include "synthetic_packets.h"

namespace bpfc::difftest {

PacketCorpus::PacketCorpus(const std::string& pcaps_dir, const std::vector<uint32_t>& linktypes,
                           const PacketCorpusOptions& options) {
  std::vector<Savefile> savefiles = read_savefiles(pcaps_dir);
  savefile_count_ = savefiles.size();
  for (Savefile& savefile : savefiles) {
    for (Packet& packet : savefile.packets) savefile_packets_.push_back(std::move(packet));
  }
  mutants_ = mutate_packets(savefile_packets_, options.mutants_per_packet, options.seed);
  // Packets are stored before any view points at them: the vectors below are
  // not resized once views exist.
  for (uint32_t linktype : linktypes) {
    synthetic_[linktype] = synthesize_packets(linktype, options.synthetic_per_linktype, options.seed);
  }
  for (uint32_t linktype : linktypes) {
    std::vector<PacketView>& views = views_[linktype];
    if (options.truncate_savefile_packets) {
      add_truncations(savefile_packets_, views);
    } else {
      add_whole(savefile_packets_, views);
    }
    add_whole(mutants_, views);
    add_truncations(synthetic_[linktype], views);
  }
}

const std::vector<PacketView>& PacketCorpus::views_for(uint32_t linktype) const {
  auto found = views_.find(linktype);
  if (found == views_.end()) throw std::logic_error("no packets prepared for DLT " + std::to_string(linktype));
  return found->second;
}

}  // namespace bpfc::difftest
