// The byte inputs under the readers: memory, and descriptors (regular files,
// pipes, FIFOs) read into a buffer that compacts and grows without ever
// moving bytes that stable() promised to keep in place.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "../../capture/src/byte_input.h"
#include "fed_pipe.h"
#include "pcap_bytes.h"

namespace bpfc::capture {
namespace {

using testing::FedPipe;
using testing::test_payload;

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("bpfc_byte_input_" + std::to_string(getpid()) + "_" + name);
}

void write_file(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TEST(MemoryInput, WindowsWithinTheRange) {
  const auto bytes = test_payload(100, 1);
  auto input = memory_input(bytes);
  EXPECT_EQ(input->size(), 100u);
  EXPECT_EQ(input->window(0, 100), bytes.data());
  EXPECT_EQ(input->window(40, 10), bytes.data() + 40);
  EXPECT_EQ(input->window(100, 0), bytes.data() + 100);
  EXPECT_EQ(input->window(95, 6), nullptr);
  EXPECT_EQ(input->window(200, 1), nullptr);
  EXPECT_EQ(input->window(1, SIZE_MAX), nullptr);  // no overflow in the bounds check
  EXPECT_EQ(input->available(95), 5u);
  EXPECT_EQ(input->available(100), 0u);
  EXPECT_EQ(input->available(1000), 0u);
  EXPECT_TRUE(input->stable(0, 1 << 30));
  EXPECT_FALSE(input->read_error());
}

TEST(OpenInput, ReadsARegularFileOfKnownSize) {
  const auto bytes = test_payload(3 << 20, 2);
  const auto path = temp_path("mapped");
  write_file(path, bytes);
  std::string error;
  auto input = open_input(path, error);
  std::filesystem::remove(path);  // the open descriptor keeps the data
  ASSERT_TRUE(input) << error;
  ASSERT_EQ(input->size(), bytes.size());
  const uint8_t* head = input->window(0, 100);
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(std::memcmp(head, bytes.data(), 100), 0);
  EXPECT_EQ(input->window(12345, 10), head + 12345);  // the same buffer
  input->release_before(1 << 20);
  const uint8_t* rest = input->window(1 << 20, bytes.size() - (1 << 20));
  ASSERT_NE(rest, nullptr);
  EXPECT_EQ(std::memcmp(rest, bytes.data() + (1 << 20), bytes.size() - (1 << 20)), 0);
  EXPECT_EQ(input->window(bytes.size() - 1, 2), nullptr);
  EXPECT_EQ(input->available(bytes.size() - 1), 1u);
  EXPECT_FALSE(input->read_error());
}

TEST(OpenInput, MapsARegularFileWhenAsked) {
  const auto bytes = test_payload(3 << 20, 3);
  const auto path = temp_path("mapped");
  write_file(path, bytes);
  std::string error;
  auto input = open_input(path, error, /*map_files=*/true);
  std::filesystem::remove(path);  // the mapping keeps the data
  ASSERT_TRUE(input) << error;
  ASSERT_EQ(input->size(), bytes.size());
  // The whole file is one window: every range is there and stays put.
  const uint8_t* all = input->window(0, bytes.size());
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(std::memcmp(all, bytes.data(), bytes.size()), 0);
  EXPECT_TRUE(input->stable(0, bytes.size()));
  input->release_before(1 << 20);
  EXPECT_EQ(input->window(2 << 20, 10), all + (2 << 20));
  EXPECT_EQ(input->window(bytes.size() - 1, 2), nullptr);
  EXPECT_EQ(input->available(bytes.size() - 1), 1u);
  EXPECT_FALSE(input->read_error());
}

TEST(OpenInput, MappingAnEmptyFileReadsAsEmpty) {
  const auto path = temp_path("empty-mapped");
  write_file(path, {});
  std::string error;
  auto input = open_input(path, error, /*map_files=*/true);
  std::filesystem::remove(path);
  ASSERT_TRUE(input) << error;
  EXPECT_EQ(input->size(), 0u);
  EXPECT_EQ(input->window(0, 1), nullptr);
  EXPECT_EQ(input->available(0), 0u);
}

TEST(OpenInput, EmptyRegularFile) {
  const auto path = temp_path("empty");
  write_file(path, {});
  std::string error;
  auto input = open_input(path, error);
  std::filesystem::remove(path);
  ASSERT_TRUE(input) << error;
  EXPECT_EQ(input->size(), 0u);
  EXPECT_EQ(input->window(0, 1), nullptr);
  EXPECT_EQ(input->available(0), 0u);
}

TEST(OpenInput, ReportsOpenErrors) {
  std::string error;
  EXPECT_FALSE(open_input("/nonexistent/bpfc/file.pcap", error));
  EXPECT_EQ(error, "No such file or directory");
  error.clear();
  EXPECT_FALSE(open_input(std::filesystem::temp_directory_path().string(), error));
  EXPECT_EQ(error, "Is a directory");
}

TEST(StreamInput, ReadsAPipeAndReportsTheEnd) {
  const auto bytes = test_payload(10000, 3);
  FedPipe pipe(bytes, 777);
  std::string error;
  auto input = open_input(pipe.path(), error);
  ASSERT_TRUE(input) << error;
  EXPECT_FALSE(input->size());
  const uint8_t* first = input->window(0, 16);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(std::memcmp(first, bytes.data(), 16), 0);
  // Later windows of the same buffer do not move the first one.
  ASSERT_TRUE(input->stable(0, 9000));
  const uint8_t* more = input->window(0, 9000);
  EXPECT_EQ(more, first);
  EXPECT_EQ(std::memcmp(more, bytes.data(), 9000), 0);
  EXPECT_EQ(input->window(9990, 11), nullptr);
  EXPECT_EQ(input->available(9990), 10u);
  EXPECT_EQ(input->available(10000), 0u);
  EXPECT_FALSE(input->read_error());
}

TEST(StreamInput, CompactsReleasedBytesAndGrowsForLargeWindows) {
  // 20 MiB through a buffer that starts at 4 MiB: windows walk forward with
  // release_before(), plus one window of 6 MiB that forces a growth.
  const auto bytes = test_payload(20 << 20, 4);
  FedPipe pipe(bytes, 100000);
  std::string error;
  auto input = open_input(pipe.path(), error);
  ASSERT_TRUE(input) << error;
  uint64_t pos = 0;
  const size_t step = 300000;
  bool grown = false;
  bool saw_unstable = false;
  while (pos < bytes.size()) {
    size_t n = step;
    if (!grown && pos >= (8u << 20)) {
      n = 6u << 20;
      grown = true;
    }
    n = std::min<size_t>(n, bytes.size() - pos);
    if (!input->stable(pos, n)) saw_unstable = true;
    input->release_before(pos);
    const uint8_t* w = input->window(pos, n);
    ASSERT_NE(w, nullptr) << "at " << pos;
    ASSERT_EQ(std::memcmp(w, bytes.data() + pos, n), 0) << "at " << pos;
    pos += n;
  }
  EXPECT_TRUE(grown);
  EXPECT_TRUE(saw_unstable);
  EXPECT_EQ(input->window(pos, 1), nullptr);
  EXPECT_EQ(input->available(pos), 0u);
}

TEST(StreamInput, StableWindowsKeepEarlierViewsValid) {
  const auto bytes = test_payload(12 << 20, 5);
  FedPipe pipe(bytes, 65536);
  std::string error;
  auto input = open_input(pipe.path(), error);
  ASSERT_TRUE(input) << error;
  // Collect views as a reader does, asking stable() before each new window
  // and starting over (release + window) only when it says no.
  std::vector<std::pair<uint64_t, const uint8_t*>> views;
  uint64_t pos = 0;
  const size_t record = 1000;
  while (pos + record <= bytes.size()) {
    if (!input->stable(pos, record)) {
      for (auto& [at, view] : views) ASSERT_EQ(std::memcmp(view, bytes.data() + at, record), 0);
      views.clear();
      input->release_before(pos);
    }
    const uint8_t* w = input->window(pos, record);
    ASSERT_NE(w, nullptr);
    views.emplace_back(pos, w);
    pos += record;
  }
  for (auto& [at, view] : views) ASSERT_EQ(std::memcmp(view, bytes.data() + at, record), 0);
}

TEST(StreamInput, ReadsAFifoByPath) {
  const auto path = temp_path("fifo");
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  const auto bytes = test_payload(50000, 6);
  std::thread writer([&] {
    const int fd = open(path.c_str(), O_WRONLY);
    if (fd < 0) return;
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fd);
  });
  std::string error;
  auto input = open_input(path, error);
  ASSERT_TRUE(input) << error;
  const uint8_t* all = input->window(0, bytes.size());
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(std::memcmp(all, bytes.data(), bytes.size()), 0);
  EXPECT_EQ(input->window(0, bytes.size() + 1), nullptr);
  input.reset();
  writer.join();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace bpfc::capture
