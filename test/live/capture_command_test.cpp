// bpfc capture as a user runs it: statistics that add up when the consumer
// falls behind, pcapng output with its interface and statistics blocks,
// summary lines, --count-only, the user-space fallback's warning, and the
// errors people hit.
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include "../support/process.h"
#include "background_process.h"
#include "capture_process.h"
#include "bpfc/capture/savefile.h"
#include "side_by_side.h"
#include "veth_fixture.h"

namespace bpfc::livetest {
namespace {

using namespace std::chrono_literals;
using testsupport::run_process;

// A stopped consumer and a small ring: the kernel drops what does not fit,
// and captured + dropped is exactly what was sent.
TEST(CaptureCommand, CapturedPlusDroppedIsSent) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  TempDirectory directory;
  const std::string output = directory.file("out.pcap");
  auto capture = start_capture({"-i", kReceiver, "-w", output, "--block-size", "8192", "--blocks", "2",
                                "--stats-format=json", "--", "udp dst port 7777"});
  capture->send_signal(SIGSTOP);
  constexpr int kSent = 2000;
  const std::vector<uint8_t> frame = udp_frame(std::nullopt, 7777, 200);
  for (int i = 0; i < kSent; ++i) ASSERT_TRUE(send_frame(kSender, frame));
  send_udp(9999, 10, 50);  // traffic the filter rejects: in no count
  capture->send_signal(SIGCONT);
  std::this_thread::sleep_for(100ms);
  capture->send_signal(SIGINT);
  ASSERT_EQ(capture->wait(), 0) << capture->stderr_text();
  const std::string statistics = capture->stderr_text();
  const uint64_t captured = json_field(statistics, "captured");
  const uint64_t received = json_field(statistics, "received_by_filter");
  const uint64_t dropped = json_field(statistics, "dropped_by_kernel");
  EXPECT_EQ(received, uint64_t{kSent}) << statistics;
  EXPECT_EQ(captured + dropped, uint64_t{kSent}) << statistics;
  EXPECT_GT(dropped, 0u) << "the ring did not overflow: " << statistics;
  EXPECT_GT(json_field(statistics, "ring_freezes"), 0u) << statistics;
  std::string problems;
  EXPECT_EQ(read_savefile(output, problems).size(), captured);
  EXPECT_EQ(problems, "");
}

// SIGUSR1 prints the statistics so far and the capture goes on.
TEST(CaptureCommand, Sigusr1PrintsTheStatisticsSoFar) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  TempDirectory directory;
  auto capture = start_capture({"-i", kReceiver, "-w", directory.file("out.pcap"), "--stats-format=json",
                                "udp port 6100"});
  send_udp(6100, 10, 3);
  std::this_thread::sleep_for(60ms);
  capture->send_signal(SIGUSR1);
  EXPECT_TRUE(capture->wait_for_stderr("{\"captured\":3,", 5s)) << capture->stderr_text();
  send_udp(6100, 10, 2);
  std::this_thread::sleep_for(60ms);
  capture->send_signal(SIGINT);
  ASSERT_EQ(capture->wait(), 0) << capture->stderr_text();
  EXPECT_NE(capture->stderr_text().find("{\"captured\":5,"), std::string::npos) << capture->stderr_text();
}

