// Usage errors: one style for every command and option, in words a person
// would use, always with status 2 and a pointer to the help; never CLI11's
// own phrasing ("Could not convert", "not in range 0.000000 to 1797...",
// "A subcommand is required").
#include <regex>

#include <gtest/gtest.h>

#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

const std::string kSample = BPFC_TEST_DIR "/../examples/sample.pcap";

struct UsageCase {
  std::vector<std::string> args;
  std::string message;  // the first line of stderr, after "bpfc: "
};

void expect_usage_error(const UsageCase& c) {
  std::string command = "bpfc";
  for (const std::string& arg : c.args) command += " " + arg;
  ProcessResult r = bpfc(c.args);
  EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.err;
  EXPECT_TRUE(r.out.empty()) << command << "\n" << r.out;
  const std::string first_line = r.err.substr(0, r.err.find('\n'));
  EXPECT_EQ(first_line, "bpfc: " + c.message) << command;
  // The second line says where the options are explained.
  EXPECT_TRUE(std::regex_search(r.err, std::regex("\nRun 'bpfc help( [a-z]+)?' for .*\n$"))) << command << "\n"
                                                                                             << r.err;
  for (const char* raw : {"Could not convert", "not in range", "A subcommand is required", "The following argument",
                          "required but received", "is required", "excludes", "requires", "Value "}) {
    EXPECT_EQ(r.err.find(raw), std::string::npos) << command << ": CLI11's wording '" << raw << "'\n" << r.err;
  }
}

TEST(UsageErrors, BadValuesNameWhatTheValueIsFor) {
  const std::vector<UsageCase> cases = {
      {{"filter", "-r", kSample, "-c", "0"}, "invalid count '0' (must be at least 1)"},
      {{"filter", "-r", kSample, "-c", "-1"}, "invalid count '-1' (must be at least 1)"},
      {{"filter", "-r", kSample, "-c", "abc"}, "invalid count 'abc' (not a number)"},
      {{"filter", "-r", kSample, "-c", "99999999999999999999999"},
       "invalid count '99999999999999999999999' (must be at least 1)"},
      {{"compile", "-Os", "tcp"}, "invalid snaplen 'tcp' (not a number)"},
      {{"compile", "-s", "abc", "tcp"}, "invalid snaplen 'abc' (not a number)"},
      {{"compile", "-s", "4294967296", "tcp"}, "invalid snaplen '4294967296' (must be from 0 to 4294967295)"},
      {{"compile", "--opt-level", "7", "tcp"}, "invalid optimization level '7' (must be from 0 to 2)"},
      {{"filter", "-r", kSample, "--opt-level", "x"}, "invalid optimization level 'x' (not a number)"},
      {{"compile", "--format", "xml", "tcp"}, "invalid format 'xml' (must be text, json, elf or header)"},
      {{"asm", "--format=yaml"}, "invalid format 'yaml' (must be text or json)"},
      {{"filter", "-r", kSample, "--format", "erf"}, "invalid format 'erf' (must be pcap or pcapng)"},
      {{"compile", "--target", "wasm", "tcp"},
       "unknown target 'wasm' (the targets are cbpf, ebpf, llvm and ir; bpfc compile --help describes them)"},
      {{"compile", "--emit", "wasm", "tcp"},
       "unknown --emit 'wasm' (a target's name, as for --target, or what the llvm target writes: obj, llvm-ir, asm "
       "and header)"},
      {{"filter", "-r", kSample, "--engine", "native"},
       "unknown engine 'native' (the engines are auto, interp, jit, ebpf and kernel; bpfc filter --help describes "
       "them)"},
      {{"run", "-e", "tcp", "--wirelen", "big", "00"}, "invalid wire length 'big' (not a number)"},
      {{"verify", "--equiv", "--length", "x", "tcp", "udp"}, "invalid length 'x' (not a number)"},
      {{"verify", "--equiv", "--opt-a", "3", "tcp", "udp"}, "invalid optimization level '3' (must be from 0 to 2)"},
      {{"verify", "--equiv", "--timeout", "-5", "tcp", "udp"},
       "invalid timeout '-5' (must be from 0 to 4294967295)"},
  };
  for (const UsageCase& c : cases) expect_usage_error(c);
}

