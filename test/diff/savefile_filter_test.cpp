// `bpfc filter -r F -w out EXPR` against libpcap: for every savefile of the
// corpus and a set of expressions, the output must hold exactly the packets
// that pcap_compile(optimize=1) + pcap_offline_filter() keep on
// pcap_open_offline(F), in order, with the same timestamps, lengths and
// bytes. An expression libpcap refuses for the file's link type must be
// refused by bpfc too. Files libpcap cannot open are skipped with the reason.
#include <pcap/pcap.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../support/process.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

#ifdef BPFC_SANITIZED_BUILD
constexpr size_t kExpressionStride = 8;
#else
constexpr size_t kExpressionStride = 1;
#endif

// Numeric only: libpcap must never be handed a name to resolve.
const std::vector<std::string> kExpressions = {
    "",
    "ip",
    "ip6",
    "tcp",
    "udp",
    "icmp",
    "icmp6",
    "arp",
    "rarp",
    "vlan",
    "vlan and ip",
    "tcp port 80",
    "udp port 53 or udp port 500",
    "port 4500",
    "len > 100",
    "len <= 64",
    "ether broadcast",
    "ether multicast",
    "not ip",
    "tcp[tcpflags] & tcp-syn != 0",
    "ip proto 51",
    "ip6 and udp",
    "host 10.20.30.41",
    "net 192.168.0.0/16",
    "ip[8] < 64",
    "ether[12:2] = 0x0800",
    "icmp[icmptype] = icmp-echo",
    "pppoes",
    "mpls",
    "ip multicast",
    "greater 200 and not tcp",
    "src port 1026 or dst port 80",
    "iso",
    "decnet",
    "stp",
};

// Run on the 802.11 savefiles (bare, radiotap, PPI) besides the above:
// frame-control tests, addresses in every role, link-layer broadcast and
// multicast, LLC, and protocols behind a header of variable length. The
// addresses are the corpus captures' access points and stations.
const std::vector<std::string> kWlanExpressions = {
    "type data",
    "type mgt subtype beacon",
    "subtype probe-resp or subtype probe-req",
    "type ctl and not subtype ack",
    "wlan type data subtype qos-data",
    "dir tods",
    "wlan dir fromds or dir nods",
    "wlan host 00:0c:41:82:b2:55",
    "wlan src 00:0d:93:82:36:3a",
    "wlan dst 90:a4:de:c0:46:0a",
    "wlan addr1 ff:ff:ff:ff:ff:ff",
    "wlan addr2 50:0f:80:70:18:d0 or wlan addr3 00:14:a5:cd:74:7b",
    "wlan addr4 00:00:00:00:00:00",
    "wlan ra 00:14:a5:cb:6e:1a",
    "wlan ta 40:40:a7:50:73:db",
    "wlan src 00:01:02:27:f9:b2 and wlan dst 00:14:a5:cb:6e:1a",
    "link broadcast",
    "link multicast",
    "llc",
    "llc u",
    "ip and tcp",
    "udp or arp",
    "ip6",
    "link[1] & 0x40 != 0",
    "radio[0] = 0",
    "ether proto 0x888e",
};
// libpcap 1.10.3's refusals that newer libpcap lifted (its accept corpus
// has them, test/corpus/accept/PPI.jsonl): bpfc follows the newer libpcap,
// and the accept-corpus test compares its programs with that one's.
const std::vector<std::string> kLiftedByNewerLibpcap = {
    "802.11 link-layer types supported only on 802.11",
    "frame direction supported only with 802.11 headers",
};
bool is_wlan_linktype(int linktype) {
  return linktype == 105 || linktype == 119 || linktype == 127 || linktype == 163 || linktype == 192;
}

// Link types whose savefiles 1.10.3 filters differently from the newer
// libpcap bpfc follows: their corpus savefiles are checked against the newer
// libpcap's per-packet results in the apply corpus instead.
const std::map<int, std::string> kNewerLibpcapLinktypes = {
    {7, "ARCnet: 1.10.3 also takes RFC 1051's system codes for IPv4 and ARP"},
    {129, "ARCnet (Linux): 1.10.3 also takes RFC 1051's system codes for IPv4 and ARP"},
    {165, "BACnet MS/TP: 1.10.3 compiles protocol tests to a preamble check, which newer libpcap refuses"},
    {281, "Broadcom tags: 1.10.3 compiles no protocol test for them"},
    {284, "Marvell DSA tags: 1.10.3 compiles no protocol test for them"},
};

