// `bpfc filter -w FILE -C/-G/-W` against `tcpdump -r IN -w FILE -C/-G/-W`:
// the same set of file names, and in each file the same packet records,
// read back by libpcap. pcapng output (which tcpdump cannot write) is checked
// for the same rules: every file opens on its own, goes over the size only
// with its last packet, and together the files hold the input in order.
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_helpers.h"
#include "savefile_fixtures.h"

namespace bpfc::clitest {
namespace {

std::vector<std::string> names_in(const std::string& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

uint64_t size_of(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::file_size(path, ignored);
}

// ~2.6 MB of Ethernet frames from 60 to 1514 bytes, with microsecond
// timestamps: three files and a bit at -C 1.
std::vector<PcapPacket> generated_packets() {
  std::vector<PcapPacket> packets;
  for (uint32_t i = 0; i < 3500; ++i) {
    const size_t payload = (i * 389) % 1460;
    Bytes frame = ethernet(0x0800, ipv4(17, udp(1000 + i % 50, 53, Bytes(payload, static_cast<uint8_t>(i)))));
    const auto wirelen = static_cast<uint32_t>(frame.size());
    packets.push_back({int64_t{1700000000} * 1000000000 + int64_t{i} * 1234567000, std::move(frame), wirelen});
  }
  return packets;
}

// The corpus's Ethernet captures, repeated until there is more than 2 MB.
std::vector<PcapPacket> corpus_packets() {
  std::vector<PcapPacket> all;
  size_t bytes = 0;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(BPFC_TEST_DIR) + "/corpus/pcaps")) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<PcapPacket> once;
  for (const std::string& file : files) {
    LibpcapReading reading = read_with_libpcap(file);
    if (!reading.opened || reading.dlt != DLT_EN10MB) continue;
    for (PcapPacket& packet : reading.packets) {
      // Microsecond timestamps, as a pcap file written by libpcap keeps them.
      packet.timestamp_ns -= packet.timestamp_ns % 1000;
      once.push_back(packet);
    }
  }
  if (once.empty()) return all;
  while (bytes < 2200000) {
    for (const PcapPacket& packet : once) {
      all.push_back(packet);
      bytes += 16 + packet.data.size();
    }
  }
  return all;
}

void expect_same_packets(const std::vector<PcapPacket>& got, const std::vector<PcapPacket>& want,
                         const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].timestamp_ns, want[i].timestamp_ns) << what << " packet " << i;
    EXPECT_EQ(got[i].wirelen, want[i].wirelen) << what << " packet " << i;
    ASSERT_EQ(got[i].data, want[i].data) << what << " packet " << i;
  }
}

struct RotationCase {
  std::string name;   // the -w name
  std::vector<std::string> options;
};

class RotationAgainstTcpdump : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tcpdump_available()) GTEST_SKIP() << "tcpdump is not installed";
  }

  // Runs both and compares names and records of every file.
  void compare(const std::string& input, const RotationCase& rotation) {
    const std::string label = "-w " + rotation.name + " " + testing::PrintToString(rotation.options);
    ScratchDir theirs, ours;
    std::vector<std::string> tcpdump_args = {"-Z", "root", "-r", input, "-w", theirs.file(rotation.name)};
    tcpdump_args.insert(tcpdump_args.end(), rotation.options.begin(), rotation.options.end());
    const ProcessResult reference = tcpdump(tcpdump_args);
    ASSERT_EQ(reference.exit_code, 0) << label << ": " << reference.err;
    std::vector<std::string> bpfc_args = {"filter", "-r", input, "-w", ours.file(rotation.name)};
    bpfc_args.insert(bpfc_args.end(), rotation.options.begin(), rotation.options.end());
    const ProcessResult result = bpfc(bpfc_args);
    ASSERT_EQ(result.exit_code, 0) << label << ": " << result.err;
    const std::vector<std::string> names = names_in(ours.path());
    ASSERT_EQ(names, names_in(theirs.path())) << label;
    for (const std::string& name : names) {
      const LibpcapReading want = read_with_libpcap(theirs.file(name));
      const LibpcapReading got = read_with_libpcap(ours.file(name));
      ASSERT_TRUE(got.opened) << label << " " << name << ": " << got.error;
      EXPECT_EQ(got.error, "") << label << " " << name;
      EXPECT_EQ(got.dlt, want.dlt) << label << " " << name;
      expect_same_packets(got.packets, want.packets, label + " " + name);
      EXPECT_EQ(size_of(ours.file(name)), size_of(theirs.file(name))) << label << " " << name;
    }
  }
};

