// Every file argument of every command, and standard output of every
// command, given what a careless or unlucky user gives them: a directory, a
// missing file, an empty file, an unreadable file, /dev/full, a pipe nobody
// reads. Each must end with its documented exit status and a message on
// stderr, never with an uncaught exception, an abort, a signal or a
// sanitizer report.
//
// The tables below list the commands and their file options; the test
// reads every command's help and fails when a command or a FILE option is
// missing from them, so that a new one cannot go untested.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_process.h"
#include "savefile_fixtures.h"

namespace bpfc::clitest {
namespace {

const std::string kSample = BPFC_TEST_DIR "/../examples/sample.pcap";

// A file argument: the command, the option (or positional) that takes it, and
// a full command line with PATH in its place.
struct FileArgument {
  std::string command;
  std::string option;  // as the help names it: "-F" or a positional's name
  bool output = false;
  std::function<std::vector<std::string>(const std::string& path)> command_line;
  int empty_status = 1;  // the documented status for an empty input file
  bool reads_stdin_as_dash = true;
  // The command writes only after a remote daemon answers (bpfc rpcap): an
  // output that fails on write is tested against a daemon in test_rpcap.
  bool writes_after_connecting = false;
};

std::vector<FileArgument> file_arguments(const std::string& program) {
  std::vector<FileArgument> arguments{
      {"compile", "-F", false, [](const std::string& p) { return std::vector<std::string>{"compile", "-F", p}; },
       0},  // an empty expression accepts everything, as in tcpdump
      {"asm", "file", false, [](const std::string& p) { return std::vector<std::string>{"asm", p}; },
       1},  // no instructions: nothing to convert
      {"verify", "inputs", false, [](const std::string& p) { return std::vector<std::string>{"verify", p}; }, 1},
      {"verify", "inputs", false,
       [](const std::string& p) { return std::vector<std::string>{"verify", "--equiv", p, "tcp"}; }, 1},
      {"verify", "inputs", false,
       [program](const std::string& p) { return std::vector<std::string>{"verify", "--equiv", program, p}; }, 1},
      {"run", "-p", false, [](const std::string& p) { return std::vector<std::string>{"run", "-p", p, "00"}; },
       1},  // an empty program is invalid, and invalid programs are not run
      {"filter", "-r", false, [](const std::string& p) { return std::vector<std::string>{"filter", "-r", p}; }, 1},
      {"filter", "-F", false,
       [](const std::string& p) { return std::vector<std::string>{"filter", "-r", kSample, "-F", p}; }, 0},
      {"filter", "-V", false, [](const std::string& p) { return std::vector<std::string>{"filter", "-V", p}; }, 1},
      // The file is opened before the interface is looked at ("lo" may be
      // down, or the test not root).
      {"replay", "-r", false,
       [](const std::string& p) { return std::vector<std::string>{"replay", "-i", "lo", "-r", p}; }, 1},
      {"filter", "-w", true,
       [](const std::string& p) { return std::vector<std::string>{"filter", "-r", kSample, "-w", p}; }},
      // The expression file is read before the interface is looked up (an
      // empty one: every packet, then "nosuch0: no such interface"); the
      // output is created before the capture opens its socket.
      {"capture", "-F", false,
       [](const std::string& p) { return std::vector<std::string>{"capture", "-i", "nosuch0", "-F", p}; }, 1},
      {"capture", "-w", true,
       [](const std::string& p) { return std::vector<std::string>{"capture", "-i", "any", "-w", p, "-c", "1"}; }},
      {"compile", "-o", true, [](const std::string& p) { return std::vector<std::string>{"compile", "-o", p, "tcp"}; }},
      // Port 9 of 127.0.0.1: nothing listens, so only the file checks made
      // before connecting are reached.
      {"rpcap", "-w", true,
       [](const std::string& p) {
         return std::vector<std::string>{"rpcap", "capture", "rpcap://127.0.0.1:9/lo", "-w", p, "udp"};
       },
       1, true, true},
      {"compile", "-o", true,
       [](const std::string& p) {
         return std::vector<std::string>{"compile", "--target=ebpf", "--format=elf", "-o", p, "tcp"};
       }},
  };
  // rpcaps:// clients' PEM files, read before connecting (port 9: nothing
  // listens); a --cert or --key beside the fixture's good other half.
  // OpenSSL opens them by name: "-" is refused, not read.
  const std::string dir = std::filesystem::path(program).parent_path();
  const std::string cert = dir + "/tls-cert.pem";
  const std::string key = dir + "/tls-key.pem";
  for (const std::string command : {"capture", "rpcap"}) {
    auto line = [command](std::vector<std::string> tail) {
      std::vector<std::string> args = command == "capture"
                                          ? std::vector<std::string>{"capture", "-i", "rpcaps://127.0.0.1:9/lo"}
                                          : std::vector<std::string>{"rpcap", "capture", "rpcaps://127.0.0.1:9/lo"};
      args.insert(args.end(), tail.begin(), tail.end());
      return args;
    };
    arguments.push_back({command, "--ca", false, [line](const std::string& p) { return line({"--ca", p}); }, 1, false});
    arguments.push_back(
        {command, "--cert", false, [line, key](const std::string& p) { return line({"--cert", p, "--key", key}); }, 1,
         false});
    arguments.push_back(
        {command, "--key", false, [line, cert](const std::string& p) { return line({"--cert", cert, "--key", p}); },
         1, false});
  }
  return arguments;
}

// Every command with what it prints on standard output.
std::vector<std::vector<std::string>> output_command_lines(const std::string& program) {
  return {
      {},
      {"--help"},
      {"--version"},
      {"help"},
      {"help", "filter"},
      {"help", "linktypes"},
      {"completion", "bash"},
      {"compile", "tcp"},
      {"compile", "--help"},
      {"compile", "-L"},
      {"compile", "--emit=ir", "tcp"},
      {"asm", program},
      {"verify", program},
      {"verify", "--equiv", program, "tcp port 80"},
      {"run", "-e", "tcp", "00"},
      {"filter", "-r", kSample},
      {"filter", "-r", kSample, "--count"},
      {"filter", "-r", kSample, "-w", "-"},
      {"capture", "-D"},
  };
}

std::string joined(const std::vector<std::string>& args) {
  std::string text = "bpfc";
  for (const std::string& arg : args) text += " " + arg;
  return text;
}

size_t occurrences(const std::string& text, const std::string& word) {
  size_t count = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++count;
  return count;
}

// No crash, no abort, no sanitizer finding: the status is a real exit.
void expect_clean_exit(const ProcessResult& r, const std::string& what) {
  EXPECT_NE(r.exit_code, -1) << what << ": killed by a signal\n" << r.err;
  EXPECT_FALSE(has_sanitizer_report(r.err)) << what << "\n" << r.err;
  EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << what << "\n" << r.err;
}

void expect_clean_exit(const Outcome& r, const std::string& what) {
  EXPECT_EQ(r.signal, 0) << what << ": killed by signal " << r.signal << "\n" << r.err;
  EXPECT_FALSE(has_sanitizer_report(r.err)) << what << "\n" << r.err;
  EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << what << "\n" << r.err;
}

class FileArguments : public ::testing::Test {
 protected:
  void SetUp() override {
    ProcessResult compiled = bpfc({"compile", "tcp port 80"});
    ASSERT_EQ(compiled.exit_code, 0) << compiled.err;
    write_file(program(), compiled.out);
    // A client certificate and its key, for the rpcaps:// file options.
    ProcessResult made = testsupport::run_process(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
         "/CN=bpfc-test", "-days", "1", "-keyout", dir_.file("tls-key.pem"), "-out", dir_.file("tls-cert.pem")});
    ASSERT_EQ(made.exit_code, 0) << "openssl req: " << made.err;
    write_file(dir_.file("empty"), "");
    ASSERT_EQ(mkdir(dir_.file("directory").c_str(), 0755), 0);
  }
  std::string program() const { return dir_.file("prog.txt"); }

