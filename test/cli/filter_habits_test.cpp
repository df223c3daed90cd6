// `bpfc filter` with the habits tcpdump users bring (-n, -q, --count, -V),
// and inputs of several link types going to one pcap output.
#include <algorithm>
#include <regex>

#include <gtest/gtest.h>

#include "cli_helpers.h"
#include "savefile_fixtures.h"

namespace bpfc::clitest {
namespace {

const std::string kSample = BPFC_TEST_DIR "/../examples/sample.pcap";
constexpr int64_t kStart = 1700000000LL * 1000000000LL;

size_t count_lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

class FilterHabits : public ::testing::Test {
 protected:
  ScratchDir dir_;
};

TEST_F(FilterHabits, NoResolveAndQuietAreAccepted) {
  const ProcessResult plain = bpfc({"filter", "-r", kSample, "tcp"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  for (const std::vector<std::string>& flags :
       std::vector<std::vector<std::string>>{{"-n"}, {"-q"}, {"-n", "-q"}, {"-nq"}}) {
    std::vector<std::string> args = {"filter"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"-r", kSample, "tcp"});
    const ProcessResult r = bpfc(args);
    EXPECT_EQ(r.exit_code, 0) << flags[0] << ": " << r.err;
    EXPECT_EQ(r.out, plain.out) << flags[0];
  }
}

TEST_F(FilterHabits, CountPrintsOnlyTheNumberOfMatches) {
  const ProcessResult lines = bpfc({"filter", "-r", kSample, "tcp"});
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  const ProcessResult r = bpfc({"filter", "--count", "-r", kSample, "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(count_lines(lines.out)) + " packets\n");
  EXPECT_EQ(bpfc({"filter", "--count", "-c", "1", "-r", kSample}).out, "1 packet\n");
  EXPECT_EQ(bpfc({"filter", "--count", "-r", kSample, "udp port 9"}).out, "0 packets\n");
  // With -w FILE the packets are written as well, as tcpdump does.
  const ProcessResult written = bpfc({"filter", "--count", "-r", kSample, "-w", dir_.file("tcp.pcap"), "tcp"});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_EQ(written.out, r.out);
  EXPECT_EQ(read_with_libpcap(dir_.file("tcp.pcap")).packets.size(), count_lines(lines.out));
  // -w - would mix the count into the savefile.
  EXPECT_EQ(bpfc({"filter", "--count", "-r", kSample, "-w", "-"}).exit_code, 2);
}

TEST_F(FilterHabits, CountSaysWhatTcpdumpSays) {
  if (!tcpdump_available()) GTEST_SKIP() << "tcpdump is not installed";
  for (const std::vector<std::string>& extra : std::vector<std::vector<std::string>>{
           {"tcp"}, {}, {"udp port 9"}, {"-c", "3", "tcp"}, {"-c", "1", "tcp"}, {"ip6 and tcp port 80"}}) {
    std::vector<std::string> ours = {"filter", "--count", "-r", kSample};
    std::vector<std::string> theirs = {"-n", "--count", "-r", kSample};
    ours.insert(ours.end(), extra.begin(), extra.end());
    theirs.insert(theirs.end(), extra.begin(), extra.end());
    const ProcessResult a = bpfc(ours);
    const ProcessResult b = tcpdump(theirs);
    ASSERT_EQ(b.exit_code, 0) << b.err;
    EXPECT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(a.out, b.out) << (extra.empty() ? "" : extra.back());
  }
}

TEST_F(FilterHabits, ListOfInputFiles) {
  const std::string sample = read_file(kSample);
  write_file(dir_.file("a.pcap"), sample);
  write_file(dir_.file("b.pcap"), sample);
  const ProcessResult both = bpfc({"filter", "-r", dir_.file("a.pcap"), "-r", dir_.file("b.pcap"), "tcp"});
  ASSERT_EQ(both.exit_code, 0) << both.err;
  // One name per line; a CR before the newline (a list written on Windows)
  // and empty lines are tolerated, a name keeps its spaces.
  write_file(dir_.file("list.txt"), dir_.file("a.pcap") + "\r\n\n" + dir_.file("b.pcap"));
  ProcessResult r = bpfc({"filter", "-V", dir_.file("list.txt"), "tcp"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, both.out);
  EXPECT_EQ(r.err, both.err);
  // From standard input.
  r = bpfc({"filter", "-V", "-", "tcp"}, dir_.file("a.pcap") + "\n" + dir_.file("b.pcap") + "\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, both.out);
  // A name in the list that is not there, a list that names nothing.
  write_file(dir_.file("bad.txt"), dir_.file("a.pcap") + "\n" + dir_.file("c d.pcap") + "\n");
  r = bpfc({"filter", "-V", dir_.file("bad.txt"), "-w", dir_.file("out.pcap")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(dir_.file("c d.pcap") + ": No such file or directory"), std::string::npos) << r.err;
  write_file(dir_.file("empty.txt"), "\n\n");
  r = bpfc({"filter", "-V", dir_.file("empty.txt")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "bpfc: " + dir_.file("empty.txt") + ": lists no input file (one file name per line)\n");
  // As in tcpdump, -V and -r do not mix; the list cannot name standard input
  // when standard input is already taken.
  EXPECT_EQ(bpfc({"filter", "-V", dir_.file("list.txt"), "-r", kSample}).exit_code, 2);
  write_file(dir_.file("dash.txt"), "-\n");
  r = bpfc({"filter", "-V", dir_.file("dash.txt"), "-F", "-"}, "tcp");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("names standard input"), std::string::npos) << r.err;
}

TEST_F(FilterHabits, ListOfInputFilesReadsWhatTcpdumpReads) {
  if (!tcpdump_available()) GTEST_SKIP() << "tcpdump is not installed";
  write_file(dir_.file("list.txt"), kSample + "\n" + kSample + "\n");
  const ProcessResult ours = bpfc({"filter", "--count", "-V", dir_.file("list.txt"), "tcp"});
  const ProcessResult theirs = tcpdump({"-n", "--count", "-V", dir_.file("list.txt"), "tcp"});
  ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
  EXPECT_EQ(ours.out, theirs.out);
}

// A pcap file holds one link type: inputs of several are refused before the
// output exists, not after the first input's packets were written.
TEST_F(FilterHabits, SeveralLinkTypesToPcapAreRefusedBeforeWriting) {
  write_pcap(dir_.file("eth.pcap"), DLT_EN10MB, {{kStart, ethernet(0x0800, ipv4(6, tcp(1, 80, 0x02))), 0}});
  write_pcap(dir_.file("null.pcap"), DLT_NULL, {{kStart + 1, concat({2, 0, 0, 0}, ipv4(6, tcp(2, 80, 0x02))), 0}});
  const std::string out = dir_.file("out.pcap");
  ProcessResult r = bpfc({"filter", "-r", dir_.file("eth.pcap"), "-r", dir_.file("null.pcap"), "-w", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("null.pcap: interface 0 has link type NULL, but the pcap output already holds EN10MB; a "
                       "pcap file holds a single link type: use --format pcapng"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(file_exists(out));
  // An existing output is left alone too.
  write_file(out, "keep me");
  r = bpfc({"filter", "-r", dir_.file("eth.pcap"), "-r", dir_.file("null.pcap"), "-w", out, "tcp"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(read_file(out), "keep me");
  // A pcapng input whose interfaces differ before its first packet.
  PcapngBuilder two;
  two.interface(1);
  two.interface(0);
  two.packet(0, 1700000000000000, ethernet(0x0800, ipv4(6, tcp(1, 80, 0x02))));
  two.packet(1, 1700000001000000, concat({2, 0, 0, 0}, ipv4(6, tcp(2, 80, 0x02))));
  write_file(dir_.file("two.pcapng"), two.str());
  r = bpfc({"filter", "-r", dir_.file("two.pcapng"), "-w", dir_.file("two.pcap"), "--format", "pcap"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(file_exists(dir_.file("two.pcap")));
  // A pipe cannot be read twice: it is checked when its turn comes, and the
  // check up front must not have consumed it.
  const ProcessResult piped = testsupport::run_process(
      {"bash", "-c", "'" + bpfc_binary() + "' filter -r '" + dir_.file("eth.pcap") + "' -r <(cat '" +
                         dir_.file("eth.pcap") + "') -w '" + dir_.file("piped.pcap") + "'"});
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err, "2 packets read, 2 matched\n");
  // pcapng output holds both; -y relabels everything as one link type.
  r = bpfc({"filter", "-r", dir_.file("eth.pcap"), "-r", dir_.file("null.pcap"), "-w", dir_.file("out.pcapng"),
            "--format", "pcapng", "tcp"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "2 packets read, 2 matched\n");
  r = bpfc({"filter", "-y", "EN10MB", "-r", dir_.file("eth.pcap"), "-r", dir_.file("null.pcap"), "-w", out});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace bpfc::clitest
