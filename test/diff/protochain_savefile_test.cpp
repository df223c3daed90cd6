// A capture of 20 IPv6 packets with 100 to 195 extension headers before TCP:
// `bpfc filter -r F 'ip6 protochain 6'` keeps all 20, as libpcap's
// pcap_offline_filter() does (bpfc used to stop following the chain after
// about 125 headers, so a crafted packet slipped past). The unrolled form
// keeps exactly the packets its warning says it follows: those with at most
// `depth` headers.
#include <pcap/pcap.h>
#include <stdlib.h>

#include <iostream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../support/process.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/driver/compile.h"

namespace bpfc::difftest {
namespace {

struct ChainPacket {
  std::vector<uint8_t> bytes;
  uint32_t headers = 0;
};

// Ethernet, IPv6, `headers` extension headers of every kind libpcap's walk
// steps over (hop-by-hop, routing, fragment, destination options), TCP.
ChainPacket chain_packet(uint32_t headers, uint32_t seed) {
  static const uint8_t kKinds[] = {0, 43, 44, 60};
  std::vector<uint8_t> p = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x66, 0x77, 0x88, 0x99, 0xaa, 0x86, 0xdd};
  std::vector<uint8_t> ip(40, 0);
  ip[0] = 0x60;
  ip[7] = 64;
  ip[8] = 0x20, ip[9] = 0x01, ip[23] = 1;   // 2001::1
  ip[24] = 0x20, ip[25] = 0x01, ip[39] = 2;  // 2001::2
  std::vector<uint8_t> chain;
  std::vector<size_t> next_at;  // where each header's next-header byte is, in `chain`
  std::vector<uint8_t> kinds;
  for (uint32_t i = 0; i < headers; ++i) kinds.push_back(kKinds[(i * 7 + seed) % 4]);
  for (uint32_t i = 0; i < headers; ++i) {
    const uint8_t kind = kinds[i];
    const uint8_t length = kind == 44 ? 0 : static_cast<uint8_t>((i + seed) % 2);  // 8 or 16 bytes
    next_at.push_back(chain.size());
    chain.push_back(0);
    chain.push_back(length);
    chain.resize(chain.size() + (length + 1u) * 8 - 2, static_cast<uint8_t>(i));
  }
  ip[6] = headers == 0 ? 6 : kinds[0];
  for (uint32_t i = 0; i < headers; ++i) chain[next_at[i]] = i + 1 < headers ? kinds[i + 1] : 6;
  std::vector<uint8_t> tcp = {0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};
  const size_t payload = chain.size() + tcp.size();
  ip[4] = static_cast<uint8_t>(payload >> 8);
  ip[5] = static_cast<uint8_t>(payload);
  p.insert(p.end(), ip.begin(), ip.end());
  p.insert(p.end(), chain.begin(), chain.end());
  p.insert(p.end(), tcp.begin(), tcp.end());
  return {p, headers};
}

// 20 packets, 100 to 195 headers, 5 apart.
std::vector<ChainPacket> capture_packets() {
  std::vector<ChainPacket> packets;
  for (uint32_t i = 0; i < 20; ++i) packets.push_back(chain_packet(100 + 5 * i, i));
  return packets;
}

void write_capture(const std::string& path, const std::vector<ChainPacket>& packets) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
  pcap_dumper_t* out = pcap_dump_open(dead, path.c_str());
  ASSERT_NE(out, nullptr) << pcap_geterr(dead);
  for (size_t i = 0; i < packets.size(); ++i) {
    pcap_pkthdr header{};
    header.ts.tv_sec = 1700000000 + static_cast<time_t>(i);
    header.caplen = header.len = static_cast<bpf_u_int32>(packets[i].bytes.size());
    pcap_dump(reinterpret_cast<u_char*>(out), &header, packets[i].bytes.data());
  }
  pcap_dump_close(out);
  pcap_close(dead);
}