TEST(CaptureCommand, PcapngCarriesTheInterfaceAndItsStatistics) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  TempDirectory directory;
  const std::string output = directory.file("out.pcapng");
  auto capture = start_capture({"-i", kReceiver, "--format", "pcapng", "-w", output, "udp port 5353"});
  send_udp(5353, 30, 3);
  send_udp(5354, 30, 2);
  std::this_thread::sleep_for(50ms);
  capture->send_signal(SIGTERM);
  ASSERT_EQ(capture->wait(), 0) << capture->stderr_text();

  capture::SavefileError error;
  auto source = capture::open_savefile(output, error);
  ASSERT_TRUE(source) << error.describe(output);
  capture::Batch batch;
  size_t packets = 0;
  bool statistics_block = false;
  bool more = true;
  while (more) {
    more = source->next(batch);
    packets += batch.packets.size();
    for (const capture::Block& block : batch.blocks) statistics_block |= block.type == 5;
  }
  EXPECT_FALSE(source->error()) << source->error()->describe(output);
  EXPECT_EQ(packets, 3u);
  EXPECT_TRUE(statistics_block) << "no Interface Statistics Block";
  ASSERT_EQ(source->interfaces().size(), 1u);
  EXPECT_EQ(source->interfaces()[0].name, kReceiver);
  EXPECT_EQ(source->interfaces()[0].filter, std::optional<std::string>("udp port 5353"));
  EXPECT_EQ(source->interfaces()[0].ticks_per_second, 1000000000u);
  // libpcap reads it whole.
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* pcap = pcap_open_offline(output.c_str(), errbuf);
  ASSERT_NE(pcap, nullptr) << errbuf;
  pcap_pkthdr* header;
  const u_char* data;
  int read = 0, status;
  while ((status = pcap_next_ex(pcap, &header, &data)) == 1) ++read;
  EXPECT_EQ(status, PCAP_ERROR_BREAK) << pcap_geterr(pcap);
  EXPECT_EQ(read, 3);
  pcap_close(pcap);
}

TEST(CaptureCommand, PrintsSummaryLinesLikeBpfcFilter) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  TempDirectory directory;
  const std::string lines = directory.file("lines.txt");
  const std::string saved = directory.file("saved.pcap");
  // -t: without timestamps (two sockets stamp the same packet apart).
  auto printing = start_capture({"-i", kReceiver, "-t", "udp"}, lines);
  auto writing = start_capture({"-i", kReceiver, "-w", saved, "udp"});
  send_udp(53, 20);
  send_udp(5000, 100);
  std::this_thread::sleep_for(50ms);
  printing->send_signal(SIGINT);
  writing->send_signal(SIGINT);
  ASSERT_EQ(printing->wait(), 0);
  ASSERT_EQ(writing->wait(), 0);
  // The lines are bpfc filter's lines for the same packets.
  const auto filtered = run_process({BPFC_BINARY, "filter", "-t", "-r", saved});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  std::ifstream in(lines);
  const std::string printed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(printed, filtered.out);
  EXPECT_NE(printed.find("> 10.9.0.3.53: UDP, length 20\n"), std::string::npos) << printed;
}

TEST(CaptureCommand, CountOnlyAndCountLimit) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  TempDirectory directory;
  const std::string counted = directory.file("count.txt");
  auto counting = start_capture({"-i", kReceiver, "--count-only", "udp port 6000"}, counted);
  auto limited = start_capture({"-i", kReceiver, "-c", "2", "-w", directory.file("two.pcap"), "udp port 6000"});
  send_udp(6000, 10, 5);
  send_udp(6001, 10, 5);
  EXPECT_EQ(limited->wait(), 0) << limited->stderr_text();  // ends by itself after 2
  std::this_thread::sleep_for(50ms);
  counting->send_signal(SIGINT);
  ASSERT_EQ(counting->wait(), 0);
  std::ifstream in(counted);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "5 packets\n");
  std::string problems;
  EXPECT_EQ(read_savefile(directory.file("two.pcap"), problems).size(), 2u);
  EXPECT_NE(limited->stderr_text().find("2 packets captured\n"), std::string::npos) << limited->stderr_text();
}

