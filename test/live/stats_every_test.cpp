// bpfc capture --stats-every SECONDS: one line per interval on stderr, text
// or JSON, whose packets and bytes add up to what the capture kept, with one
// socket and with a fanout group.
#include <signal.h>

#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "background_process.h"
#include "side_by_side.h"
#include "veth_fixture.h"

namespace bpfc::livetest {
namespace {

using namespace std::chrono_literals;

struct Interval {
  double elapsed = 0, interval = 0;
  uint64_t packets = 0, bytes = 0, dropped_by_kernel = 0, dropped_by_interface = 0, lost_in_transit = 0;
};

std::vector<Interval> json_intervals(const std::string& text) {
  static const std::regex line(
      R"(\{"elapsed":([0-9.]+),"interval":([0-9.]+),"packets":([0-9]+),"bytes":([0-9]+),)"
      R"("dropped_by_kernel":([0-9]+),"dropped_by_interface":([0-9]+),"lost_in_transit":([0-9]+)\})");
  std::vector<Interval> intervals;
  std::istringstream in(text);
  for (std::string row; std::getline(in, row);) {
    std::smatch m;
    if (row.find("\"elapsed\"") == std::string::npos) continue;
    EXPECT_TRUE(std::regex_match(row, m, line)) << row;
    if (m.empty()) continue;
    intervals.push_back({std::stod(m[1]), std::stod(m[2]), std::stoull(m[3]), std::stoull(m[4]), std::stoull(m[5]),
                         std::stoull(m[6]), std::stoull(m[7])});
  }
  return intervals;
}

// Sends 30-byte UDP payloads to port 6400 for about 2.5 s; the frames'
// wire lengths, summed.
uint64_t send_for_a_while(int& datagrams) {
  datagrams = 0;
  for (int round = 0; round < 25; ++round) {
    send_udp(6400, 30, 2);
    datagrams += 2;
    std::this_thread::sleep_for(100ms);
  }
  return uint64_t(datagrams) * (14 + 20 + 8 + 30);
}

void expect_intervals_add_up(const std::vector<std::string>& extra) {
  TempDirectory directory;
  const std::string output = directory.file("out.pcap");
  std::vector<std::string> argv = {BPFC_BINARY, "capture", "-i", kReceiver, "-w", output,
                                   "--stats-every", "1", "--stats-format=json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.insert(argv.end(), {"--", "udp port 6400"});
  BackgroundProcess capture(argv);
  ASSERT_TRUE(capture.wait_for_stderr("listening on", 10s)) << capture.stderr_text();
  int datagrams = 0;
  const uint64_t bytes = send_for_a_while(datagrams);
  std::this_thread::sleep_for(150ms);
  capture.send_signal(SIGINT);
  ASSERT_EQ(capture.wait(), 0) << capture.stderr_text();
  const std::string text = capture.stderr_text();
  const std::vector<Interval> intervals = json_intervals(text);
  ASSERT_GE(intervals.size(), 3u) << text;  // two whole seconds and the rest
  uint64_t packets = 0, matched_bytes = 0;
  for (size_t i = 0; i < intervals.size(); ++i) {
    packets += intervals[i].packets;
    matched_bytes += intervals[i].bytes;
    EXPECT_EQ(intervals[i].dropped_by_kernel, 0u) << text;
    EXPECT_EQ(intervals[i].lost_in_transit, 0u) << text;  // a local capture loses nothing on the way
    if (i + 1 < intervals.size()) {
      EXPECT_NEAR(intervals[i].interval, 1.0, 0.3) << text;
      EXPECT_GT(intervals[i].packets, 0u) << text;
    }
    if (i > 0) {
      EXPECT_GT(intervals[i].elapsed, intervals[i - 1].elapsed) << text;
    }
  }
  EXPECT_EQ(packets, uint64_t(datagrams)) << text;
  EXPECT_EQ(matched_bytes, bytes) << text;
  std::smatch captured;
  ASSERT_TRUE(std::regex_search(text, captured, std::regex("\"captured\":([0-9]+)"))) << text;
  EXPECT_EQ(std::stoull(captured[1]), packets) << text;
}

TEST(StatsEvery, JsonIntervalsAddUpToTheTotal) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  expect_intervals_add_up({});
}

TEST(StatsEvery, JsonIntervalsAddUpWithThreads) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  expect_intervals_add_up({"--threads", "2"});
}

TEST(StatsEvery, TextLines) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  BackgroundProcess capture({BPFC_BINARY, "capture", "-i", kReceiver, "--count-only", "--stats-every", "1",
                             "udp port 6401"});
  ASSERT_TRUE(capture.wait_for_stderr("listening on", 10s)) << capture.stderr_text();
  send_udp(6401, 30, 3);
  EXPECT_TRUE(capture.wait_for_stderr("dropped by interface\n", 5s)) << capture.stderr_text();
  capture.send_signal(SIGINT);
  ASSERT_EQ(capture.wait(), 0) << capture.stderr_text();
  const std::string text = capture.stderr_text();
  const std::regex line(R"(^[0-9]+\.[0-9]{3} s \(\+[0-9]+\.[0-9]{3} s\): [0-9]+ packets?, [0-9]+ bytes? matched; )"
                        R"([0-9]+ dropped by kernel, [0-9]+ dropped by interface$)");
  std::istringstream in(text);
  int lines = 0;
  uint64_t packets = 0;
  for (std::string row; std::getline(in, row);) {
    if (row.find(" matched; ") == std::string::npos) continue;
    EXPECT_TRUE(std::regex_match(row, line)) << row;
    packets += std::stoull(row.substr(row.find("): ") + 3));
    ++lines;
  }
  EXPECT_GE(lines, 2);
  EXPECT_EQ(packets, 3u) << text;
}

}  // namespace
}  // namespace bpfc::livetest