  ScratchDir dir_;
};

// The FILE options each command's help shows ("  -F,--file FILE  ...",
// positionals "  file FILE  ..."), as "command option".
std::set<std::string> file_options_in_help(const std::string& command) {
  ProcessResult help = bpfc({"help", command});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  std::set<std::string> options;
  const std::regex line(R"(^  (\S+) (FILE)\b.*)");
  std::istringstream lines(help.out);
  std::string text;
  while (std::getline(lines, text)) {
    std::smatch match;
    if (!std::regex_match(text, match, line)) continue;
    std::string names = match[1];
    options.insert(command + " " + names.substr(0, names.find(',')));
  }
  return options;
}

std::vector<std::string> commands_in_help() {
  ProcessResult help = bpfc({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  std::vector<std::string> commands;
  std::istringstream lines(help.out);
  std::string text;
  bool in_list = false;
  while (std::getline(lines, text)) {
    if (text == "Subcommands:") {
      in_list = true;
    } else if (in_list && text.starts_with("  ")) {
      commands.push_back(text.substr(2, text.find(' ', 2) - 2));
    } else if (in_list) {
      break;
    }
  }
  return commands;
}

TEST_F(FileArguments, TheTablesCoverEveryCommandAndFileOption) {
  std::set<std::string> tabled_options;
  std::set<std::string> tabled_commands;
  for (const FileArgument& argument : file_arguments(program())) {
    tabled_options.insert(argument.command + " " + argument.option);
    tabled_commands.insert(argument.command);
  }
  for (const auto& command_line : output_command_lines(program())) {
    if (!command_line.empty() && !command_line[0].starts_with("-")) tabled_commands.insert(command_line[0]);
  }
  const std::vector<std::string> commands = commands_in_help();
  ASSERT_GE(commands.size(), 6u) << "the test no longer understands bpfc --help";
  std::set<std::string> options_in_help;
  for (const std::string& command : commands) {
    EXPECT_TRUE(tabled_commands.contains(command)) << "command '" << command << "' is missing from the tables";
    for (const std::string& option : file_options_in_help(command)) options_in_help.insert(option);
  }
  for (const std::string& option : options_in_help) {
    EXPECT_TRUE(tabled_options.contains(option)) << "file option '" << option << "' is missing from the table";
  }
  for (const std::string& option : tabled_options) {
    EXPECT_TRUE(options_in_help.contains(option)) << "'" << option << "' is not a FILE option in the help";
  }
}

TEST_F(FileArguments, ADirectoryIsRefusedWithAMessage) {
  for (const FileArgument& argument : file_arguments(program())) {
    const std::string path = dir_.file("directory");
    const auto args = argument.command_line(path);
    ProcessResult r = bpfc(args);
    expect_clean_exit(r, joined(args));
    EXPECT_EQ(r.exit_code, 1) << joined(args) << "\n" << r.err;
    EXPECT_NE(r.err.find(path + ": Is a directory"), std::string::npos) << joined(args) << "\n" << r.err;
  }
}

TEST_F(FileArguments, AMissingFileIsRefusedWithAMessage) {
  for (const FileArgument& argument : file_arguments(program())) {
    // An output in a directory that does not exist cannot be created either.
    const std::string path = dir_.file(argument.output ? "no/such/dir/out" : "no-such-file");
    const auto args = argument.command_line(path);
    if (argument.command == "verify" && args[1] == "--equiv") continue;  // a missing file is an expression there
    ProcessResult r = bpfc(args);
    expect_clean_exit(r, joined(args));
    EXPECT_EQ(r.exit_code, 1) << joined(args) << "\n" << r.err;
    EXPECT_NE(r.err.find(path + ": No such file or directory"), std::string::npos) << joined(args) << "\n" << r.err;
  }
}

TEST_F(FileArguments, AnEmptyFileGivesTheDocumentedStatus) {
  for (const FileArgument& argument : file_arguments(program())) {
    if (argument.output) continue;
    const auto args = argument.command_line(dir_.file("empty"));
    ProcessResult r = bpfc(args);
    expect_clean_exit(r, joined(args));
    EXPECT_EQ(r.exit_code, argument.empty_status) << joined(args) << "\n" << r.err;
    if (r.exit_code != 0) {
      // "bpfc: message", or a located "FILE: error: message".
      const std::string path = dir_.file("empty");
      EXPECT_TRUE(r.err.starts_with("bpfc: ") || r.err.starts_with(path + ": error: ")) << joined(args) << "\n"
                                                                                          << r.err;
    }
  }
}

TEST_F(FileArguments, AnUnreadableFileIsRefusedWithAMessage) {
  // Permissions do not stop root from reading: as root, bpfc runs as nobody.
  std::vector<std::string> as_user;
  if (geteuid() == 0) {
    if (!testsupport::program_available("setpriv")) GTEST_SKIP() << "running as root without setpriv(1)";
    as_user = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
  }
  // The file is there to see (its directory is searchable), not to read; and
  // one in a directory that may not be searched is refused just as clearly.
  ScratchDir hidden;
  ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);
  const std::string path = dir_.file("unreadable");
  write_file(path, "tcp\n");
  write_file(hidden.file("unreadable"), "tcp\n");
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  if (!as_user.empty()) {
    ASSERT_EQ(chmod(hidden.path().c_str(), 0), 0);
  }
  for (const FileArgument& argument : file_arguments(program())) {
    if (argument.output) continue;
    if (!as_user.empty()) {
      const auto args = argument.command_line(hidden.file("unreadable"));
      std::vector<std::string> command = as_user;
      command.push_back(bpfc_binary());
      command.insert(command.end(), args.begin(), args.end());
      ProcessResult r = testsupport::run_process(command);
      EXPECT_EQ(r.exit_code, 1) << joined(args) << "\n" << r.err;
      EXPECT_NE(r.err.find(hidden.file("unreadable") + ": Permission denied"), std::string::npos)
          << joined(args) << "\n" << r.err;
    }
    const auto args = argument.command_line(path);
    std::vector<std::string> command = as_user;
    command.push_back(bpfc_binary());
    command.insert(command.end(), args.begin(), args.end());
    ProcessResult r = testsupport::run_process(command);
    expect_clean_exit(r, joined(args));
    EXPECT_EQ(r.exit_code, 1) << joined(args) << "\n" << r.err;
    EXPECT_NE(r.err.find(path + ": Permission denied"), std::string::npos) << joined(args) << "\n" << r.err;
  }
}

// A file that opens but cannot be read: reading /proc/self/mem from its start
// fails with EIO (unmapped memory), whoever runs the test.
TEST_F(FileArguments, AFileThatFailsToReadIsRefusedWithAMessage) {
  const std::string path = "/proc/self/mem";
  for (const FileArgument& argument : file_arguments(program())) {
    if (argument.output) continue;
    const auto args = argument.command_line(path);
    ProcessResult r = bpfc(args);
    expect_clean_exit(r, joined(args));
    EXPECT_EQ(r.exit_code, 1) << joined(args) << "\n" << r.err;
    EXPECT_NE(r.err.find("Input/output error"), std::string::npos) << joined(args) << "\n" << r.err;
  }
}

// '-' reads standard input, which may be a directory too (`bpfc asm < /tmp`).
TEST_F(FileArguments, StandardInputThatIsADirectoryIsRefused) {
  for (const FileArgument& argument : file_arguments(program())) {
    if (argument.output || !argument.reads_stdin_as_dash) continue;
    const auto args = argument.command_line("-");
    Outcome r = run_bpfc_with_stdout(args, StandardOutput::ClosedPipe, dir_.file("directory"));
    expect_clean_exit(r, joined(args));
    EXPECT_EQ(r.exit_code, 1) << joined(args) << "\n" << r.err;
    EXPECT_NE(r.err.find("standard input: Is a directory"), std::string::npos) << joined(args) << "\n" << r.err;
  }
  Outcome r = run_bpfc_with_stdout({"run", "-e", "tcp"}, StandardOutput::ClosedPipe, dir_.file("directory"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("standard input: Is a directory"), std::string::npos) << r.err;
}

TEST_F(FileArguments, AnOutputThatFailsIsReportedOnce) {
  for (const FileArgument& argument : file_arguments(program())) {
    if (!argument.output || argument.writes_after_connecting) continue;
    const auto args = argument.command_line("/dev/full");
    ProcessResult r = bpfc(args);
    expect_clean_exit(r, joined(args));
    EXPECT_EQ(r.exit_code, 1) << joined(args) << "\n" << r.err;
    EXPECT_EQ(occurrences(r.err, "/dev/full: write error: No space left on device"), 1u) << joined(args) << "\n"
                                                                                          << r.err;
  }
}

TEST_F(FileArguments, StandardOutputOnAFullDeviceFailsEveryCommand) {
  for (const auto& args : output_command_lines(program())) {
    Outcome r = run_bpfc_with_stdout(args, StandardOutput::DevFull);
    expect_clean_exit(r, joined(args));
    EXPECT_EQ(r.exit_code, 1) << joined(args) << "\n" << r.err;
    EXPECT_EQ(occurrences(r.err, "standard output"), 1u) << joined(args) << "\n" << r.err;
    EXPECT_EQ(r.err.find("standard input"), std::string::npos) << joined(args) << "\n" << r.err;
  }
}

TEST_F(FileArguments, AClosedPipeOnStandardOutputEndsTheJobQuietly) {
  for (const auto& args : output_command_lines(program())) {
    Outcome r = run_bpfc_with_stdout(args, StandardOutput::ClosedPipe);
    expect_clean_exit(r, joined(args));
    EXPECT_EQ(r.exit_code, 0) << joined(args) << "\n" << r.err;
    EXPECT_EQ(r.err.find("error"), std::string::npos) << joined(args) << "\n" << r.err;
  }
  // The same for every file argument that reads standard input.
  for (const FileArgument& argument : file_arguments(program())) {
    if (argument.output) continue;
    const auto args = argument.command_line("-");
    Outcome r = run_bpfc_with_stdout(args, StandardOutput::ClosedPipe, argument.command == "filter" &&
                                                                               argument.option == "-r"
                                                                           ? kSample
                                                                           : program());
    expect_clean_exit(r, joined(args));
  }
}

}  // namespace
}  // namespace bpfc::clitest