// A program the kernel refuses (protochain's loop) runs in user space,
// with one warning, and keeps the same packets.
TEST(CaptureCommand, KernelRefusalFallsBackToUserSpaceWithAWarning) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  TempDirectory directory;
  auto capture = start_capture({"-i", kReceiver, "-w", directory.file("out.pcap"), "ip protochain 17"});
  send_udp(53, 20, 2);
  send_tcp_syn(80);
  std::this_thread::sleep_for(50ms);
  capture->send_signal(SIGINT);
  ASSERT_EQ(capture->wait(), 0);
  const std::string text = capture->stderr_text();
  EXPECT_NE(text.find("warning: filtering in user space: the kernel refuses the program"), std::string::npos)
      << text;
  std::string problems;
  EXPECT_EQ(read_savefile(directory.file("out.pcap"), problems).size(), 2u);
}

TEST(CaptureCommand, ErrorsPeopleHit) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  auto missing = run_process({BPFC_BINARY, "capture", "-i", "nosuch0"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "bpfc: nosuch0: no such interface\n");
  std::string ip_error;
  ASSERT_TRUE(run_ip({"link", "add", "vdown2", "type", "veth", "peer", "name", "vdown3"}, ip_error)) << ip_error;
  auto down = run_process({BPFC_BINARY, "capture", "-i", "vdown2"});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("vdown2: the interface is down"), std::string::npos) << down.err;
  auto huge = run_process({BPFC_BINARY, "capture", "-i", kReceiver, "--block-size", "1073741824", "--blocks", "65536"});
  EXPECT_EQ(huge.exit_code, 1);
  EXPECT_NE(huge.err.find("ask for less with -B"), std::string::npos) << huge.err;
  auto bad_filter = run_process({BPFC_BINARY, "capture", "-i", kReceiver, "tcp port"});
  EXPECT_EQ(bad_filter.exit_code, 1) << bad_filter.err;
  if (testsupport::program_available("setpriv")) {
    auto unprivileged = run_process({"setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
                                     "--inh-caps", "-all", BPFC_BINARY, "capture", "-i", kReceiver});
    EXPECT_EQ(unprivileged.exit_code, 1) << unprivileged.err;
    EXPECT_NE(unprivileged.err.find("CAP_NET_RAW"), std::string::npos) << unprivileged.err;
  }
  auto usage = run_process({BPFC_BINARY, "capture", "udp"});
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
}

// A device whose frames bpfc has no link type for: a tun device given the
// hardware type of a SocketCAN interface (TUNSETLINK), so that no kernel
// module is needed. The message names the type and the way out ('any').
TEST(CaptureCommand, LinkTypeNotCoveredIsAClearError) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  const int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (tun < 0) GTEST_SKIP() << "/dev/net/tun cannot be opened: " << std::strerror(errno);
  ifreq request{};
  std::strncpy(request.ifr_name, "cantun0", IFNAMSIZ - 1);
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  ASSERT_EQ(ioctl(tun, TUNSETIFF, &request), 0) << std::strerror(errno);
  ASSERT_EQ(ioctl(tun, TUNSETLINK, static_cast<unsigned long>(ARPHRD_CAN)), 0) << std::strerror(errno);
  std::string ip_error;
  ASSERT_TRUE(run_ip({"link", "set", "cantun0", "up"}, ip_error)) << ip_error;
  auto refused = run_process({BPFC_BINARY, "capture", "-i", "cantun0", "-c", "1"});
  close(tun);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("cantun0: hardware type " + std::to_string(ARPHRD_CAN) +
                             " (ARPHRD_) is not a link type bpfc captures; capture on 'any'"),
            std::string::npos)
      << refused.err;
}

TEST(CaptureCommand, ListsInterfaces) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  auto listing = run_process({BPFC_BINARY, "capture", "-D"});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  EXPECT_NE(listing.out.find(std::to_string(interface_index(kSender)) + ".va EN10MB [Up, Running] 10.9.0.1"),
            std::string::npos)
      << listing.out;
  EXPECT_NE(listing.out.find(".lo EN10MB [Loopback]"), std::string::npos) << listing.out;
  EXPECT_NE(listing.out.find("0.any LINUX_SLL2"), std::string::npos) << listing.out;
}

}  // namespace
}  // namespace bpfc::livetest