const std::vector<RotationCase>& size_cases() {
  static const std::vector<RotationCase> cases = {
      {"out", {"-C", "1"}},
      {"out", {"-C", "1", "-W", "2"}},   // the ring wraps: out0 holds the third file
      {"out", {"-C", "1", "-W", "3"}},
      {"out", {"-C", "1", "-W", "12"}},  // two digits
      {"out", {"-C", "1", "-W", "1"}},   // a ring of one: "out", overwritten
      {"out", {"-C", "2"}},
      {"out", {"-W", "3"}},              // -W alone rotates nothing
      {"out", {"-G", "0", "-W", "3"}},   // nor does -G 0
      {"out.%Y", {"-G", "3600", "-C", "1"}},  // strftime names, numbered by -C
      {"out.%Y", {"-G", "3600", "-C", "1", "-W", "3"}},
  };
  return cases;
}

TEST_F(RotationAgainstTcpdump, GeneratedSavefile) {
  ScratchDir dir;
  const std::string input = dir.file("in.pcap");
  write_pcap(input, DLT_EN10MB, generated_packets(), false, 65535);
  for (const RotationCase& rotation : size_cases()) compare(input, rotation);
}

TEST_F(RotationAgainstTcpdump, CorpusPackets) {
  ScratchDir dir;
  const std::vector<PcapPacket> packets = corpus_packets();
  ASSERT_FALSE(packets.empty()) << "no Ethernet captures in test/corpus/pcaps";
  const std::string input = dir.file("corpus.pcap");
  write_pcap(input, DLT_EN10MB, packets);
  for (const RotationCase& rotation : size_cases()) compare(input, rotation);
  // A corpus file as it is: smaller than -C 1, one file.
  compare(std::string(BPFC_TEST_DIR) + "/corpus/pcaps/vxlan.pcap", {"out", {"-C", "1"}});
}

// With savefile input, -G goes by the clock as tcpdump's does: a file read in
// less than the period gives one file, named by the time it was opened.
TEST_F(RotationAgainstTcpdump, TimeRotationOfASavefileGoesByTheClock) {
  ScratchDir dir;
  const std::string input = dir.file("in.pcap");
  write_pcap(input, DLT_EN10MB, generated_packets(), false, 65535);
  for (const bool ours : {false, true}) {
    ScratchDir out;
    const time_t before = time(nullptr);
    const ProcessResult run =
        ours ? bpfc({"filter", "-r", input, "-w", out.file("t%s"), "-G", "3600"})
             : tcpdump({"-Z", "root", "-r", input, "-w", out.file("t%s"), "-G", "3600"});
    const time_t after = time(nullptr);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const std::vector<std::string> names = names_in(out.path());
    ASSERT_EQ(names.size(), 1u) << (ours ? "bpfc" : "tcpdump");
    const long opened = std::stol(names[0].substr(1));
    EXPECT_GE(opened, before);
    EXPECT_LE(opened, after);
    EXPECT_EQ(read_with_libpcap(out.file(names[0])).packets.size(), 3500u);
  }
}

// -G with -W and no -C: a new file per period of the clock, and the job
// ends, successfully, when a packet would open file COUNT + 1. Packets come
// through a pipe 1.5 s apart (the clock's seconds are whole, so each gap
// crosses at least one), so each lands in a period of its own.
TEST_F(RotationAgainstTcpdump, TimeRotationWithCountStopsAfterCountFiles) {
  ScratchDir dir;
  const std::string input = dir.file("three.pcap");
  std::vector<PcapPacket> packets;
  for (uint8_t i = 0; i < 3; ++i) packets.push_back({int64_t{1000 + i} * 1000000000, Bytes(60, i), 60});
  write_pcap(input, DLT_EN10MB, packets, false, 65535);
  const std::string bytes = read_file(input);
  ASSERT_EQ(bytes.size(), 24u + 3 * 76);
  for (int part = 0; part < 3; ++part) {
    write_file(dir.file("part" + std::to_string(part)),
               part == 0 ? bytes.substr(0, 100) : bytes.substr(100 + 76 * (part - 1), 76));
  }
  const std::string feed = "{ cat part0; sleep 1.5; cat part1; sleep 1.5; cat part2; } | ";
  for (const bool ours : {false, true}) {
    ScratchDir out;
    const std::string tool = ours ? "'" + bpfc_binary() + "' filter" : "tcpdump -Z root";
    const ProcessResult run = testsupport::run_process(
        {"bash", "-c", "cd '" + dir.path() + "' && " + feed + tool + " -r - -w '" + out.file("t%s") + "' -G 1 -W 2"});
    const std::string who = ours ? "bpfc" : "tcpdump";
    ASSERT_EQ(run.exit_code, 0) << who << ": " << run.err;
    EXPECT_NE(run.err.find("Maximum file limit reached: 2"), std::string::npos) << who << ": " << run.err;
    const std::vector<std::string> names = names_in(out.path());
    ASSERT_EQ(names.size(), 2u) << who;
    EXPECT_GT(std::stol(names[1].substr(1)), std::stol(names[0].substr(1))) << who;
    for (size_t i = 0; i < 2; ++i) {
      const LibpcapReading reading = read_with_libpcap(out.file(names[i]));
      expect_same_packets(reading.packets, {packets[i]}, who + " " + names[i]);
    }
  }
}

