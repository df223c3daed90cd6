// The filter engine as a library (bpfc/capture/filter_engine.h), used the
// way an embedder would, without the CLI: it keeps exactly the packets
// `bpfc filter` keeps, on a single-link-type pcap and on a pcapng that mixes
// two link types (a filter per link type, interleaved packets).
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/capture/filter_engine.h"
#include "bpfc/capture/savefile.h"
#include "bpfc/driver/compile.h"
#include "bpfc/exec/engine.h"
#include "cli_helpers.h"
#include "savefile_fixtures.h"

namespace bpfc::clitest {
namespace {

const std::string kSample = BPFC_TEST_DIR "/../examples/sample.pcap";

// Every packet of a savefile read with bpfc's reader, as bytes.
std::vector<Bytes> all_packets(const std::string& path) {
  capture::SavefileError error;
  auto source = capture::open_savefile(path, error);
  if (!source) throw std::runtime_error(error.describe(path));
  std::vector<Bytes> packets;
  capture::Batch batch;
  bool more = true;
  while (more) {
    more = source->next(batch);
    for (const capture::Packet& packet : batch.packets) packets.emplace_back(packet.data, packet.data + packet.caplen);
  }
  return packets;
}

// The packets of `path` the engine keeps for `expression`, run with `engine`.
std::vector<Bytes> kept_by_library(const std::string& path, const std::string& expression,
                                   const std::string& engine_name) {
  const exec::Engine* engine = exec::engines().find(engine_name);
  if (engine == nullptr) throw std::runtime_error("no engine " + engine_name);
  capture::FilterFactory factory =
      [&](const capture::FilterRequest& request) -> Result<std::unique_ptr<exec::Filter>> {
    CompileOptions options;
    options.linktype = request.dlt;
    options.snaplen = request.snaplen;
    auto program = compile_cbpf(expression, options);
    if (!program) return program.errors();
    return engine->make(*program);
  };
  capture::FilterEngine filters(factory, std::nullopt);
  capture::SavefileError error;
  auto source = capture::open_savefile(path, error);
  if (!source) throw std::runtime_error(error.describe(path));
  capture::SourceSlots slots;
  std::vector<uint32_t> verdicts;
  std::vector<Bytes> kept;
  capture::Batch batch;
  bool more = true;
  while (more) {
    more = source->next(batch);
    if (auto failure = filters.add_interfaces(*source, slots)) {
      throw std::runtime_error("the filter does not compile: " + failure->diagnostics.front().message);
    }
    if (auto undescribed = filters.run(slots, batch, verdicts)) throw std::runtime_error("undescribed interface");
    for (size_t i = 0; i < batch.packets.size(); ++i) {
      const capture::Packet& packet = batch.packets[i];
      if (verdicts[i] != 0) kept.emplace_back(packet.data, packet.data + packet.caplen);
    }
  }
  return kept;
}

std::vector<Bytes> kept_by_cli(const ScratchDir& dir, const std::string& path, const std::string& expression) {
  const std::string out = dir.file("kept.pcapng");
  auto r = bpfc({"filter", "-r", path, "-w", out, "--format", "pcapng", expression});
  if (r.exit_code != 0) throw std::runtime_error("bpfc filter failed: " + r.err);
  return all_packets(out);
}

TEST(FilterEngineLibrary, KeepsWhatBpfcFilterKeepsOnASavefile) {
  ScratchDir dir;
  const size_t total = all_packets(kSample).size();
  for (const std::string expression : {"tcp", "port 53 or arp", "tcp[tcpflags] & tcp-push != 0", "not ip"}) {
    const std::vector<Bytes> library = kept_by_library(kSample, expression, "interp");
    EXPECT_EQ(library, kept_by_cli(dir, kSample, expression)) << expression;
    EXPECT_GT(library.size(), 0u) << expression << ": keeps nothing, so compares nothing";
    EXPECT_LT(library.size(), total) << expression << ": keeps everything, so compares nothing";
  }
}

TEST(FilterEngineLibrary, KeepsWhatBpfcFilterKeepsAcrossLinkTypes) {
  ScratchDir dir;
  // Interface 0 is Ethernet, interface 1 raw IP (LINKTYPE_RAW): the same IP
  // packets, so one expression needs a filter per link type.
  PcapngBuilder file;
  file.interface(1);
  file.interface(101);
  const std::vector<Bytes> ip_packets = {ipv4(6, tcp(1234, 80, 0x02)), ipv4(17, udp(53, 5353)),
                                         ipv4(6, tcp(1234, 22, 0x10)), ipv4(1, icmp(8, 0, Bytes(8, 0)))};
  int64_t time = 1700000000000000;
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < ip_packets.size(); ++i) {
      // Runs of packets from the same interface, then alternation.
      const uint32_t interface = round == 1 ? static_cast<uint32_t>(i % 2) : static_cast<uint32_t>(round / 2);
      file.packet(interface, ++time, interface == 0 ? ethernet(0x0800, ip_packets[i]) : ip_packets[i]);
    }
  }
  const std::string path = dir.file("mixed.pcapng");
  write_file(path, file.str());
  // Each IP packet appears three times, on either interface: the matches
  // are known from the construction, whatever the link type.
  const std::vector<std::pair<std::string, size_t>> cases = {{"tcp port 80", 3}, {"udp or icmp", 6}, {"not tcp", 6}};
  for (const auto& [expression, matches] : cases) {
    const std::vector<Bytes> library = kept_by_library(path, expression, "interp");
    EXPECT_EQ(library.size(), matches) << expression;
    EXPECT_EQ(library, kept_by_cli(dir, path, expression)) << expression;
  }
}

TEST(FilterEngineLibrary, CompileErrorsAreValuesNamingTheInterface) {
  ScratchDir dir;
  PcapngBuilder file;
  file.interface(1);
  file.interface(101);
  file.packet(0, 1, ethernet(0x0800, ipv4(6, tcp(1, 2, 0))));
  const std::string path = dir.file("two.pcapng");
  write_file(path, file.str());
  // 'ether host' compiles for Ethernet, not for raw IP.
  capture::FilterEngine filters(
      [](const capture::FilterRequest& request) -> Result<std::unique_ptr<exec::Filter>> {
        CompileOptions options;
        options.linktype = request.dlt;
        auto program = compile_cbpf("ether host 00:11:22:33:44:55", options);
        if (!program) return program.errors();
        return exec::engines().find("interp")->make(*program);
      },
      std::nullopt);
  capture::SavefileError error;
  auto source = capture::open_savefile(path, error);
  ASSERT_NE(source, nullptr);
  capture::Batch batch;
  while (source->next(batch) && batch.packets.empty()) {
  }
  capture::SourceSlots slots;
  auto failure = filters.add_interfaces(*source, slots);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->interface, 1u);
  EXPECT_EQ(failure->dlt, 12u);  // DLT_RAW
  EXPECT_TRUE(failure->several_link_types);
  ASSERT_FALSE(failure->diagnostics.empty());
  EXPECT_EQ(slots.slots.size(), 1u);  // interface 0 got its filter

  // bpfc filter reports the same failure in words.
  auto r = bpfc({"filter", "-r", path, "ether host 00:11:22:33:44:55"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(path + ": interface 1 has link type RAW; the filter does not compile for it:"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("not supported on DLT_RAW"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace bpfc::clitest
