// bpfc capture's -C, -G and -W against tcpdump's on the same traffic: the
// same file names, the same packets in each file, the -W limit ending both
// captures with tcpdump's words; and the combinations it refuses.
#include <signal.h>

#include <filesystem>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "../support/process.h"
#include "background_process.h"
#include "side_by_side.h"
#include "veth_fixture.h"

namespace bpfc::livetest {
namespace {

using namespace std::chrono_literals;
using testsupport::run_process;

// The files in `directory` whose names start with `prefix`, by the rest of
// their name, with their packets.
std::map<std::string, std::vector<SavedPacket>> files_named(const std::string& directory, const std::string& prefix,
                                                            std::string& problems) {
  std::map<std::string, std::vector<SavedPacket>> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    files[name.substr(prefix.size())] = read_savefile(entry.path().string(), problems);
  }
  return files;
}

std::unique_ptr<BackgroundProcess> start(const std::vector<std::string>& argv) {
  auto process = std::make_unique<BackgroundProcess>(argv);
  EXPECT_TRUE(process->wait_for_stderr("listening on", 10s)) << process->stderr_text();
  return process;
}

// 1,500 frames of about 1,040 bytes: 1.6 MB, over -C 1's million bytes, so
// both split them over files at the same packet.
TEST(CaptureRotation, SizeRotationSplitsAsTcpdumpDoes) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  if (!testsupport::program_available("tcpdump")) GTEST_SKIP() << "tcpdump is not installed: nothing to compare with";
  TempDirectory directory;
  for (const std::vector<std::string>& ring : {std::vector<std::string>{}, std::vector<std::string>{"-W", "3"}}) {
    SCOPED_TRACE(ring.empty() ? "-C 1" : "-C 1 -W 3");
    const std::string tag = ring.empty() ? "c" : "w";
    std::vector<std::string> tcpdump = {"tcpdump", "-i", kReceiver, "-Z", "root", "-B", "32768", "-s", "4096",
                                        "-C", "1", "-w", directory.file("tcpdump-" + tag)};
    std::vector<std::string> bpfc = {BPFC_BINARY, "capture", "-i", kReceiver, "-B", "32768", "-s", "4096",
                                     "-C", "1", "-w", directory.file("bpfc-" + tag)};
    for (const std::string& word : ring) {
      tcpdump.push_back(word);
      bpfc.push_back(word);
    }
    tcpdump.push_back("udp dst port 7777");
    bpfc.insert(bpfc.end(), {"--", "udp dst port 7777"});
    auto tcpdump_run = start(tcpdump);
    auto bpfc_run = start(bpfc);
    constexpr int kSent = 1500;
    const std::vector<uint8_t> frame = udp_frame(std::nullopt, 7777, 1000);
    for (int i = 0; i < kSent; ++i) {
      ASSERT_TRUE(send_frame(kSender, frame));
      if (i % 100 == 99) std::this_thread::sleep_for(2ms);  // no drops on a busy machine
    }
    send_udp(9999, 10, 20);  // rejected by both filters
    std::this_thread::sleep_for(1500ms);  // tcpdump's ring hands blocks over after 1 s
    tcpdump_run->send_signal(SIGINT);
    bpfc_run->send_signal(SIGINT);
    ASSERT_EQ(tcpdump_run->wait(), 0) << tcpdump_run->stderr_text();
    ASSERT_EQ(bpfc_run->wait(), 0) << bpfc_run->stderr_text();

    std::string problems;
    const auto expected = files_named(directory.file(""), "tcpdump-" + tag, problems);
    const auto actual = files_named(directory.file(""), "bpfc-" + tag, problems);
    ASSERT_EQ(problems, "");
    size_t captured = 0;
    for (const auto& [suffix, packets] : expected) captured += packets.size();
    ASSERT_EQ(captured, size_t{kSent}) << "tcpdump lost packets: " << tcpdump_run->stderr_text();
    ASSERT_GE(expected.size(), 2u) << "tcpdump did not rotate";
    ASSERT_EQ(actual.size(), expected.size());
    for (const auto& [suffix, packets] : expected) {
      auto found = actual.find(suffix);
      ASSERT_NE(found, actual.end()) << "bpfc wrote no file " << suffix;
      EXPECT_EQ(describe_difference(packets, found->second), "") << "file " << suffix;
    }
  }
}

