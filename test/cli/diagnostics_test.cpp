// How bpfc reports errors in its inputs: FILE:LINE:COLUMN and only the line
// at fault for files (-F, asm, verify, run -p), a window around the caret on
// long input, stand-ins for bytes that would not show, and --color.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

// A long host list, one term per line, 115 KB or so.
std::string long_host_list(int terms) {
  std::string text = "# generated\n";
  for (int i = 0; i < terms; ++i) {
    text += (i ? "or host 10." : "host 10.") + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) +
            "." + std::to_string(i % 256) + "\n";
  }
  return text;
}

// The column of the first caret in the line after `message_line`, and the
// text above it in the excerpt.
std::string text_above_caret(const std::vector<std::string>& lines, size_t excerpt, size_t length) {
  if (excerpt + 1 >= lines.size()) return "(no caret line)";
  const size_t caret = lines[excerpt + 1].find('^');
  if (caret == std::string::npos) return "(no caret)";
  return lines[excerpt].substr(caret, length);
}

TEST(Diagnostics, LongFilterFileGivesLineAndColumnAndOnlyTheLine) {
  std::string text = long_host_list(4000);
  const size_t bad = text.find("or host 10.0.7.208\n");  // line 2002
  ASSERT_NE(bad, std::string::npos);
  text.insert(bad, "or port 70000 ");
  ASSERT_GT(text.size(), 50000u);
  ScratchFile file(text);
  auto r = bpfc({"compile", "-F", file.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(r.err.size(), 500u) << r.err.substr(0, 1000);
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 3u) << r.err.substr(0, 1000);
  EXPECT_EQ(lines[0], file.path() + ":2002:9: error: port number 70000 greater than maximum 65535");
  EXPECT_EQ(lines[1], "    or port 70000 or host 10.0.7.208");
  EXPECT_EQ(text_above_caret(lines, 1, 5), "70000");
}

// Every command that reads an expression from -F names the file and line.
TEST(Diagnostics, FilterFilesAreNamedByEveryCommandThatReadsThem) {
  ScratchFile file("tcp and # the web\n  port 70000\n");
  const std::string sample = BPFC_TEST_DIR "/../examples/sample.pcap";
  const std::vector<std::vector<std::string>> commands = {
      {"compile", "-F", file.path()},
      {"filter", "-r", sample, "-F", file.path()},
      {"filter", "-r", sample, "-w", "/dev/null", "-F", file.path()},
  };
  for (const auto& args : commands) {
    auto r = bpfc(args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_EQ(r.err, file.path() + ":2:8: error: port number 70000 greater than maximum 65535\n"
                                   "      port 70000\n"
                                   "           ^^^^^\n")
        << args[0];
  }
  auto from_stdin = bpfc({"filter", "-r", sample, "-F", "-"}, "tcp and\n  port 70000\n");
  EXPECT_EQ(lines_of(from_stdin.err).at(0), "<stdin>:2:8: error: port number 70000 greater than maximum 65535");
}

TEST(Diagnostics, LongLinesAreWindowedAroundTheCaret) {
  // The same list on one line, in a file and on the command line.
  std::string text = long_host_list(4000);
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  text = text.substr(text.find("host"));
  text.insert(text.find(" or ", text.size() / 2), " or port 70000");
  ScratchFile file(text);
  const auto from_file = bpfc({"compile", "-F", file.path()});
  const auto from_words = bpfc({"compile", text});
  for (const auto& r : {from_file, from_words}) {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_LT(r.err.size(), 500u) << r.err.substr(0, 1000);
    const auto lines = lines_of(r.err);
    ASSERT_EQ(lines.size(), 3u) << r.err.substr(0, 1000);
    EXPECT_LE(lines[1].size(), 100u);
    EXPECT_TRUE(lines[1].starts_with("    ...")) << lines[1];
    EXPECT_TRUE(lines[1].ends_with("...")) << lines[1];
    EXPECT_EQ(text_above_caret(lines, 1, 5), "70000") << r.err;
  }
  EXPECT_TRUE(from_file.err.starts_with(file.path() + ":1:")) << from_file.err;
  EXPECT_TRUE(from_words.err.starts_with("bpfc: port number 70000")) << from_words.err;
}

TEST(Diagnostics, UnprintableBytesDoNotCutTheMessageShort) {
  ScratchFile file(std::string("tcp and\0 port 80\n", 17));
  auto r = bpfc({"compile", "-F", file.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, file.path() + ":1:8: error: can't parse filter expression: syntax error\n"
                                 "    tcp and<U+0000> port 80\n"
                                 "           ^^^^^^^^\n");
  // A tab, an escape sequence and invalid UTF-8 before the error: the caret
  // still stands under the bad port, and no raw control byte is printed.
  ScratchFile tricky("tcp\tand \x1b[2J\xff\n  port 99999\n");
  r = bpfc({"compile", "-F", tricky.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\xff'), std::string::npos) << r.err;
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 3u) << r.err;
  EXPECT_TRUE(lines[0].starts_with(tricky.path() + ":1:")) << r.err;  // the syntax error at ESC
  EXPECT_EQ(lines[1], "    tcp     and <U+001B>[2J<FF>");
}

TEST(Diagnostics, ProgramFilesAreNamedWithLineAndColumn) {
  ScratchFile program("(000) ldh [12]\n(001) jeq #0x800 jt 2 jf 3\n(002) ret #1\n(003) lod #0\n");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"asm", program.path()}, {"verify", program.path()},
        {"verify", "--kernel", program.path()}, {"run", "-p", program.path(), "00"}}) {
    auto r = bpfc(args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_EQ(r.err, program.path() + ":4:1: error: unknown instruction 'lod'\n    (003) lod #0\n    ^^^^^^^^^^^^\n")
        << args[0];
  }
  // Standard input is "<stdin>".
  auto r = bpfc({"asm"}, "2\n40 0 0 12\n6 0 0\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "<stdin>:3:6: error: expected k (0 to 4294967295), found the end of the line\n"
                   "    6 0 0\n"
                   "         ^\n");
}

TEST(Diagnostics, AsmReadsBackItsOwnJson) {
  for (const std::string filter : {"tcp port 80", "ip6 and udp", "vlan and host 10.0.0.1", ""}) {
    auto json = bpfc({"compile", "--format=json", filter});
    auto listing = bpfc({"compile", filter});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    auto back = bpfc({"asm"}, json.out);
    EXPECT_EQ(back.exit_code, 0) << back.err;
    EXPECT_EQ(back.out, listing.out) << filter;
    EXPECT_EQ(bpfc({"asm", "--format=json"}, json.out).out, json.out) << filter;
    for (const char* form : {"-d", "-dd", "-ddd"}) {
      auto printed = bpfc({"compile", form, filter});
      EXPECT_EQ(bpfc({"asm", "--format=json", "-"}, printed.out).out, json.out) << filter << " " << form;
    }
  }
  ScratchFile bad("{\n  \"instructions\": [\n    {\"code\": 6, \"jt\": 0, \"jf\": 0, \"k\": -1}\n  ]\n}\n");
  auto r = bpfc({"asm", bad.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with(bad.path() + ":3:5: error: instruction 0: \"k\" must be a whole number")) << r.err;
}

// Runs bpfc with stderr on a pseudo-terminal and the given environment, and
// returns what it wrote there.
std::string stderr_on_a_terminal(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return "(no pty)";
  const std::string slave = ptsname(master);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, slave.c_str(), O_RDWR | O_NOCTTY, 0);
  std::vector<std::string> argv = args;
  argv.insert(argv.begin(), BPFC_BINARY);
  std::vector<char*> c_argv, c_env;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  std::vector<std::string> env_copy = env;
  for (auto& e : env_copy) c_env.push_back(e.data());
  c_env.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, BPFC_BINARY, &actions, nullptr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    close(master);
    return "(spawn failed)";
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::string out;
  // The child has exited: what it wrote waits in the pty's buffer.
  fcntl(master, F_SETFL, O_NONBLOCK);
  char buf[4096];
  ssize_t n;
  while ((n = read(master, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(master);
  return out;
}

TEST(Diagnostics, ColorOnATerminalUnlessToldOtherwise) {
  const std::vector<std::string> args = {"compile", "tcp port 70000"};
  const std::string terminal = stderr_on_a_terminal(args, {"TERM=xterm"});
  if (terminal == "(no pty)") GTEST_SKIP() << "no pseudo-terminal available";
  EXPECT_NE(terminal.find("\x1b[1;32m^^^^^\x1b[0m"), std::string::npos) << terminal;
  EXPECT_EQ(stderr_on_a_terminal(args, {"TERM=xterm", "NO_COLOR=1"}).find('\x1b'), std::string::npos);
  EXPECT_EQ(stderr_on_a_terminal(args, {"TERM=dumb"}).find('\x1b'), std::string::npos);
  EXPECT_EQ(stderr_on_a_terminal(args, {}).find('\x1b'), std::string::npos);
  EXPECT_EQ(stderr_on_a_terminal({"compile", "--color=never", "tcp port 70000"}, {"TERM=xterm"}).find('\x1b'),
            std::string::npos);
  EXPECT_NE(stderr_on_a_terminal({"--color=always", "compile", "tcp port 70000"}, {"TERM=dumb", "NO_COLOR=1"})
                .find('\x1b'),
            std::string::npos);
}

TEST(Diagnostics, ColorOptionOnEveryCommand) {
  // Not a terminal here: auto means no colour.
  EXPECT_EQ(bpfc({"compile", "tcp port 70000"}).err.find('\x1b'), std::string::npos);
  auto colored = bpfc({"compile", "--color=always", "-F", "-"}, "tcp and\n  port 70000\n");
  EXPECT_EQ(colored.exit_code, 1);
  EXPECT_EQ(colored.err,
            "\x1b[1m<stdin>:2:8:\x1b[0m \x1b[1;31merror:\x1b[0m port number 70000 greater than maximum 65535\n"
            "      port 70000\n"
            "           \x1b[1;32m^^^^^\x1b[0m\n");
  // Before the command, too; the last one given wins.
  EXPECT_EQ(bpfc({"--color=always", "compile", "--color=never", "tcp port 70000"}).err.find('\x1b'), std::string::npos);
  EXPECT_NE(bpfc({"--color", "always", "asm"}, "junk\n").err.find("\x1b[1;31merror:"), std::string::npos);
  for (const char* command : {"compile", "asm", "verify", "run", "filter", "help"}) {
    auto help = bpfc({command, "--color=never", "--help"});
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.err;
    EXPECT_NE(help.out.find("--color"), std::string::npos) << command;
  }
  EXPECT_EQ(bpfc({"compile", "--color=sometimes", "tcp"}).exit_code, 2);
  EXPECT_NE(bpfc({"verify", "--color=always", "-"}, "1\n6 0 0 0\n2 0 0 0\n").err.find("\x1b[1m<stdin>:3:1:"),
            std::string::npos);
}

}  // namespace
}  // namespace bpfc::clitest
