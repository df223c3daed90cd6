// run_cbpf() against libpcap's bpf_filter(): identical results on random
// programs and packets, and on libpcap's own programs (the corpus listings)
// over the corpus savefiles.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "bpfc/cbpf/format.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "cbpf_program_generator.h"
#include "corpus_listings.h"
#include "libpcap_oracle.h"

namespace bpfc::runtime {
namespace {

using testing::ProgramGenerator;

std::string describe(const cbpf::Program& p, const std::vector<uint8_t>& packet, uint32_t wirelen) {
  std::string s = cbpf::format_listing(p) + "packet (wirelen " + std::to_string(wirelen) + "):";
  char byte[4];
  for (uint8_t b : packet) {
    std::snprintf(byte, sizeof byte, " %02x", b);
    s += byte;
  }
  return s;
}

TEST(InterpreterVsLibpcap, RandomProgramsOnRandomPackets) {
  ProgramGenerator gen(20240601);
  constexpr int kPrograms = 20000;
  constexpr int kPacketsPerProgram = 8;
  int nonzero = 0;
  for (int i = 0; i < kPrograms; ++i) {
    const cbpf::Program p = gen.valid_program();
    ASSERT_TRUE(testing::libpcap_validate(p)) << cbpf::format_listing(p);
    const std::vector<bpf_insn> oracle = testing::to_libpcap(p);
    for (int j = 0; j < kPacketsPerProgram; ++j) {
      const std::vector<uint8_t> packet = gen.packet();
      const uint32_t wirelen = gen.wire_length(static_cast<uint32_t>(packet.size()));
      const uint32_t expected = testing::libpcap_filter(oracle, packet, wirelen);
      ASSERT_EQ(run_cbpf(p, packet, wirelen), expected) << describe(p, packet, wirelen);
      nonzero += expected != 0;
    }
  }
  // The generator must not degenerate into programs that all return 0.
  EXPECT_GT(nonzero, kPrograms * kPacketsPerProgram / 5);
}

// Packets of every savefile in the corpus, by link type name.
std::map<std::string, std::vector<std::vector<uint8_t>>> corpus_packets() {
  std::map<std::string, std::vector<std::vector<uint8_t>>> by_linktype;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(BPFC_TEST_DIR) + "/corpus/pcaps")) {
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* pcap = pcap_open_offline(entry.path().c_str(), errbuf);
    if (pcap == nullptr) continue;  // the deliberately broken savefiles
    const char* name = pcap_datalink_val_to_name(pcap_datalink(pcap));
    auto& packets = by_linktype[name ? name : "?"];
    pcap_pkthdr* header;
    const u_char* data;
    while (pcap_next_ex(pcap, &header, &data) == 1) packets.emplace_back(data, data + header->caplen);
    pcap_close(pcap);
  }
  return by_linktype;
}

TEST(InterpreterVsLibpcap, CorpusProgramsOnCorpusSavefiles) {
  const auto packets = corpus_packets();
  ASSERT_FALSE(packets.empty());
  size_t runs = 0;
  size_t programs = 0;
  for (const testing::CorpusListing& listing : testing::corpus_listings()) {
    auto parsed = cbpf::parse_program(listing.listing);
    ASSERT_TRUE(parsed.ok()) << listing.where << ": " << parsed.error().message;
    const cbpf::Program& p = *parsed;
    // Only programs libpcap 1.10.3 can run: its bpf_filter aborts on opcodes it
    // does not know (none expected here, but the corpus is data).
    if (!testing::libpcap_validate(p)) continue;
    ++programs;
    const std::vector<bpf_insn> oracle = testing::to_libpcap(p);
    // The savefiles of the program's link type, or all of them for variety
    // (every program must cope with every packet).
    auto same = packets.find(listing.dlt);
    for (const auto& [linktype, list] : packets) {
      const bool own = same != packets.end() && linktype == same->first;
      const size_t limit = own ? list.size() : 3;
      for (size_t i = 0; i < list.size() && i < limit; ++i) {
        const auto& packet = list[i];
        for (uint32_t caplen : {static_cast<uint32_t>(packet.size()), 14u, 40u}) {
          if (caplen > packet.size()) continue;
          std::span<const uint8_t> captured(packet.data(), caplen);
          const uint32_t wirelen = static_cast<uint32_t>(packet.size());
          ASSERT_EQ(run_cbpf(p, captured, wirelen), testing::libpcap_filter(oracle, captured, wirelen))
              << listing.where << " on a " << linktype << " packet #" << i << " cut to " << caplen;
          ++runs;
        }
      }
    }
  }
  EXPECT_EQ(programs, testing::corpus_listings().size());
  EXPECT_GT(runs, 100000u);
  std::printf("%zu corpus programs, %zu runs\n", programs, runs);
}

#if defined(__x86_64__) || defined(__i386__)
// Documents a discrepancy instead of hiding it: libpcap computes `A << k` and
// `A >> k` in C, which is undefined for k >= 32; its x86 build masks the count
// to 5 bits. The IR contract (and libpcap for shifts by X) says 0.
TEST(InterpreterVsLibpcap, ConstantShiftsByThirtyTwoOrMoreDifferOnX86) {
  using namespace cbpf;
  const cbpf::Program p = {stmt(LD | IMM, 0x12345678), stmt(ALU | LSH | K, 36), stmt(RET | RET_A, 0)};
  const std::vector<uint8_t> packet(4);
  EXPECT_EQ(run_cbpf(p, packet, 4), 0u);
  EXPECT_EQ(testing::libpcap_filter(testing::to_libpcap(p), packet, 4), 0x12345678u << 4);
}
#endif

}  // namespace
}  // namespace bpfc::runtime