// The packets (their byte sizes) libpcap keeps from `path` with `filter`;
// with `run_filter` unset, every packet in the file.
std::vector<size_t> libpcap_keeps(const std::string& path, const std::string& filter, bool run_filter = true) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_open_offline(path.c_str(), errbuf);
  EXPECT_NE(handle, nullptr) << errbuf;
  if (handle == nullptr) return {};
  bpf_program program{};
  EXPECT_EQ(pcap_compile(handle, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN), 0) << pcap_geterr(handle);
  std::vector<size_t> kept;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(handle, &header, &data) == 1) {
    if (!run_filter || pcap_offline_filter(&program, header, data) != 0) kept.push_back(header->caplen);
  }
  pcap_freecode(&program);
  pcap_close(handle);
  return kept;
}

class ProtochainSavefile : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/bpfc-protochain-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    input_ = dir_ + "/chains.pcap";
    packets_ = capture_packets();
    write_capture(input_, packets_);
  }
  void TearDown() override {
    std::remove(input_.c_str());
    std::remove((dir_ + "/kept.pcap").c_str());
    rmdir(dir_.c_str());
  }

  std::string dir_, input_;
  std::vector<ChainPacket> packets_;
};

TEST_F(ProtochainSavefile, BpfcFilterKeepsWhatLibpcapKeeps) {
  const std::vector<size_t> theirs = libpcap_keeps(input_, "ip6 protochain 6");
  ASSERT_EQ(theirs.size(), 20u);
  const std::string output = dir_ + "/kept.pcap";
  testsupport::ProcessResult ours =
      testsupport::run_process({BPFC_BINARY, "filter", "-r", input_, "-w", output, "ip6 protochain 6"});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.err, "20 packets read, 20 matched\n");
  EXPECT_EQ(libpcap_keeps(output, "", false), theirs);
  // And not a packet more for a protocol the chains do not reach.
  testsupport::ProcessResult udp =
      testsupport::run_process({BPFC_BINARY, "filter", "-r", input_, "-w", output, "ip6 protochain 17"});
  ASSERT_EQ(udp.exit_code, 0) << udp.err;
  EXPECT_EQ(libpcap_keeps(output, "", false), libpcap_keeps(input_, "ip6 protochain 17"));
  EXPECT_TRUE(libpcap_keeps(output, "", false).empty());
}

TEST_F(ProtochainSavefile, TheUnrolledFormKeepsWhatItsWarningSays) {
  for (uint32_t depth : {opt::kDefaultProtochainDepth, 150u, opt::kMaxProtochainDepth}) {
    CompileOptions options;
    options.protochain = ProtochainForm::Unrolled;
    options.protochain_depth = depth;
    auto compiled = compile_cbpf_with_notes("ip6 protochain 6", options);
    ASSERT_TRUE(compiled.ok()) << compiled.error().message;
    ASSERT_FALSE(compiled->notes.empty());
    // The bound, as the warning states it.
    std::smatch bound;
    ASSERT_TRUE(std::regex_search(compiled->notes[0], bound, std::regex("at most (\\d+) IPv6 extension headers")))
        << compiled->notes[0];
    const uint32_t stated = static_cast<uint32_t>(std::stoul(bound[1]));
    EXPECT_EQ(stated, depth);
    EXPECT_FALSE(runtime::validate_cbpf(compiled->output, runtime::ValidationRules::LinuxKernel))
        << "depth " << depth;
    size_t kept = 0;
    for (const ChainPacket& p : packets_) {
      const uint32_t verdict = runtime::run_cbpf(compiled->output, p.bytes, static_cast<uint32_t>(p.bytes.size()));
      EXPECT_EQ(verdict != 0, p.headers <= stated) << p.headers << " headers, depth " << depth;
      kept += verdict != 0;
    }
    std::cout << "[protochain] unrolled, depth " << depth << ": keeps " << kept << " of 20 ("
              << compiled->output.size() << " instructions)\n";
  }
}

}  // namespace
}  // namespace bpfc::difftest
