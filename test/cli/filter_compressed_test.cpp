// `bpfc filter` on gzip, xz and zstd compressed savefiles: recognized by
// content (whatever the file is called), from a file, a mapping or standard
// input, with exactly the output the uncompressed file gives; a truncated
// compressed file is damage (exit status 3) after everything before the cut;
// compressed data that is no savefile is refused (exit status 1).
#include <gtest/gtest.h>

#include "../capture/compressors.h"
#include "cli_helpers.h"
#include "savefile_fixtures.h"

namespace bpfc::clitest {
namespace {

using testing::Codec;
using testing::codec_name;
using testing::compress;

constexpr Codec kCodecs[] = {Codec::Gzip, Codec::Xz, Codec::Zstd};

std::string as_text(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }
std::vector<uint8_t> as_bytes(const std::string& text) { return std::vector<uint8_t>(text.begin(), text.end()); }

// A few hundred TCP, UDP and ICMP frames over IPv4 and IPv6.
std::vector<PcapPacket> traffic() {
  std::vector<PcapPacket> packets;
  int64_t ts = 1700000000LL * 1000000000;
  for (uint16_t i = 0; i < 400; ++i) {
    Bytes frame;
    switch (i % 4) {
      case 0: frame = ethernet(0x0800, ipv4(6, tcp(40000 + i, i % 3 ? 80 : 443, 0x18, Bytes(i % 200, 'h')))); break;
      case 1: frame = ethernet(0x0800, ipv4(17, udp(5353, 53, Bytes(i % 90, 'q')))); break;
      case 2: frame = ethernet(0x86dd, ipv6(6, tcp(50000, 80, 0x02))); break;
      default: frame = ethernet(0x0800, ipv4(1, icmp(8, 0, {0, 1, 0, static_cast<uint8_t>(i)}))); break;
    }
    packets.push_back({ts += 1000000, std::move(frame), 0});
  }
  return packets;
}

class FilterCompressed : public ::testing::Test {
 protected:
  void SetUp() override {
    write_pcap(dir_.file("plain.pcap"), DLT_EN10MB, traffic());
    plain_ = read_file(dir_.file("plain.pcap"));
  }
  // `bpfc filter -r FILE -w OUT tcp port 80` on the plain file.
  ProcessResult filter_plain(const std::string& out) {
    return bpfc({"filter", "-r", dir_.file("plain.pcap"), "-w", out, "tcp", "port", "80"});
  }

  ScratchDir dir_;
  std::string plain_;
};

TEST_F(FilterCompressed, EachCodecGivesTheOutputOfThePlainFileWhateverTheName) {
  ProcessResult want = filter_plain(dir_.file("want.pcap"));
  ASSERT_EQ(want.exit_code, 0) << want.err;
  const std::string expected = read_file(dir_.file("want.pcap"));
  for (Codec codec : kCodecs) {
    SCOPED_TRACE(codec_name(codec));
    const std::string packed = as_text(compress(codec, as_bytes(plain_)));
    // Named like an uncompressed capture: the content decides.
    write_file(dir_.file("capture.pcap"), packed);
    for (std::vector<std::string> how : {std::vector<std::string>{}, std::vector<std::string>{"--no-mmap"}}) {
      std::vector<std::string> args = {"filter", "-r", dir_.file("capture.pcap"), "-w", dir_.file("got.pcap")};
      args.insert(args.end(), how.begin(), how.end());
      args.insert(args.end(), {"tcp", "port", "80"});
      ProcessResult got = bpfc(args);
      ASSERT_EQ(got.exit_code, 0) << got.err;
      EXPECT_EQ(got.err, want.err);
      EXPECT_EQ(read_file(dir_.file("got.pcap")), expected);
    }
    ProcessResult piped = bpfc({"filter", "-r", "-", "-w", "-", "tcp", "port", "80"}, packed);
    ASSERT_EQ(piped.exit_code, 0) << piped.err;
    EXPECT_EQ(piped.out, expected);
    // Summary lines too.
    ProcessResult lines = bpfc({"filter", "-r", dir_.file("capture.pcap"), "udp"});
    ProcessResult plain_lines = bpfc({"filter", "-r", dir_.file("plain.pcap"), "udp"});
    EXPECT_EQ(lines.exit_code, 0);
    EXPECT_EQ(lines.out, plain_lines.out);
  }
}

TEST_F(FilterCompressed, ATruncatedCompressedFileIsDamageAfterThePacketsBeforeTheCut) {
  ProcessResult whole = bpfc({"filter", "-r", dir_.file("plain.pcap")});
  ASSERT_EQ(whole.exit_code, 0);
  for (Codec codec : kCodecs) {
    SCOPED_TRACE(codec_name(codec));
    const std::string name = codec_name(codec);
    const std::string packed = as_text(compress(codec, as_bytes(plain_)));
    const size_t cut = packed.size() * 3 / 4;
    write_file(dir_.file("cut.pcap." + name), packed.substr(0, cut));
    ProcessResult r = bpfc({"filter", "-r", dir_.file("cut.pcap." + name), "-w", dir_.file("out.pcap")});
    // zstd decompresses a block at a time: a cut inside the only block
    // leaves nothing to read, which is a refusal rather than damage.
    if (r.exit_code == 1) {
      EXPECT_EQ(codec, Codec::Zstd) << r.err;
      EXPECT_NE(r.err.find("the zstd data is truncated: it ends after " + std::to_string(cut) + " compressed bytes"),
                std::string::npos)
          << r.err;
      continue;
    }
    EXPECT_EQ(r.exit_code, 3) << r.err;
    const std::string prefix = "bpfc: " + dir_.file("cut.pcap." + name) + ": byte offset ";
    EXPECT_EQ(r.err.rfind(prefix, 0), 0u) << r.err;
    EXPECT_NE(r.err.find(" of the decompressed " + name + " data: error reading dump file: the " + name +
                         " data is truncated: it ends after " + std::to_string(cut) + " compressed bytes"),
              std::string::npos)
        << r.err;
    // The output holds complete records: a prefix of the file's packets.
    LibpcapReading reading = read_with_libpcap(dir_.file("out.pcap"));
    ASSERT_TRUE(reading.opened) << reading.error;
    EXPECT_EQ(reading.error, "");
    ASSERT_GT(reading.packets.size(), 0u);
    std::vector<PcapPacket> all = traffic();
    ASSERT_LT(reading.packets.size(), all.size());
    for (size_t i = 0; i < reading.packets.size(); ++i) EXPECT_EQ(reading.packets[i].data, all[i].data) << i;
  }
}

TEST_F(FilterCompressed, CompressedDataThatIsNoSavefileIsRefused) {
  const std::string text = "GET / HTTP/1.1\r\n";
  for (Codec codec : kCodecs) {
    SCOPED_TRACE(codec_name(codec));
    write_file(dir_.file("notes.txt"), as_text(compress(codec, as_bytes(text))));
    ProcessResult r = bpfc({"filter", "-r", dir_.file("notes.txt"), "-w", dir_.file("out.pcap")});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "bpfc: " + dir_.file("notes.txt") + ": not a pcap or pcapng savefile after " +
                         codec_name(codec) + " decompression (first bytes 0x47455420)\n");
  }
}

}  // namespace
}  // namespace bpfc::clitest
