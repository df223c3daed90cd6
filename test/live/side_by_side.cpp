#include "side_by_side.h"

#include <signal.h>

#include <algorithm>
#include <array>
#include <memory>
#include <thread>

#include "background_process.h"
#include "bpfc/capture/savefile.h"
#include "veth_fixture.h"

namespace bpfc::livetest {
namespace {

using namespace std::chrono_literals;

std::string hex_prefix(const std::vector<uint8_t>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string text;
  for (size_t i = 0; i < std::min<size_t>(bytes.size(), 24); ++i) {
    text += digits[bytes[i] >> 4];
    text += digits[bytes[i] & 15];
  }
  return text + (bytes.size() > 24 ? "..." : "");
}

// A frame of the local experimental EtherType 0x88b5, broadcast.
constexpr uint8_t kMarkerType[2] = {0x88, 0xb5};

std::vector<uint8_t> marker_frame() {
  std::vector<uint8_t> frame(60, 0);
  std::fill(frame.begin(), frame.begin() + 6, 0xff);
  const std::array<uint8_t, 6> from = mac_address(kSender);
  std::copy(from.begin(), from.end(), frame.begin() + 6);
  frame[12] = kMarkerType[0];
  frame[13] = kMarkerType[1];
  return frame;
}

// The marker as an Ethernet frame or with a LINUX_SLL2 header (protocol first).
bool is_marker(const SavedPacket& p) {
  const auto& b = p.bytes;
  return (b.size() > 13 && b[12] == kMarkerType[0] && b[13] == kMarkerType[1]) ||
         (b.size() > 1 && b[0] == kMarkerType[0] && b[1] == kMarkerType[1]);
}

}  // namespace

std::vector<SavedPacket> read_savefile(const std::string& path, std::string& problems) {
  std::vector<SavedPacket> packets;
  capture::SavefileError error;
  auto source = capture::open_savefile(path, error);
  if (!source) {
    problems += error.describe(path) + "\n";
    return packets;
  }
  capture::Batch batch;
  bool more = true;
  while (more) {
    more = source->next(batch);
    for (const capture::Packet& packet : batch.packets) {
      packets.push_back({packet.wirelen, std::vector<uint8_t>(packet.data, packet.data + packet.caplen)});
    }
  }
  if (source->error()) problems += source->error()->describe(path) + "\n";
  return packets;
}

std::string describe_difference(std::vector<SavedPacket> expected, std::vector<SavedPacket> actual) {
  std::sort(expected.begin(), expected.end());
  std::sort(actual.begin(), actual.end());
  if (expected == actual) return "";
  std::vector<SavedPacket> only_expected, only_actual;
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                      std::back_inserter(only_expected));
  std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(), std::back_inserter(only_actual));
  std::string text = std::to_string(expected.size()) + " packets from tcpdump, " + std::to_string(actual.size()) +
                     " from bpfc;";
  for (const SavedPacket& p : only_expected) {
    text += "\n  only tcpdump: len " + std::to_string(p.wirelen) + " caplen " + std::to_string(p.bytes.size()) + " " +
            hex_prefix(p.bytes);
  }
  for (const SavedPacket& p : only_actual) {
    text += "\n  only bpfc:    len " + std::to_string(p.wirelen) + " caplen " + std::to_string(p.bytes.size()) + " " +
            hex_prefix(p.bytes);
  }
  return text;
}