// -G 1 -W 2: a new file each second, and the capture ends by itself after
// the second with "Maximum file limit reached: 2", as tcpdump's does.
TEST(CaptureRotation, TimeRotationStopsAfterWFiles) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  if (!testsupport::program_available("tcpdump")) GTEST_SKIP() << "tcpdump is not installed: nothing to compare with";
  TempDirectory directory;
  auto tcpdump = start({"tcpdump", "-i", kReceiver, "-Z", "root", "--immediate-mode", "-G", "1", "-W", "2", "-w",
                        directory.file("tcpdump-%s.pcap"), "udp dst port 7778"});
  auto bpfc = start({BPFC_BINARY, "capture", "-i", kReceiver, "--immediate", "-G", "1", "-W", "2", "-w",
                     directory.file("bpfc-%s.pcap"), "--", "udp dst port 7778"});
  // A packet every 200 ms until both have ended (at most 6 s).
  for (int i = 0; i < 30; ++i) {
    send_udp(7778, 10, 1);
    std::this_thread::sleep_for(200ms);
  }
  const int tcpdump_status = tcpdump->wait();
  const int bpfc_status = bpfc->wait();
  EXPECT_EQ(tcpdump_status, 0) << tcpdump->stderr_text();
  EXPECT_EQ(bpfc_status, 0) << bpfc->stderr_text();
  EXPECT_NE(tcpdump->stderr_text().find("Maximum file limit reached: 2\n"), std::string::npos) << tcpdump->stderr_text();
  EXPECT_NE(bpfc->stderr_text().find("Maximum file limit reached: 2\n"), std::string::npos) << bpfc->stderr_text();
  std::string problems;
  const auto tcpdump_files = files_named(directory.file(""), "tcpdump-", problems);
  const auto bpfc_files = files_named(directory.file(""), "bpfc-", problems);
  EXPECT_EQ(problems, "");
  EXPECT_EQ(tcpdump_files.size(), 2u);
  ASSERT_EQ(bpfc_files.size(), 2u);
  // The second file starts with the packet that made bpfc rotate, as
  // tcpdump's does. The first may be empty, for both: it is opened at start,
  // and a loaded machine can take over a second to deliver the first packet.
  const auto& [newest_suffix, newest_packets] = *bpfc_files.rbegin();
  EXPECT_FALSE(newest_packets.empty()) << "bpfc-" << newest_suffix;
}

TEST(CaptureRotation, RefusedCombinations) {
  const auto no_file = run_process({BPFC_BINARY, "capture", "-i", "lo", "-C", "1"});
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_NE(no_file.err.find("-C, -G and -W rotate the -w output: give -w FILE"), std::string::npos) << no_file.err;
  const auto to_stdout = run_process({BPFC_BINARY, "capture", "-i", "lo", "-G", "5", "-w", "-"});
  EXPECT_EQ(to_stdout.exit_code, 2);
  EXPECT_NE(to_stdout.err.find("standard output) cannot rotate"), std::string::npos) << to_stdout.err;
  const auto pcapng = run_process({BPFC_BINARY, "capture", "-i", "lo", "-C", "1", "--format", "pcapng", "-w", "x"});
  EXPECT_EQ(pcapng.exit_code, 2);
  EXPECT_NE(pcapng.err.find("-C, -G and -W write pcap files"), std::string::npos) << pcapng.err;
}

}  // namespace
}  // namespace bpfc::livetest