TEST(RotationPcapng, EveryFileIsACompleteSavefile) {
  ScratchDir dir;
  const std::string pcap_input = dir.file("in.pcap");
  const std::vector<PcapPacket> packets = generated_packets();
  write_pcap(pcap_input, DLT_EN10MB, packets, false, 65535);
  const std::string input = dir.file("in.pcapng");
  ProcessResult converted = bpfc({"filter", "-r", pcap_input, "-w", input, "--format", "pcapng"});
  ASSERT_EQ(converted.exit_code, 0) << converted.err;
  // pcapng in, pcapng out (blocks copied), and pcap in, pcapng out (the
  // writer's own blocks).
  for (const std::string& source : {input, pcap_input}) {
    ScratchDir out;
    ProcessResult run = bpfc({"filter", "-r", source, "-w", out.file("ng"), "--format", "pcapng", "-C", "1"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const std::vector<std::string> names = names_in(out.path());
    ASSERT_EQ(names, (std::vector<std::string>{"ng", "ng1", "ng2"})) << source;
    std::vector<PcapPacket> all;
    for (const std::string name : {"ng", "ng1", "ng2"}) {
      const std::string file = read_file(out.file(name));
      ASSERT_GE(file.size(), 4u);
      EXPECT_EQ(file.substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4)) << name;
      const LibpcapReading reading = read_with_libpcap(out.file(name));
      ASSERT_TRUE(reading.opened) << name << ": " << reading.error;
      EXPECT_EQ(reading.error, "") << name;
      EXPECT_EQ(reading.dlt, DLT_EN10MB) << name;
      ASSERT_FALSE(reading.packets.empty()) << name;
      if (std::string(name) != "ng2") {
        // Over 1,000,000 bytes only with its last packet (an EPB: 32 bytes
        // of block around the padded data).
        const size_t last = 32 + (reading.packets.back().data.size() + 3) / 4 * 4;
        EXPECT_GT(file.size(), 1000000u) << name;
        EXPECT_LE(file.size() - last, 1000000u) << name;
      }
      all.insert(all.end(), reading.packets.begin(), reading.packets.end());
    }
    expect_same_packets(all, packets, source);
  }
}

TEST(RotationUsage, NeedsAFileToRotate) {
  ScratchDir dir;
  const std::string input = dir.file("in.pcap");
  write_pcap(input, DLT_EN10MB, {});
  ProcessResult to_stdout = bpfc({"filter", "-r", input, "-w", "-", "-C", "1"});
  EXPECT_EQ(to_stdout.exit_code, 2);
  EXPECT_NE(to_stdout.err.find("standard output"), std::string::npos) << to_stdout.err;
  ProcessResult no_output = bpfc({"filter", "-r", input, "-C", "1"});
  EXPECT_EQ(no_output.exit_code, 2);
  EXPECT_NE(no_output.err.find("-w FILE"), std::string::npos) << no_output.err;
  ProcessResult zero = bpfc({"filter", "-r", input, "-w", dir.file("o"), "-C", "0"});
  EXPECT_EQ(zero.exit_code, 2) << zero.err;
  ProcessResult no_files = bpfc({"filter", "-r", input, "-w", dir.file("o"), "-C", "1", "-W", "0"});
  EXPECT_EQ(no_files.exit_code, 2) << no_files.err;
}

}  // namespace
}  // namespace bpfc::clitest