std::vector<CaseOutcome> capture_side_by_side(const std::vector<CaptureCase>& cases, const std::function<void()>& send) {
  TempDirectory directory;
  struct Running {
    std::string tcpdump_file, bpfc_file;
    std::unique_ptr<BackgroundProcess> tcpdump, bpfc;
  };
  std::vector<Running> running;
  for (size_t i = 0; i < cases.size(); ++i) {
    const CaptureCase& c = cases[i];
    Running r;
    r.tcpdump_file = directory.file("tcpdump-" + std::to_string(i) + ".pcap");
    r.bpfc_file = directory.file("bpfc-" + std::to_string(i) + ".pcap");
    // -s 4096 for tcpdump (no frame sent is longer; a case's own -s comes
    // later and wins): its immediate-mode TPACKET_V2 ring cuts -B into
    // frames sized by the snaplen, and 262144 leaves it a few dozen, which a
    // busy machine overflows.
    std::vector<std::string> tcpdump = {"tcpdump", "-i", c.device, "-w", r.tcpdump_file, "-Z", "root", "-U",
                                        "-B", "8192", "-s", "4096"};
    if (c.tcpdump_immediate) tcpdump.push_back("--immediate-mode");
    tcpdump.insert(tcpdump.end(), c.tcpdump_options.begin(), c.tcpdump_options.end());
    if (!c.filter.empty()) tcpdump.push_back(c.filter);
    std::vector<std::string> bpfc = {BPFC_BINARY, "capture", "-i", c.device, "-w", r.bpfc_file, "-B", "8192"};
    bpfc.insert(bpfc.end(), c.bpfc_options.begin(), c.bpfc_options.end());
    if (!c.filter.empty()) {
      bpfc.push_back("--");
      bpfc.push_back(c.filter);
    }
    r.tcpdump = std::make_unique<BackgroundProcess>(tcpdump);
    r.bpfc = std::make_unique<BackgroundProcess>(bpfc);
    running.push_back(std::move(r));
  }
  std::vector<CaseOutcome> outcomes(cases.size());
  for (size_t i = 0; i < running.size(); ++i) {
    if (!running[i].tcpdump->wait_for_stderr("listening on", 10s)) {
      outcomes[i].problems += "tcpdump did not start listening: " + running[i].tcpdump->stderr_text() + "\n";
    }
    if (!running[i].bpfc->wait_for_stderr("listening on", 10s)) {
      outcomes[i].problems += "bpfc did not start listening: " + running[i].bpfc->stderr_text() + "\n";
    }
  }
  // libpcap filters the first ring slot after pcap_setfilter() in user
  // space, where it cannot read the packet type: tcpdump then drops the
  // first packet that `inbound` or `outbound` would keep on Ethernet. A
  // marker frame takes that slot; it is left out of the comparison.
  send_frame(kSender, marker_frame());
  std::this_thread::sleep_for(30ms);
  send();
  // Both hand packets over within a few milliseconds (tcpdump's immediate
  // mode, bpfc's block timeout), and bpfc waits for the last block on SIGINT.
  bool slow = false;
  for (const CaptureCase& c : cases) slow = slow || !c.tcpdump_immediate;
  std::this_thread::sleep_for(slow ? 1150ms : 150ms);
  for (Running& r : running) {
    r.tcpdump->send_signal(SIGINT);
    r.bpfc->send_signal(SIGINT);
  }
  for (size_t i = 0; i < running.size(); ++i) {
    Running& r = running[i];
    if (int status = r.tcpdump->wait(); status != 0) {
      outcomes[i].problems += "tcpdump ended with status " + std::to_string(status) + ": " + r.tcpdump->stderr_text();
    }
    if (int status = r.bpfc->wait(); status != 0) {
      outcomes[i].problems += "bpfc ended with status " + std::to_string(status) + ": " + r.bpfc->stderr_text();
    }
    outcomes[i].tcpdump = read_savefile(r.tcpdump_file, outcomes[i].problems);
    outcomes[i].bpfc = read_savefile(r.bpfc_file, outcomes[i].problems);
    std::erase_if(outcomes[i].tcpdump, is_marker);
    std::erase_if(outcomes[i].bpfc, is_marker);
    outcomes[i].stderr_texts = "tcpdump: " + r.tcpdump->stderr_text() + "bpfc: " + r.bpfc->stderr_text();
    // A comparison is only meaningful when neither lost packets.
    if (r.tcpdump->stderr_text().find("\n0 packets dropped by kernel") == std::string::npos ||
        r.bpfc->stderr_text().find("\n0 packets dropped by kernel") == std::string::npos) {
      outcomes[i].problems += "packets were dropped: " + outcomes[i].stderr_texts;
    }
  }
  return outcomes;
}

}  // namespace bpfc::livetest
