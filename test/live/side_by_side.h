// tcpdump and `bpfc capture` run side by side on the same device with the
// same filter (one pair per case, all at once), while the test sends
// traffic; then the savefiles they wrote are read back for comparison.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bpfc::livetest {

struct CaptureCase {
  std::string device;
  std::string filter;
  std::vector<std::string> tcpdump_options;  // e.g. {"-Q", "in"}
  std::vector<std::string> bpfc_options;     // the same in bpfc's spelling
  // tcpdump --immediate-mode: libpcap then uses a TPACKET_V2 ring, whose
  // frames it sizes so that -s N keeps 2 bytes less than N on Ethernet; the
  // snaplen cases compare with its TPACKET_V3 ring instead (packets handed
  // over after its 1 s block timeout).
  bool tcpdump_immediate = true;
};

// A packet as a savefile holds it, without its timestamp.
struct SavedPacket {
  uint32_t wirelen = 0;
  std::vector<uint8_t> bytes;
  auto operator<=>(const SavedPacket&) const = default;
};

struct CaseOutcome {
  std::vector<SavedPacket> tcpdump;
  std::vector<SavedPacket> bpfc;
  std::string stderr_texts;  // both programs' (their statistics), for failure messages
  std::string problems;  // empty when both ran, stopped with status 0, and wrote readable files
};

// Runs every case's pair, waits until all are listening, calls `send`, waits
// for the packets to be handed over, stops them all with SIGINT.
std::vector<CaseOutcome> capture_side_by_side(const std::vector<CaptureCase>& cases, const std::function<void()>& send);

// The packets of a savefile (appended to `problems` when it cannot be read).
std::vector<SavedPacket> read_savefile(const std::string& path, std::string& problems);

// "2 packets differ: only tcpdump has ...; only bpfc has ..." or empty.
std::string describe_difference(std::vector<SavedPacket> expected, std::vector<SavedPacket> actual);

}  // namespace bpfc::livetest