// -y: an unknown name and an unknown DLT number are the same mistake.
TEST(UsageErrors, UnknownLinkTypesAreUsageErrors) {
  const std::string hint = " (bpfc compile -L lists the link types)";
  for (const std::string command : {"compile", "run", "filter"}) {
    for (const std::string linktype : {"FOO", "12345", "4294967295"}) {
      std::vector<std::string> args = {command, "-y", linktype};
      if (command == "run") args.insert(args.end(), {"-e", "tcp", "00"});
      if (command == "filter") args.insert(args.end(), {"-r", kSample});
      if (command == "compile") args.push_back("tcp");
      expect_usage_error({args, "unknown link type '" + linktype + "'" + hint});
    }
  }
  expect_usage_error({{"verify", "--equiv", "-y", "12345", "tcp", "udp"}, "unknown link type '12345'" + hint});
  // A number libpcap's compiler knows is accepted, named or not.
  EXPECT_EQ(bpfc({"compile", "-y", "147", "len > 100"}).exit_code, 0);
}

TEST(UsageErrors, CommandsAndOptionsBpfcDoesNotHave) {
  const std::vector<UsageCase> cases = {
      {{"nosuch"}, "unknown command 'nosuch'"},
      {{"help", "nosuch"}, "unknown command 'nosuch'"},
      {{"-V"}, "unknown option '-V' (the version is bpfc --version)"},
      {{"-v"}, "unknown option '-v' (the version is bpfc --version)"},
      {{"-r", "x.pcap"}, "unknown option '-r' (it is an option of bpfc filter)"},
      {{"compile", "--foo", "tcp"}, "unknown option '--foo' for bpfc compile"},
      {{"compile", "--foo=3", "tcp"}, "unknown option '--foo' for bpfc compile"},
      {{"compile", "-c", "3", "tcp"}, "unknown option '-c' for bpfc compile (it is an option of bpfc filter)"},
      {{"filter", "-r", kSample, "-Os", "tcp"}, "unknown option '-s' for bpfc filter (it is an option of bpfc compile)"},
      {{"asm", "a.txt", "b.txt"}, "unexpected argument 'b.txt' for bpfc asm"},
  };
  for (const UsageCase& c : cases) expect_usage_error(c);
}

TEST(UsageErrors, MissingValuesAndConflictingOptions) {
  const std::vector<UsageCase> cases = {
      {{"filter", "-r"}, "-r/--read needs a value (FILE)"},
      {{"filter", "-r", kSample, "-w"}, "-w/--write needs a value (FILE)"},
      {{"filter", "-r", kSample, "-r"}, "-r/--read needs a value (FILE)"},
      {{"filter", "-r", kSample, "-c"}, "-c needs a value (COUNT)"},
      {{"compile", "tcp", "-y"}, "-y/--linktype needs a value (LINKTYPE)"},
      {{"compile", "-y", "RAW", "-y", "EN10MB", "tcp"}, "-y/--linktype can be given only once"},
      {{"run", "-e", "tcp", "-p", "prog.txt", "00"}, "-e/--expression and -p/--program cannot be used together"},
      {{"verify", "--kernel", "--equiv", "a", "b"}, "--kernel and --equiv cannot be used together"},
      {{"verify", "--length", "5"}, "--length applies only with --equiv"},
      {{"filter"}, "bpfc filter needs -r FILE (a savefile to read) or -V FILE (a file listing them)"},
  };
  for (const UsageCase& c : cases) expect_usage_error(c);
}

