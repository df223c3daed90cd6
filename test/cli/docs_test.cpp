// The documents generated from the command-line definitions: bpfc(1) (which
// the build writes next to the binary) and the bash completion script.
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

const std::vector<std::string> kCommands = {"compile", "asm",    "verify", "run",   "filter",
                                            "capture", "replay", "rpcap",  "help",  "completion"};

std::string build_dir() {
  const std::string binary = BPFC_BINARY;
  return binary.substr(0, binary.rfind('/'));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every option name in the "Options:" part of `bpfc COMMAND --help`: the
// entries are the lines "  -y,--linktype TEXT  description".
std::set<std::string> options_in_help(const std::string& command) {
  const std::string help = bpfc({command, "--help"}).out;
  std::istringstream in(help.substr(help.find("\nOptions:\n") + 1));
  std::string line;
  std::getline(in, line);
  std::set<std::string> names;
  while (std::getline(in, line) && !line.empty()) {
    if (!line.starts_with("  -")) continue;  // a description's continuation
    std::string entry = line.substr(2, line.find(' ', 2) - 2);
    std::istringstream list(entry);
    std::string name;
    while (std::getline(list, name, ',')) names.insert(name);
  }
  return names;
}

// The example lines of `bpfc COMMAND --help` ("  bpfc ..." after "Examples:").
std::vector<std::string> examples_in_help(const std::string& command) {
  const std::string help = bpfc({command, "--help"}).out;
  std::vector<std::string> examples;
  std::istringstream in(help.substr(help.find("Examples:")));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line) && !line.empty()) {
    const size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos) examples.push_back(line.substr(first));
  }
  return examples;
}

TEST(ManPage, BuiltFromTheHelpTextAndRendersWithoutWarnings) {
  const std::string page = bpfc({"manpage"}).out;
  ASSERT_TRUE(page.starts_with(".\\\" Generated")) << page.substr(0, 200);
  // The build wrote the same page next to the binary.
  EXPECT_EQ(read_file(build_dir() + "/bpfc.1"), page);
  if (!testsupport::program_available("groff")) GTEST_SKIP() << "groff is not installed";
  const std::string path = build_dir() + "/bpfc.1";
  auto checked = testsupport::run_process({"groff", "-man", "-ww", "-z", path});
  EXPECT_EQ(checked.exit_code, 0);
  EXPECT_EQ(checked.err, "");
  auto text = testsupport::run_process({"groff", "-man", "-Tascii", "-P-cbou", "-rLL=200n", path});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  // Every command has a section with each of its options and examples.
  for (const std::string& command : kCommands) {
    const size_t begin = text.out.find("\n   bpfc " + command + "\n");
    ASSERT_NE(begin, std::string::npos) << command;
    const size_t next = std::min(text.out.find("\n   bpfc ", begin + 1), text.out.find("\nEXAMPLES\n"));
    const std::string section = text.out.substr(begin, next - begin);
    EXPECT_NE(section.find("bpfc " + command + " [OPTIONS]"), std::string::npos) << command;
    const auto options = options_in_help(command);
    EXPECT_GE(options.size(), 3u) << command;
    for (const std::string& option : options) {
      EXPECT_NE(section.find(" " + option), std::string::npos) << command << " " << option;
    }
    // (help shows the top-level examples, which have a section of their own.)
    if (examples_in_help(command) == examples_in_help("--help")) continue;
    for (const std::string& example : examples_in_help(command)) {
      EXPECT_NE(section.find(example), std::string::npos) << command << ": " << example;
    }
  }
  for (const std::string& example : examples_in_help("--help")) {
    EXPECT_NE(text.out.find(example), std::string::npos) << example;
  }
  // The hidden command documents itself nowhere.
  EXPECT_EQ(text.out.find("manpage"), std::string::npos);
}

// Sources the completion script in bash, sets COMP_WORDS/COMP_CWORD as bash
// would for the command line `words` (the last word is being completed) and
// returns COMPREPLY, sorted.
class BashCompletion : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testsupport::program_available("bash")) return;
    script_ = build_dir() + "/bpfc.bash";
  }

  void SetUp() override {
    if (script_.empty()) GTEST_SKIP() << "bash is not installed";
  }

  static std::set<std::string> complete(const std::vector<std::string>& words) {
    std::string array;
    for (const std::string& word : words) {
      std::string quoted = "'";
      for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      array += quoted + "' ";
    }
    const std::string program = "source '" + script_ + "' || exit 9\nCOMP_WORDS=(" + array + ")\nCOMP_CWORD=" +
                                std::to_string(words.size() - 1) +
                                "\n_bpfc\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    auto r = testsupport::run_process({"bash", "--norc", "--noprofile", "-c", program});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    std::set<std::string> out;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) out.insert(line);
    }
    return out;
  }

  static std::string script_;
};

std::string BashCompletion::script_;

using Words = std::set<std::string>;

TEST_F(BashCompletion, ScriptIsWhatTheBinaryPrints) {
  const std::string script = bpfc({"completion", "bash"}).out;
  EXPECT_TRUE(script.starts_with("# bash completion for bpfc")) << script.substr(0, 200);
  EXPECT_NE(script.find("complete -F _bpfc bpfc"), std::string::npos);
  EXPECT_EQ(read_file(script_), script);
  EXPECT_EQ(bpfc({"completion", "zsh"}).exit_code, 2);
}

