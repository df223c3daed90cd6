// bpfc filter maps regular input files by default. A file that another
// process cuts short while bpfc reads it mapped is an error naming the file
// (status 1), not a crash by SIGBUS; --no-mmap reads it through read(),
// where the same cut is a truncated savefile.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_helpers.h"
#include "../support/scratch_dir.h"

extern char** environ;

namespace bpfc::clitest {
namespace {

const std::string kSample = BPFC_TEST_DIR "/../examples/sample.pcap";

// The sample's records over and over: some 16 MB, far more than bpfc
// buffers ahead of a reader that does not read.
void write_long_capture(const std::string& path) {
  const std::string sample = read_file(kSample);
  ASSERT_GT(sample.size(), 24u);
  std::ofstream out(path, std::ios::binary);
  out << sample.substr(0, 24);
  for (size_t written = 0; written < (16u << 20); written += sample.size() - 24) out << sample.substr(24);
}

struct Finished {
  bool cut = false;  // the input was cut while bpfc ran
  int exit_code = -1;
  int signal = 0;
  std::string err;
};

// Runs `bpfc filter -r INPUT -w - [extra]` with standard output a pipe that
// is not read until `input` has been cut to 1,000 bytes: bpfc is then
// blocked writing, some way into the file, and meets the cut when it goes on.
Finished filter_while_cutting(const std::string& input, const std::string& err_path,
                              const std::vector<std::string>& extra) {
  std::vector<std::string> args = {bpfc_binary(), "filter", "-r", input, "-w", "-"};
  args.insert(args.end(), extra.begin(), extra.end());
  int fds[2];
  if (pipe(fds) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    Finished finished;
    close(fds[0]);
    finished.err = "cannot run " + args[0];
    return finished;
  }
  // The first byte says bpfc has started writing (and so has the file open).
  char byte;
  Finished finished;
  finished.cut = read(fds[0], &byte, 1) == 1 && truncate(input.c_str(), 1000) == 0;
  char drain[65536];
  while (read(fds[0], drain, sizeof drain) > 0) {
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) finished.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) finished.signal = WTERMSIG(status);
  finished.err = read_file(err_path);
  return finished;
}

TEST(FilterMappedInput, AFileCutShortWhileMappedIsAnErrorNamingIt) {
  testsupport::ScratchDir dir;
  const std::string input = dir.path() + "/long.pcap";
  write_long_capture(input);
  Finished mapped = filter_while_cutting(input, dir.path() + "/err", {});
  ASSERT_TRUE(mapped.cut) << mapped.err;
  EXPECT_EQ(mapped.signal, 0) << mapped.err;
  EXPECT_EQ(mapped.exit_code, 1) << mapped.err;
  EXPECT_NE(mapped.err.find("bpfc: " + input + ": the file was cut short while it was being read"), std::string::npos)
      << mapped.err;
  EXPECT_NE(mapped.err.find("--no-mmap"), std::string::npos) << mapped.err;
}

TEST(FilterMappedInput, NoMmapReadsTheCutAsATruncatedSavefile) {
  testsupport::ScratchDir dir;
  const std::string input = dir.path() + "/long.pcap";
  write_long_capture(input);
  Finished read = filter_while_cutting(input, dir.path() + "/err", {"--no-mmap"});
  ASSERT_TRUE(read.cut) << read.err;
  EXPECT_EQ(read.signal, 0) << read.err;
  EXPECT_NE(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.err.find("the file was cut short while it was being read"), std::string::npos) << read.err;
  EXPECT_NE(read.err.find("packets read"), std::string::npos) << read.err;
}

// Kept packets of a mapped file are written from the mapping (no copy):
// the same bytes as when the file is read, over two inputs (the first is
// released once its packets are written) and with the output rotated.
TEST(FilterMappedInput, MappedAndReadKeepTheSamePackets) {
  testsupport::ScratchDir dir;
  const std::string input = dir.path() + "/long.pcap";
  const std::string second = dir.path() + "/second.pcap";
  write_long_capture(input);
  std::ofstream(second, std::ios::binary) << read_file(kSample);
  const std::string mapped = dir.path() + "/mapped.pcap";
  const std::string read = dir.path() + "/read.pcap";
  auto by_map = bpfc({"filter", "-r", input, "-r", second, "-w", mapped, "tcp or icmp"});
  ASSERT_EQ(by_map.exit_code, 0) << by_map.err;
  auto by_read = bpfc({"filter", "--no-mmap", "-r", input, "-r", second, "-w", read, "tcp or icmp"});
  ASSERT_EQ(by_read.exit_code, 0) << by_read.err;
  EXPECT_EQ(by_map.err, by_read.err);
  EXPECT_EQ(read_file(mapped), read_file(read));
  EXPECT_GT(read_file(mapped).size(), 24u);

  // -C 1: a new file every million bytes; together they hold the same.
  auto rotated = bpfc({"filter", "-r", input, "-w", dir.path() + "/part", "-C", "1", "tcp or icmp"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  std::string joined;
  for (int i = 0;; ++i) {
    const std::string part = dir.path() + "/part" + (i == 0 ? std::string() : std::to_string(i));
    if (!std::ifstream(part)) break;
    const std::string bytes = read_file(part);
    joined += i == 0 ? bytes : bytes.substr(24);
  }
  auto single = bpfc({"filter", "--no-mmap", "-r", input, "-w", read, "tcp or icmp"});
  ASSERT_EQ(single.exit_code, 0) << single.err;
  EXPECT_EQ(joined, read_file(read));
}

}  // namespace
}  // namespace bpfc::clitest
