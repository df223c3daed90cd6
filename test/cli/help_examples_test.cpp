// Every example in bpfc's help texts and in README.md runs as written and
// prints what it claims. Examples run through bash in a directory holding
// the files they name (in.pcap, prog.txt, filter.txt...), with the bpfc under
// test first in PATH. An example's comment may give its expected exit status
// as "(status N)"; otherwise it must succeed. README examples written as
// "$ command" followed by output must print that output (numbers and
// spacing aside, "…" ending a line shortens it).
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_helpers.h"
#include "savefile_fixtures.h"

namespace bpfc::clitest {
namespace {

const std::string kSample = BPFC_TEST_DIR "/../examples/sample.pcap";
const std::string kReadme = BPFC_TEST_DIR "/../README.md";

struct Example {
  std::string where;    // "bpfc help filter", "README.md:164"
  std::string command;  // a bash command line
  std::vector<std::string> output;  // README "$ " examples: the lines shown
};

std::string trim(const std::string& text) {
  size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// The lines of every "Examples:" section: each one up to a blank line;
// lines that start with '#' continue the comment of the line before.
std::vector<Example> help_examples(const std::string& where, const std::string& help) {
  std::vector<Example> examples;
  bool in_examples = false;
  for (const std::string& line : lines_of(help)) {
    if (line == "Examples:") {
      in_examples = true;
      continue;
    }
    if (!in_examples) continue;
    const std::string text = trim(line);
    if (text.empty()) {
      in_examples = false;
    } else if (text.starts_with("#") && !examples.empty()) {
      examples.back().command += " " + text;
    } else {
      examples.push_back({where, text, {}});
    }
  }
  return examples;
}

bool is_command(const std::string& line) {
  return line.starts_with("bpfc ") || (line.starts_with("tcpdump ") && line.find("| bpfc") != std::string::npos);
}

// README.md: in ```sh blocks every line that runs bpfc; in any block,
// "$ command" lines with the output shown under them.
std::vector<Example> readme_examples() {
  std::vector<Example> examples;
  const std::vector<std::string> lines = lines_of(read_file(kReadme));
  bool in_block = false;
  bool shell_block = false;
  Example* prompted = nullptr;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const std::string where = "README.md:" + std::to_string(i + 1);
    if (line.starts_with("```")) {
      in_block = !in_block;
      shell_block = in_block && line == "```sh";
      prompted = nullptr;
      continue;
    }
    if (!in_block) continue;
    if (line.starts_with("$ ")) {
      examples.push_back({where, line.substr(2), {}});
      prompted = &examples.back();
    } else if (prompted != nullptr) {
      prompted->output.push_back(line);
    } else if (shell_block && is_command(line)) {
      examples.push_back({where, line, {}});
    }
  }
  return examples;
}

// Numbers (timings, sizes) and runs of spaces do not count. A loop, not
// std::regex: libstdc++'s matcher recurses per character and overflows the
// stack on the long lines a broken binary may print.
std::string normalized(const std::string& line) {
  auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::string out;
  for (size_t i = 0; i < line.size();) {
    if (digit(line[i])) {
      while (i < line.size() && digit(line[i])) ++i;
      if (i + 1 < line.size() && line[i] == '.' && digit(line[i + 1])) {
        for (++i; i < line.size() && digit(line[i]);) ++i;
      }
      out += '#';
    } else if (space(line[i])) {
      while (i < line.size() && space(line[i])) ++i;
      out += ' ';
    } else {
      out += line[i++];
    }
  }
  return trim(out);
}

void expect_output_shown(const Example& example, const std::string& actual) {
  const std::vector<std::string> lines = lines_of(actual);
  ASSERT_GE(lines.size(), example.output.size()) << example.where << ": " << example.command << "\n" << actual;
  for (size_t i = 0; i < example.output.size(); ++i) {
    const std::string& shown = example.output[i];
    const size_t ellipsis = shown.find("…");
    if (ellipsis == std::string::npos) {
      EXPECT_EQ(normalized(lines[i]), normalized(shown)) << example.where << ": " << example.command;
    } else {
      const std::string prefix = normalized(shown.substr(0, ellipsis));
      EXPECT_EQ(normalized(lines[i]).substr(0, prefix.size()), prefix) << example.where << ": " << example.command;
    }
  }
}

// What particular examples claim, beyond succeeding. Plain string checks,
// not std::regex: libstdc++'s matcher recurses per character and overflows
// the stack on the megabytes a broken binary may print.
bool is_count_line(const std::string& out) {
  const size_t digits = out.find_first_not_of("0123456789");
  return digits > 0 && digits != std::string::npos && out.substr(digits) == " packets\n";
}

const std::map<std::string, std::function<bool(const std::string&)>>& claims() {
  static const std::map<std::string, std::function<bool(const std::string&)>> kClaims = {
      // The verdict on an ICMP packet: accepted, so the snapshot length.
      {"bpfc run -y RAW -e icmp 4500001c", [](const std::string& out) { return out == "262144\n"; }},
      {"bpfc compile -L",
       [](const std::string& out) {
         static const std::regex kEthernetRow("  EN10MB +1  Ethernet");
         for (const std::string& line : lines_of(out)) {
           if (std::regex_match(line, kEthernetRow)) return true;
         }
         return false;
       }},
      {"bpfc filter -r in.pcap --count tcp", is_count_line},
      {"bpfc verify --equiv 'tcp port 80' 'tcp src port 80 or tcp dst port 80'",
       [](const std::string& out) {
         return out.starts_with("equivalent for every packet of up to 128 bytes ") && out.ends_with("\n") &&
                out.find('\n') == out.size() - 1;
       }},
      {"bpfc compile tcp port 80 ", [](const std::string& out) { return out.starts_with("(000) ldh      [12]\n"); }},
  };
  return kClaims;
}

class HelpExamples : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string sample = read_file(kSample);
    ASSERT_FALSE(sample.empty());
    for (const char* name : {"in.pcap", "b.pcap"}) write_file(dir_.file(name), sample);
    ASSERT_EQ(testsupport::run_process({"gzip", "-k", dir_.file("in.pcap")}).exit_code, 0) << "gzip";
    for (const char* name : {"in.pcapng", "a.pcapng"}) {
      ASSERT_EQ(bpfc({"filter", "-r", kSample, "-w", dir_.file(name), "--format", "pcapng"}).exit_code, 0);
    }
    write_file(dir_.file("prog.txt"), bpfc({"compile", "tcp port 80"}).out);
    write_file(dir_.file("old.txt"), bpfc({"compile", "tcp port 80"}).out);
    write_file(dir_.file("new.txt"), bpfc({"compile", "tcp src port 80 or tcp dst port 80"}).out);
    write_file(dir_.file("filter.txt"), "# web traffic\ntcp port 80  # plain HTTP\n");
    // eBPF objects the run and verify examples name.
    bpfc({"compile", "--target=ebpf", "--ebpf-hook=xdp", "-o", dir_.file("xdp.o"), "udp port 53"});
    bpfc({"compile", "--target=ebpf", "-o", dir_.file("filter.o"), "tcp port 80"});
    write_file(dir_.file("inputs.txt"), "in.pcap\nb.pcap\n");
    // A listing with a backward jump at its third line.
    write_file(dir_.file("loop.txt"), "(000) ld #1\n(001) jeq #1 jt 2 jf 3\n(002) ja 0\n(003) ret #0\n");
    // 2,001 hosts, then a bad port on line 2002, column 9.
    std::string hosts = "host 10.0.0.1\n";
    for (int i = 1; i <= 2000; ++i) hosts += "or host 10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + "\n";
    write_file(dir_.file("hosts.txt"), hosts + "or port 70000 or host 10.0.7.208\n");
    // Ethernet: an IPv4/ICMP echo request and an IPv4/UDP datagram; raw IP:
    // the same ICMP packet.
    write_file(dir_.file("packets.hex"),
               "# Ethernet frames\n"
               "ffffffffffff00112233445508004500001c00000000400100000a0000010a0000020800f7ff00000000\n"
               "ffffffffffff00112233445508004500001c00000000401100000a0000010a0000020400003500080000\n");
  }