TEST_F(BashCompletion, Commands) {
  EXPECT_EQ(complete({"bpfc", ""}), Words(kCommands.begin(), kCommands.end()));
  EXPECT_EQ(complete({"bpfc", "c"}), (Words{"capture", "compile", "completion"}));
  Words topics(kCommands.begin(), kCommands.end());
  topics.insert("linktypes");
  EXPECT_EQ(complete({"bpfc", "help", ""}), topics);
  EXPECT_EQ(complete({"bpfc", "completion", ""}), Words{"bash"});
  EXPECT_EQ(complete({"bpfc", "--"}), (Words{"--help", "--version", "--color"}));
  // Options before the command, with their values, are skipped over.
  EXPECT_EQ(complete({"bpfc", "--color", "never", "com"}), (Words{"compile", "completion"}));
  EXPECT_EQ(complete({"bpfc", "--color", "=", "never", "asm", "--f"}), Words{"--format"});
}

TEST_F(BashCompletion, EveryOptionOfEveryCommand) {
  for (const std::string& command : kCommands) {
    const Words offered = complete({"bpfc", command, "-"});
    for (const std::string& option : options_in_help(command)) {
      EXPECT_TRUE(offered.count(option)) << command << " " << option;
    }
  }
  EXPECT_EQ(complete({"bpfc", "compile", "--print-after"}), (Words{"--print-after", "--print-after-all"}));
  EXPECT_EQ(complete({"bpfc", "compile", "-dd"}), (Words{"-dd", "-ddd"}));
  EXPECT_EQ(complete({"bpfc", "run", "-O"}), (Words{"-O", "-O0", "-O1", "-O2"}));
}

TEST_F(BashCompletion, ValuesFromAFixedSet) {
  EXPECT_EQ(complete({"bpfc", "compile", "--format", ""}), (Words{"elf", "header", "json", "text"}));
  EXPECT_EQ(complete({"bpfc", "compile", "--format", "=", ""}), (Words{"elf", "header", "json", "text"}));
  EXPECT_EQ(complete({"bpfc", "compile", "--ebpf-hook", ""}), (Words{"func", "socket", "tc", "xdp"}));
  EXPECT_EQ(complete({"bpfc", "asm", "--format", "=", "j"}), Words{"json"});
  EXPECT_EQ(complete({"bpfc", "filter", "--format", "pcapn"}), Words{"pcapng"});
  EXPECT_EQ(complete({"bpfc", "compile", "--emit", ""}),
            (Words{"asm", "cbpf", "ebpf", "header", "ir", "llvm", "llvm-ir", "obj"}));
  EXPECT_EQ(complete({"bpfc", "compile", "--target", ""}), (Words{"cbpf", "ebpf", "ir", "llvm"}));
  EXPECT_EQ(complete({"bpfc", "filter", "--engine", ""}), (Words{"auto", "ebpf", "interp", "jit", "kernel"}));
  EXPECT_EQ(complete({"bpfc", "verify", "--color", "a"}), (Words{"auto", "always"}));
  EXPECT_EQ(complete({"bpfc", "--color", "n"}), Words{"never"});
  // Link types, from the link-type table.
  EXPECT_EQ(complete({"bpfc", "compile", "-y", "LINUX_SL"}), (Words{"LINUX_SLL", "LINUX_SLL2"}));
  const Words all = complete({"bpfc", "filter", "--linktype", ""});
  EXPECT_GT(all.size(), 100u);
  EXPECT_TRUE(all.count("EN10MB") && all.count("RAW") && all.count("IEEE802_11_RADIO"));
  EXPECT_EQ(complete({"bpfc", "run", "-y", "EN1"}), Words{"EN10MB"});
  // Free-form values and expressions: nothing to offer.
  EXPECT_EQ(complete({"bpfc", "compile", "-s", ""}), Words{});
  EXPECT_EQ(complete({"bpfc", "compile", "tcp", ""}), Words{});
}

TEST_F(BashCompletion, FileNamesWhereAFileIsTaken) {
  char dir_template[] = "/tmp/bpfc-completion-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string prog = dir + "/prog.txt", capture = dir + "/in.pcap";
  std::ofstream(prog) << "";
  std::ofstream(capture) << "";
  const Words both = {prog, capture};
  EXPECT_EQ(complete({"bpfc", "compile", "-F", dir + "/"}), both);
  EXPECT_EQ(complete({"bpfc", "compile", "--file", "=", dir + "/p"}), Words{prog});
  EXPECT_EQ(complete({"bpfc", "filter", "-r", dir + "/i"}), Words{capture});
  EXPECT_EQ(complete({"bpfc", "filter", "-w", dir + "/"}), both);
  EXPECT_EQ(complete({"bpfc", "run", "-p", dir + "/"}), both);
  EXPECT_EQ(complete({"bpfc", "asm", dir + "/"}), both);
  EXPECT_EQ(complete({"bpfc", "verify", "--kernel", dir + "/p"}), Words{prog});
  std::remove(prog.c_str());
  std::remove(capture.c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace bpfc::clitest