// A netmask is a prefix length or a contiguous mask: -m 24 used to become
// the mask 0.0.0.24.
TEST(UsageErrors, NetmasksArePrefixLengthsOrContiguousMasks) {
  const ProcessResult dotted = bpfc({"compile", "-m", "255.255.255.0", "ip broadcast"});
  ASSERT_EQ(dotted.exit_code, 0) << dotted.err;
  for (const char* same : {"24", "/24", "0xffffff00", "0XFFFFFF00", "4294967040"}) {
    const ProcessResult r = bpfc({"compile", "-m", same, "ip broadcast"});
    EXPECT_EQ(r.exit_code, 0) << same << ": " << r.err;
    EXPECT_EQ(r.out, dotted.out) << same;
    EXPECT_EQ(bpfc({"filter", "-r", kSample, "-m", same, "ip broadcast"}).exit_code, 0) << same;
  }
  EXPECT_EQ(bpfc({"compile", "-m", "/16", "ip broadcast"}).out,
            bpfc({"compile", "-m", "255.255.0.0", "ip broadcast"}).out);
  EXPECT_EQ(bpfc({"compile", "-m", "0", "ip broadcast"}).out,
            bpfc({"compile", "-m", "0.0.0.0", "ip broadcast"}).out);
  // /32 is PCAP_NETMASK_UNKNOWN, as 255.255.255.255 is for libpcap.
  EXPECT_EQ(bpfc({"compile", "-m", "32", "ip broadcast"}).exit_code, 1);
  const std::string contiguous = "not a contiguous mask: its one bits must all come before its zero bits";
  const std::string form =
      "a prefix length is 0 to 32; a mask is a dotted quad (255.255.255.0) or a number (0xffffff00)";
  const std::vector<UsageCase> cases = {
      {{"compile", "-m", "255.0.255.0", "ip broadcast"}, "invalid netmask '255.0.255.0' (" + contiguous + ")"},
      {{"compile", "-m", "0x00ffffff", "ip broadcast"}, "invalid netmask '0x00ffffff' (" + contiguous + ")"},
      {{"compile", "-m", "1000", "ip broadcast"}, "invalid netmask '1000' (" + form + ")"},
      {{"compile", "-m", "33", "ip broadcast"}, "invalid netmask '33' (" + form + ")"},
      {{"compile", "-m", "/33", "ip broadcast"}, "invalid netmask '/33' (" + form + ")"},
      {{"compile", "-m", "255.255.0", "ip broadcast"}, "invalid netmask '255.255.0' (" + form + ")"},
      {{"compile", "-m", "mask", "ip broadcast"}, "invalid netmask 'mask' (" + form + ")"},
      {{"filter", "-r", kSample, "-m", "255.0.255.0"}, "invalid netmask '255.0.255.0' (" + contiguous + ")"},
  };
  for (const UsageCase& c : cases) expect_usage_error(c);
}

// bpfc alone is not a mistake: a short usage with the commands and the
// common examples.
TEST(UsageErrors, BpfcAlonePrintsAShortUsage) {
  const ProcessResult r = bpfc({});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_EQ(r.out.rfind("Usage: bpfc COMMAND", 0), 0u) << r.out;
  for (const char* command : {"compile", "asm", "verify", "run", "filter", "capture", "replay", "rpcap", "help"}) {
    EXPECT_NE(r.out.find("\n  " + std::string(command) + " "), std::string::npos) << command << "\n" << r.out;
  }
  // The build's own command is hidden here as in `bpfc help`; the
  // descriptions start in one column, apart from the longest name.
  EXPECT_EQ(r.out.find("manpage"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n  completion  Print"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n  compile     Compile"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Examples:\n  bpfc "), std::string::npos) << r.out;
  // Shorter than the full overview, which bpfc help and --help keep.
  const ProcessResult full = bpfc({"--help"});
  EXPECT_EQ(bpfc({"help"}).out, full.out);
  EXPECT_LT(r.out.size(), full.out.size());
}

}  // namespace
}  // namespace bpfc::clitest