  ProcessResult run(const Example& example, bool merge_stderr) {
    const std::string bin_dir = std::filesystem::path(bpfc_binary()).parent_path().string();
    const std::string script = "set -o pipefail; cd '" + dir_.path() + "' && PATH='" + bin_dir + "':\"$PATH\" && " +
                               "{ " + example.command + (merge_stderr ? "\n} 2>&1" : "\n}");
    return testsupport::run_process({"bash", "-c", script});
  }

  void check(const std::vector<Example>& examples) {
    ASSERT_FALSE(examples.empty());
    for (const Example& example : examples) {
      if (example.command.find("tcpdump") != std::string::npos && !tcpdump_available()) continue;
      SCOPED_TRACE(example.where + ": " + example.command);
      ProcessResult r = run(example, !example.output.empty());
      int expected_status = 0;
      std::smatch status;
      if (std::regex_search(example.command, status, std::regex(R"(\(status (\d)\))"))) {
        expected_status = std::stoi(status[1]);
      }
      EXPECT_EQ(r.exit_code, expected_status) << r.out << r.err;
      if (!example.output.empty()) expect_output_shown(example, r.out);
      for (const auto& [start, holds] : claims()) {
        if (example.command.starts_with(start)) {
          EXPECT_TRUE(holds(r.out)) << r.out.substr(0, 4096);
          ++claims_checked_[start];
        }
      }
    }
  }

  ScratchDir dir_;
  std::map<std::string, int> claims_checked_;
};

TEST_F(HelpExamples, EveryHelpExampleRuns) {
  std::vector<Example> examples = help_examples("bpfc", bpfc({}).out);
  const std::vector<std::string> topics = {"", "compile", "asm", "verify", "run", "filter"};
  for (const std::string& topic : topics) {
    std::vector<std::string> args = {"help"};
    if (!topic.empty()) args.push_back(topic);
    ProcessResult help = bpfc(args);
    ASSERT_EQ(help.exit_code, 0) << help.err;
    std::vector<Example> more = help_examples("bpfc help " + topic, help.out);
    EXPECT_FALSE(more.empty()) << "bpfc help " << topic << " shows no examples";
    examples.insert(examples.end(), more.begin(), more.end());
  }
  check(examples);
  for (const auto& [start, holds] : claims()) {
    EXPECT_GT(claims_checked_[start], 0) << "no help example starts with '" << start << "' any more";
  }
}

TEST_F(HelpExamples, EveryReadmeExampleRuns) { check(readme_examples()); }

}  // namespace
}  // namespace bpfc::clitest
