// libpcap as the oracle (test-only): every corpus pcapng is read by bpfc
// exactly as libpcap reads it, or refused by both; and every file bpfc
// writes, pcap and pcapng, µs and ns, is read by libpcap's
// pcap_open_offline and printed by `tcpdump -r FILE -n -tt -xx` exactly as
// the file it was copied from.
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "bpfc/capture/linktype_map.h"
#include "bpfc/capture/savefile.h"
#include "collected_packets.h"
#include "pcap_bytes.h"
#include "pcapng_bytes.h"
#include "savefile_copy.h"

namespace bpfc::capture {
namespace {

using testing::collect;
using testing::CollectedPackets;
using testing::copy_savefile;
using testing::opt_comment;
using testing::opt_end;
using testing::opt_string;
using testing::opt_u64;
using testing::opt_u8;
using testing::PcapngBytes;
using testing::read_file_bytes;
using testing::TempPath;
using testing::test_payload;
using testing::write_file_bytes;

// A packet as both libraries can describe it.
struct Seen {
  int64_t timestamp_ns;
  uint32_t caplen;
  uint32_t wirelen;
  uint32_t dlt;
  std::vector<uint8_t> bytes;
  bool operator==(const Seen&) const = default;
};

void PrintTo(const Seen& s, std::ostream* out) {
  *out << "{ts " << s.timestamp_ns << ", caplen " << s.caplen << ", len " << s.wirelen << ", dlt " << s.dlt << ", "
       << s.bytes.size() << " bytes}";
}

struct Reading {
  bool opened = false;
  bool failed_later = false;  // an error after opening
  std::string error;
  std::vector<Seen> packets;
};

Reading read_with_libpcap(const std::string& path) {
  Reading reading;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (pcap == nullptr) {
    reading.error = errbuf;
    return reading;
  }
  reading.opened = true;
  const auto dlt = static_cast<uint32_t>(pcap_datalink(pcap));
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  for (;;) {
    const int status = pcap_next_ex(pcap, &header, &data);
    if (status == 1) {
      reading.packets.push_back({static_cast<int64_t>(header->ts.tv_sec) * 1000000000 + header->ts.tv_usec,
                                 header->caplen, header->len, dlt, std::vector<uint8_t>(data, data + header->caplen)});
      continue;
    }
    if (status == PCAP_ERROR) {
      reading.failed_later = true;
      reading.error = pcap_geterr(pcap);
    }
    break;
  }
  pcap_close(pcap);
  return reading;
}

Reading read_with_bpfc(const std::string& path) {
  Reading reading;
  SavefileError error;
  auto source = open_savefile(path, error);
  if (!source) {
    reading.error = error.message;
    return reading;
  }
  reading.opened = true;
  const CollectedPackets got = collect(*source);
  for (const auto& p : got.packets) {
    reading.packets.push_back({p.timestamp_ns, p.caplen, p.wirelen, dlt_from_linktype(p.linktype), p.bytes});
  }
  if (got.error) {
    reading.failed_later = true;
    reading.error = got.error->message;
  }
  return reading;
}

void expect_same_packets(const std::vector<Seen>& bpfc, const std::vector<Seen>& libpcap, int64_t unit = 1) {
  EXPECT_EQ(bpfc.size(), libpcap.size());
  for (size_t i = 0; i < std::min(bpfc.size(), libpcap.size()); ++i) {
    Seen expected = libpcap[i];
    expected.timestamp_ns -= expected.timestamp_ns % unit;
    Seen got = bpfc[i];
    got.timestamp_ns -= got.timestamp_ns % unit;
    if (got != expected) {
      ADD_FAILURE() << "packet " << i << ": bpfc " << ::testing::PrintToString(got) << ", libpcap "
                    << ::testing::PrintToString(expected);
      return;
    }
  }
}

std::vector<std::filesystem::path> corpus_files(const std::string& extension) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(BPFC_TEST_DIR) / "corpus" / "pcaps")) {
    if (entry.path().extension() == extension) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(LibpcapReadback, CorpusPcapngFilesAreReadAsLibpcapReadsThem) {
  const auto files = corpus_files(".pcapng");
  ASSERT_GE(files.size(), 4u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    const Reading libpcap = read_with_libpcap(file.string());
    const Reading bpfc = read_with_bpfc(file.string());
    // Refused by both (libpcap reads ahead to the first interface when
    // opening, and so does bpfc), or read the same.
    EXPECT_EQ(bpfc.opened, libpcap.opened) << "libpcap: " << libpcap.error << "; bpfc: " << bpfc.error;
    EXPECT_EQ(bpfc.failed_later, libpcap.failed_later) << "libpcap: " << libpcap.error << "; bpfc: " << bpfc.error;
    expect_same_packets(bpfc.packets, libpcap.packets);
  }
}

// The libpcap messages for the corpus files libpcap refuses (the corpus's
// reject list, from a newer libpcap), and bpfc's.
TEST(LibpcapReadback, CorpusRefusalsNameTheSameProblems) {
  const std::string dir = std::string(BPFC_TEST_DIR) + "/corpus/pcaps/";
  struct Refusal {
    std::string file;
    std::string message;
    uint64_t offset;
  };
  const Refusal refusals[] = {
      {"pcapng-invalid-vers-1.pcapng", "unsupported pcapng savefile version 0.1", 0},
      {"pcapng-invalid-vers-2.pcapng", "unsupported pcapng savefile version 1.1", 0},
      // libpcap ignores this SHB's options and trailer and stumbles on the
      // IDB that follows; bpfc checks the SHB like every other block.
      {"shb-option-too-long.pcapng", "block total length in header 52 and trailer 808464432 don't match", 0},
  };
  for (const Refusal& r : refusals) {
    SavefileError error;
    EXPECT_FALSE(open_savefile(dir + r.file, error)) << r.file;
    EXPECT_EQ(error.message, r.message) << r.file;
    EXPECT_EQ(error.offset, r.offset) << r.file;
  }
}

// Single-byte-order, single-link-type pcapng files libpcap accepts, with
// every block type and timestamp unit it can scale without overflow.
std::vector<std::pair<std::string, std::vector<uint8_t>>> synthetic_pcapng_files() {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> files;
  for (const bool big_endian : {false, true}) {
    for (const uint8_t tsresol : {uint8_t{6}, uint8_t{9}, uint8_t{3}, uint8_t{0x80 | 20}, uint8_t{0x80 | 10}}) {
      uint64_t ticks_per_second = 1;
      if (tsresol & 0x80) {
        ticks_per_second = uint64_t{1} << (tsresol & 0x7F);
      } else {
        for (int i = 0; i < tsresol; ++i) ticks_per_second *= 10;
      }
      PcapngBytes file(big_endian, {opt_string(4, "synthetic"), opt_end()});
      file.idb(1, 0, {opt_u8(9, tsresol), opt_string(2, "eth0"), opt_end()});
      file.idb(1, 0, {opt_u8(9, tsresol), opt_u64(14, 3600)});
      for (uint32_t i = 0; i < 30; ++i) {
        const uint64_t ticks = (1700000000ull + i) * ticks_per_second + (uint64_t{i} * 104729 * 7919) % ticks_per_second;
        file.epb(i % 2, ticks, test_payload(42 + i * 47, i), 42 + i * 47 + i % 3, {opt_comment("p"), opt_end()});
        if (i == 10) file.nrb_ipv4({10, 1, 2, 3}, "h").isb(0, ticks, {opt_u64(4, 11)}).dsb(1, test_payload(7, i));
        if (i == 15) file.custom(testing::kNgCustom, 32473, test_payload(8, i)).pb(1, 0, ticks, test_payload(77, i));
        if (i == 20) {
          file.shb(big_endian).idb(1, 0, {opt_u8(9, tsresol)}).idb(1, 0, {opt_u8(9, tsresol)});
          file.spb(200, test_payload(200, i));
        }
      }
      files.push_back({std::string(big_endian ? "be-" : "le-") + std::to_string(tsresol), file.bytes()});
    }
  }
  return files;
}

TEST(LibpcapReadback, SyntheticPcapngFilesAreReadAsLibpcapReadsThem) {
  for (const auto& [name, bytes] : synthetic_pcapng_files()) {
    SCOPED_TRACE(name);
    TempPath path(name + ".pcapng");
    write_file_bytes(path.path(), bytes);
    const Reading libpcap = read_with_libpcap(path.string());
    ASSERT_TRUE(libpcap.opened) << libpcap.error;
    EXPECT_FALSE(libpcap.failed_later) << libpcap.error;
    const Reading bpfc = read_with_bpfc(path.string());
    ASSERT_TRUE(bpfc.opened) << bpfc.error;
    EXPECT_FALSE(bpfc.failed_later) << bpfc.error;
    EXPECT_EQ(bpfc.packets.size(), 32u);
    expect_same_packets(bpfc.packets, libpcap.packets);
  }
}

// Rewrites `input` into `format`, µs or ns, as `bpfc filter -w` would.
bool rewrite(const std::string& input, const std::string& output, SavefileFormat format, bool nanosecond) {
  SavefileError error;
  auto source = open_savefile(input, error);
  if (!source) return false;
  WriterOptions options;
  options.format = format;
  options.nanosecond = nanosecond;
  options.linktype = source->interfaces().empty() ? 1 : source->interfaces()[0].linktype;
  options.snaplen = 262144;
  auto sink = create_savefile(output, options, error);
  if (!sink) return false;
  copy_savefile(*source, *sink);  // a damaged input still gives its good packets
  return sink->flush();
}

struct Written {
  std::string name;
  SavefileFormat format;
  bool nanosecond;
};
const Written kOutputs[] = {{"us.pcap", SavefileFormat::Pcap, false},
                            {"ns.pcap", SavefileFormat::Pcap, true},
                            {"us.pcapng", SavefileFormat::Pcapng, false},
                            {"ns.pcapng", SavefileFormat::Pcapng, true}};

// libpcap reads the file bpfc wrote exactly as bpfc read the input (to the
// microsecond for µs outputs of finer inputs).
bool check_written_files(const std::string& name, const std::string& input) {
  const Reading original = read_with_bpfc(input);
  if (!original.opened) return false;
  for (const Written& w : kOutputs) {
    SCOPED_TRACE(name + " -> " + w.name);
    TempPath output(w.name);
    EXPECT_TRUE(rewrite(input, output.string(), w.format, w.nanosecond));
    const Reading libpcap = read_with_libpcap(output.string());
    EXPECT_TRUE(libpcap.opened) << libpcap.error;
    EXPECT_FALSE(libpcap.failed_later) << libpcap.error;
    const bool copied_pcapng = w.format == SavefileFormat::Pcapng && input.ends_with(".pcapng");
    expect_same_packets(original.packets, libpcap.packets, w.nanosecond || copied_pcapng ? 1 : 1000);
  }
  return true;
}

TEST(LibpcapReadback, FilesBpfcWritesFromTheCorpus) {
  size_t checked = 0;
  std::string refused;
  for (const std::string extension : {".pcap", ".pcapng"}) {
    for (const auto& file : corpus_files(extension)) {
      if (check_written_files(file.filename().string(), file.string())) {
        ++checked;
      } else {
        refused += " " + file.filename().string();
      }
    }
  }
  EXPECT_GE(checked, 37u) << "refused:" << refused;
}

TEST(LibpcapReadback, FilesBpfcWritesFromSyntheticPcapng) {
  for (const auto& [name, bytes] : synthetic_pcapng_files()) {
    TempPath input(name + ".pcapng");
    write_file_bytes(input.path(), bytes);
    check_written_files(name, input.string());
  }
}

TEST(LibpcapReadback, AnEmptyPcapngFromBpfcOpensInLibpcap) {
  TempPath path("empty.pcapng");
  {
    WriterOptions options;
    options.format = SavefileFormat::Pcapng;
    options.linktype = 113;
    options.snaplen = 9000;
    SavefileError error;
    auto sink = create_savefile(path.string(), options, error);
    ASSERT_TRUE(sink) << error.message;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_open_offline(path.string().c_str(), errbuf);
  ASSERT_NE(pcap, nullptr) << errbuf;
  EXPECT_EQ(pcap_datalink(pcap), 113);
  EXPECT_EQ(pcap_snapshot(pcap), 9000);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  EXPECT_EQ(pcap_next_ex(pcap, &header, &data), PCAP_ERROR_BREAK);  // end of file, no packets
  pcap_close(pcap);
}

// --- tcpdump -------------------------------------------------------------

std::optional<std::string> find_tcpdump() {
  for (const char* dir : {"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin"}) {
    const std::string path = std::string(dir) + "/tcpdump";
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return std::nullopt;
}

// tcpdump's printout of a savefile: numeric only (-n: no name lookups),
// absolute timestamps, every byte in hex. Only files, never an interface.
std::string tcpdump_print(const std::string& tcpdump, const std::string& file) {
  const std::string command = tcpdump + " -r '" + file + "' -n -tt -xx 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "<popen failed>";
  std::string text;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
  pclose(pipe);
  return text;
}

TEST(LibpcapReadback, TcpdumpPrintsBpfcsCopiesLikeTheOriginals) {
  const std::optional<std::string> tcpdump = find_tcpdump();
  if (!tcpdump) GTEST_SKIP() << "tcpdump is not installed; skipping the tcpdump comparison";
  std::vector<std::pair<std::string, std::string>> inputs;  // name, path
  for (const std::string extension : {".pcap", ".pcapng"}) {
    for (const auto& file : corpus_files(extension)) inputs.push_back({file.filename().string(), file.string()});
  }
  std::vector<std::unique_ptr<TempPath>> synthetic;
  for (const auto& [name, bytes] : synthetic_pcapng_files()) {
    synthetic.push_back(std::make_unique<TempPath>(name + ".pcapng"));
    write_file_bytes(synthetic.back()->path(), bytes);
    inputs.push_back({name, synthetic.back()->string()});
  }
  size_t compared = 0;
  for (const auto& [name, input] : inputs) {
    if (!read_with_bpfc(input).opened) continue;
    const std::string expected = tcpdump_print(*tcpdump, input);
    if (expected.empty()) continue;  // tcpdump could not read the original either
    ++compared;
    for (const Written& w : kOutputs) {
      SCOPED_TRACE(name + " -> " + w.name);
      TempPath output(w.name);
      ASSERT_TRUE(rewrite(input, output.string(), w.format, w.nanosecond));
      const std::string got = tcpdump_print(*tcpdump, output.string());
      if (got != expected) {
        // Show the first differing line rather than two whole printouts.
        size_t at = 0;
        while (at < got.size() && at < expected.size() && got[at] == expected[at]) ++at;
        const size_t line = expected.rfind('\n', at) == std::string::npos ? 0 : expected.rfind('\n', at) + 1;
        ADD_FAILURE() << "tcpdump differs at byte " << at << ":\n  original: "
                      << expected.substr(line, expected.find('\n', line) - line) << "\n  copy:     "
                      << got.substr(line, got.find('\n', line) - line);
      }
    }
  }
  EXPECT_GE(compared, 40u);
}

}  // namespace
}  // namespace bpfc::capture