// Savefiles libpcap 1.10.3 opens but bpfc's reader refuses on purpose, with
// the reason. Any other refusal fails the test.
const std::map<std::string, std::string> kRefusedByBpfc = {
    {"linktype-reserved-field-not-zero.pcap",
     "the link-type field's reserved bits are set; newer libpcap refuses the file too"},
};

struct OraclePacket {
  pcap_pkthdr header{};
  std::vector<uint8_t> data;
};

struct OracleFile {
  pcap_t* handle = nullptr;
  std::vector<OraclePacket> packets;
  ~OracleFile() {
    if (handle != nullptr) pcap_close(handle);
  }
};

struct Kept {
  int64_t timestamp_ns = 0;
  uint32_t wirelen = 0;
  std::vector<uint8_t> data;
  bool operator==(const Kept&) const = default;
};

int64_t nanoseconds(const pcap_pkthdr& header) {
  return static_cast<int64_t>(header.ts.tv_sec) * 1000000000 + header.ts.tv_usec;  // nano precision handle
}

// The packets libpcap reads from `path`, at nanosecond precision, or an error.
std::vector<Kept> read_output(const std::string& path, std::string& error) {
  std::vector<Kept> kept;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (handle == nullptr) {
    error = errbuf;
    return kept;
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int status;
  while ((status = pcap_next_ex(handle, &header, &data)) == 1) {
    kept.push_back({nanoseconds(*header), header->len, std::vector<uint8_t>(data, data + header->caplen)});
  }
  if (status == PCAP_ERROR) error = pcap_geterr(handle);
  pcap_close(handle);
  return kept;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// Where two packet lists first differ, for the failure message.
std::string first_difference(const std::vector<Kept>& ours, const std::vector<Kept>& theirs) {
  if (ours.size() != theirs.size()) {
    return "bpfc kept " + std::to_string(ours.size()) + " packets, libpcap " + std::to_string(theirs.size());
  }
  for (size_t i = 0; i < ours.size(); ++i) {
    if (ours[i] == theirs[i]) continue;
    if (ours[i].timestamp_ns != theirs[i].timestamp_ns) return "packet " + std::to_string(i + 1) + ": timestamps differ";
    if (ours[i].wirelen != theirs[i].wirelen) return "packet " + std::to_string(i + 1) + ": wire lengths differ";
    return "packet " + std::to_string(i + 1) + ": bytes differ";
  }
  return "";
}

TEST(DifferentialSavefileFilter, KeepsWhatLibpcapKeeps) {
  char scratch[] = "/tmp/bpfc-diff-filter-XXXXXX";
  ASSERT_NE(mkdtemp(scratch), nullptr);
  const std::string output = std::string(scratch) + "/out";

  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(kPcapsDir)) paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());

  std::vector<std::string> failures, skipped;
  std::map<std::string, uint64_t> unsupported;  // bpfc's message -> runs
  uint64_t files = 0, runs = 0, compared = 0, both_refused = 0, packets_kept = 0, wlan_files = 0, lifted = 0,
           newer_semantics = 0;
  for (const auto& path : paths) {
    const std::string name = path.filename().string();
    OracleFile oracle;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    oracle.handle = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (oracle.handle == nullptr) {
      // bpfc must refuse it too, as not a (readable) savefile: status 1.
      testsupport::ProcessResult ours = testsupport::run_process({BPFC_BINARY, "filter", "-r", path.string()});
      if (ours.exit_code != 1 || ours.err.find(path.string() + ":") == std::string::npos) {
        failures.push_back(name + ": libpcap refuses it (" + errbuf + ") but bpfc gives status " +
                           std::to_string(ours.exit_code) + ": " + first_line(ours.err));
      }
      skipped.push_back(name + ": refused by both: libpcap: " + errbuf + "; " + first_line(ours.err));
      continue;
    }
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(oracle.handle, &header, &data) == 1) {
      oracle.packets.push_back({*header, std::vector<uint8_t>(data, data + header->caplen)});
    }
    ++files;
    // Every run starts the bpfc binary; under the sanitizers a start costs a
    // quarter of a second, so there each file gets every kExpressionStride-th
    // expression (rotating, so that every expression still meets most files)
    // and the Release build runs the whole matrix.
    std::vector<std::string> expressions = kExpressions;
    const int linktype = pcap_datalink(oracle.handle);
    if (is_wlan_linktype(linktype)) {
      expressions.insert(expressions.end(), kWlanExpressions.begin(), kWlanExpressions.end());
      ++wlan_files;
    }
    for (size_t e = files % kExpressionStride; e < expressions.size(); e += kExpressionStride) {
      const std::string& expression = expressions[e];
      const std::string label = name + " '" + expression + "'";
      std::vector<std::string> args = {BPFC_BINARY, "filter", "-r", path.string(), "-w", output};
      if (!expression.empty()) args.push_back(expression);
      std::remove(output.c_str());
      testsupport::ProcessResult ours = testsupport::run_process(args);
      ++runs;

      bpf_program program{};
      bool libpcap_accepts =
          pcap_compile(oracle.handle, &program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
      std::string libpcap_error = libpcap_accepts ? "" : pcap_geterr(oracle.handle);
      std::vector<Kept> theirs;
      if (libpcap_accepts) {
        for (const OraclePacket& packet : oracle.packets) {
          if (pcap_offline_filter(&program, &packet.header, packet.data.data()) != 0) {
            theirs.push_back({nanoseconds(packet.header), packet.header.len, packet.data});
          }
        }
        pcap_freecode(&program);
      }

      if (ours.exit_code != 0 && kRefusedByBpfc.count(name) != 0) {
        skipped.push_back(name + ": bpfc's reader refuses it (" + kRefusedByBpfc.at(name) + "): " +
                          first_line(ours.err));
        break;
      }
      if (kNewerLibpcapLinktypes.count(linktype) != 0 && (ours.exit_code == 0 || ours.exit_code == 1)) {
        ++newer_semantics;
        continue;
      }
      if (ours.exit_code != 0) {
        bool compile_refusal = ours.exit_code == 1 && ours.err.find(path.string() + ":") == std::string::npos;
        if (!compile_refusal) {
          failures.push_back(label + ": bpfc failed (status " + std::to_string(ours.exit_code) +
                             "): " + first_line(ours.err));
        } else if (!libpcap_accepts) {
          ++both_refused;
        } else if (is_covered_dlt(static_cast<uint32_t>(linktype))) {
          failures.push_back(label + ": bpfc refuses on a link type it covers what libpcap accepts: " +
                             first_line(ours.err));
        } else if (ours.err.find("not supported") != std::string::npos ||
                   ours.err.find("not implemented") != std::string::npos) {
          ++unsupported[first_line(ours.err)];
        } else {
          failures.push_back(label + ": bpfc refuses what libpcap accepts: " + first_line(ours.err));
        }
        continue;
      }
      if (!libpcap_accepts) {
        if (std::find(kLiftedByNewerLibpcap.begin(), kLiftedByNewerLibpcap.end(), libpcap_error) !=
            kLiftedByNewerLibpcap.end()) {
          ++lifted;
          continue;
        }
        failures.push_back(label + ": bpfc accepts what libpcap refuses (" + libpcap_error + ")");
        continue;
      }
      std::string read_error;
      std::vector<Kept> kept = read_output(output, read_error);
      if (!read_error.empty()) {
        failures.push_back(label + ": libpcap cannot read bpfc's output: " + read_error);
        continue;
      }
      ++compared;
      packets_kept += kept.size();
      if (kept != theirs) failures.push_back(label + ": " + first_difference(kept, theirs));
    }
  }
  std::filesystem::remove_all(scratch);

  uint64_t unsupported_runs = 0;
  for (const auto& entry : unsupported) unsupported_runs += entry.second;
  std::cout << "[diff] savefile filter: " << files << " savefiles x " << kExpressions.size() << " expressions, "
            << wlan_files << " 802.11 savefiles x " << kWlanExpressions.size() << " more"
            << (kExpressionStride > 1 ? " (every " + std::to_string(kExpressionStride) + "th per file)" : "") << " = "
            << runs << " runs; " << compared << " outputs compared with libpcap's selection (" << packets_kept
            << " packets kept), " << both_refused << " refused by both, " << unsupported_runs
            << " unsupported by bpfc, " << lifted << " accepted as by newer libpcap (1.10.3 refuses), "
            << newer_semantics << " on link types where 1.10.3 is no oracle (the apply corpus checks them), "
            << failures.size() << " failures\n";
  for (const std::string& reason : skipped) std::cout << "[diff]   skipped " << reason << "\n";
  for (const auto& [message, count] : unsupported) {
    std::cout << "[diff]   unsupported by bpfc (" << count << " runs): " << message << "\n";
  }
  for (size_t i = 0; i < failures.size() && i < 40; ++i) std::cout << "[diff] FAILURE " << failures[i] << "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures (details above)";
  // The whole matrix compares 842 outputs today; the sanitizer build runs an
  // eighth of it.
  EXPECT_GT(compared, 500u / kExpressionStride);
}

}  // namespace
}  // namespace bpfc::difftest
