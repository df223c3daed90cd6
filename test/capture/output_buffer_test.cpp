// OutputBuffer: whole records only, batched writes, short writes and EINTR
// handled, errors reported with strerror, and a regular file cut back to a
// record boundary when a write fails half way; the same with the writes made
// by a background thread.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "../../capture/src/output_buffer.h"
#include "pcap_bytes.h"

namespace bpfc::capture {
namespace {

using testing::test_payload;

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("bpfc_output_buffer_" + std::to_string(getpid()) + "_" + name);
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int create(const std::filesystem::path& path) { return open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600); }

// Runs `body` with a new file at `path` in a child process whose file size
// limit is `limit` bytes (the limit applies to the whole process): write()
// then stops part way, with a short count and then EFBIG. True when the
// child ran and `body` returned true.
bool in_child_with_file_size_limit(const std::filesystem::path& path, rlim_t limit,
                                   const std::function<bool(int fd)>& body) {
  const pid_t child = fork();
  if (child < 0) return false;
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit size{limit, limit};
    setrlimit(RLIMIT_FSIZE, &size);
    _exit(body(create(path)) ? 0 : 1);
  }
  int status = 0;
  return waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool failed_for_size(const OutputBuffer& out) {
  return out.write_error().has_value() && out.write_error()->find("File too large") != std::string::npos;
}

// A non-blocking pipe whose reader drains it slowly on a thread of its own:
// writes to it return short counts and EAGAIN. received() waits for the
// writing end to be closed and returns everything that came through.
class SlowPipe {
 public:
  SlowPipe() {
    std::signal(SIGPIPE, SIG_IGN);
    if (pipe(fds_) != 0) throw std::runtime_error("pipe failed");
    fcntl(fds_[1], F_SETFL, fcntl(fds_[1], F_GETFL) | O_NONBLOCK);
    reader_ = std::thread([this] {
      uint8_t chunk[4096];
      for (;;) {
        const ssize_t n = read(fds_[0], chunk, sizeof chunk);
        if (n <= 0) break;
        received_.insert(received_.end(), chunk, chunk + n);
        if (received_.size() % 65536 < 4096) std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  }
  ~SlowPipe() {
    if (reader_.joinable()) reader_.join();
    close(fds_[0]);
  }
  SlowPipe(const SlowPipe&) = delete;
  SlowPipe& operator=(const SlowPipe&) = delete;

  int write_end() const { return fds_[1]; }
  const std::vector<uint8_t>& received() {
    reader_.join();
    return received_;
  }

 private:
  int fds_[2] = {-1, -1};
  std::vector<uint8_t> received_;
  std::thread reader_;
};

TEST(OutputBuffer, BatchesWholeRecords) {
  const auto path = temp_path("batch");
  const int fd = create(path);
  ASSERT_GE(fd, 0);
  std::vector<uint8_t> expected;
  {
    OutputBuffer out(fd, true, 100);
    for (uint32_t i = 0; i < 50; ++i) {
      const auto record = test_payload(7 + i % 30, i);
      ASSERT_TRUE(out.append(record.data(), record.size()));
      expected.insert(expected.end(), record.begin(), record.end());
      EXPECT_EQ(out.bytes_written(), expected.size());
      // Only whole records reach the file: its size is always a record boundary.
      const auto on_disk = std::filesystem::file_size(path);
      size_t boundary = 0;
      bool at_boundary = on_disk == 0;
      for (uint32_t j = 0; j <= i && !at_boundary; ++j) {
        boundary += 7 + j % 30;
        at_boundary = boundary == on_disk;
      }
      EXPECT_TRUE(at_boundary) << on_disk;
      EXPECT_LE(expected.size() - on_disk, 100u);
    }
  }  // the destructor flushes and closes
  EXPECT_EQ(read_file(path), expected);
  std::filesystem::remove(path);
}

TEST(OutputBuffer, ReserveAndCommit) {
  const auto path = temp_path("reserve");
  const int fd = create(path);
  ASSERT_GE(fd, 0);
  {
    OutputBuffer out(fd, true, 16);
    uint8_t* room = out.reserve(4);
    ASSERT_NE(room, nullptr);
    std::memcpy(room, "abcd", 4);
    out.commit(4);
    // Larger than the capacity: the buffer grows for it.
    const auto big = test_payload(1000, 9);
    room = out.reserve(big.size());
    ASSERT_NE(room, nullptr);
    std::memcpy(room, big.data(), big.size());
    out.commit(big.size());
    EXPECT_EQ(out.bytes_written(), 1004u);
    ASSERT_TRUE(out.flush());
    EXPECT_EQ(std::filesystem::file_size(path), 1004u);
  }
  std::filesystem::remove(path);
}

TEST(OutputBuffer, DoesNotCloseABorrowedDescriptor) {
  const auto path = temp_path("borrowed");
  const int fd = create(path);
  ASSERT_GE(fd, 0);
  {
    OutputBuffer out(fd, false);
    ASSERT_TRUE(out.append(reinterpret_cast<const uint8_t*>("xy"), 2));
  }
  EXPECT_EQ(write(fd, "z", 1), 1);  // still open
  close(fd);
  const auto bytes = read_file(path);
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "xyz");
  std::filesystem::remove(path);
}

TEST(OutputBuffer, ReportsWriteErrorsWithStrerror) {
  const int fd = open("/dev/full", O_WRONLY);
  ASSERT_GE(fd, 0);
  OutputBuffer out(fd, true, 64);
  const auto record = test_payload(40, 1);
  ASSERT_TRUE(out.append(record.data(), record.size()));
  EXPECT_FALSE(out.append(record.data(), record.size()));  // needs a flush, which fails
  ASSERT_TRUE(out.write_error());
  EXPECT_EQ(*out.write_error(), "write error: No space left on device");
  EXPECT_EQ(out.reserve(1), nullptr);
  EXPECT_FALSE(out.flush());
}

TEST(OutputBuffer, BadDescriptor) {
  const auto path = temp_path("readonly");
  std::ofstream(path).put('x');
  const int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  OutputBuffer out(fd, true);
  ASSERT_TRUE(out.append(reinterpret_cast<const uint8_t*>("abc"), 3));
  EXPECT_FALSE(out.flush());
  ASSERT_TRUE(out.write_error());
  EXPECT_EQ(*out.write_error(), "write error: Bad file descriptor");
  std::filesystem::remove(path);
}

// A non-blocking pipe drained slowly: write() returns short counts and
// EAGAIN, and every byte still arrives in order.
TEST(OutputBuffer, ShortWritesAndWouldBlockOnAPipe) {
  SlowPipe pipe;
  const auto payload = test_payload(3 << 20, 11);
  {
    OutputBuffer out(pipe.write_end(), true);
    for (size_t at = 0; at < payload.size(); at += 100000)
      ASSERT_TRUE(out.append(payload.data() + at, std::min<size_t>(100000, payload.size() - at)));
    ASSERT_TRUE(out.flush());
    EXPECT_FALSE(out.write_error());
  }
  EXPECT_EQ(pipe.received(), payload);
}

// A file size limit makes write() stop part way (a short write, then EFBIG):
// the file is cut back to the end of the last successful flush, so it ends
// on a record boundary. Run in a child: the limit applies to the process.
TEST(OutputBuffer, FailedFlushLeavesOnlyWholeRecords) {
  const auto path = temp_path("limit");
  EXPECT_TRUE(in_child_with_file_size_limit(path, 5000, [](int fd) {
    OutputBuffer out(fd, true, 3000);
    const auto record = test_payload(1000, 3);
    int appended = 0;
    while (appended < 20 && out.append(record.data(), record.size())) ++appended;
    return failed_for_size(out);
  }));
  // Flushes of 3000 bytes: the first succeeds, the second stops at 5000
  // bytes, half way, and is cut back to 3000.
  EXPECT_EQ(std::filesystem::file_size(path), 3000u);
  std::filesystem::remove(path);
}

// Background writes: every record arrives, in order, whatever buffer it
// went out in; bytes_written() counts records as they are appended; flush()
// returns once the file holds them all. (The file's size is not looked at
// in between: a write() in progress in the other thread shows part of its
// bytes to stat(), as any writer's would.)
TEST(OutputBuffer, BackgroundWritesKeepOrderAndWholeRecords) {
  const auto path = temp_path("background");
  const int fd = create(path);
  ASSERT_GE(fd, 0);
  std::vector<uint8_t> expected;
  {
    OutputBuffer out(fd, true, 1000, OutputBuffer::Writes::InBackground);
    for (uint32_t i = 0; i < 3000; ++i) {
      // Mostly smaller than the buffer, now and then larger (it grows).
      const size_t size = i % 500 == 499 ? 2500 : 1 + (i * 37) % 300;
      const auto record = test_payload(size, i);
      ASSERT_TRUE(out.append(record.data(), record.size()));
      expected.insert(expected.end(), record.begin(), record.end());
      EXPECT_EQ(out.bytes_written(), expected.size());
      if (i % 250 == 0) {
        ASSERT_TRUE(out.flush());
        EXPECT_EQ(std::filesystem::file_size(path), expected.size());
      }
    }
    ASSERT_TRUE(out.flush());
    EXPECT_EQ(std::filesystem::file_size(path), expected.size());
    EXPECT_FALSE(out.write_error());
  }
  EXPECT_EQ(read_file(path), expected);
  std::filesystem::remove(path);
}

// The destructor writes out what is buffered and what the thread is still
// writing, then closes only a descriptor it owns.
TEST(OutputBuffer, BackgroundWritesFinishOnDestruction) {
  const auto path = temp_path("background_end");
  const int fd = create(path);
  ASSERT_GE(fd, 0);
  const auto payload = test_payload(5000, 4);
  {
    OutputBuffer out(fd, false, 1024, OutputBuffer::Writes::InBackground);
    for (size_t at = 0; at < payload.size(); at += 500) ASSERT_TRUE(out.append(payload.data() + at, 500));
  }
  EXPECT_EQ(write(fd, "z", 1), 1);  // still open, and after everything else
  close(fd);
  auto expected = payload;
  expected.push_back('z');
  EXPECT_EQ(read_file(path), expected);
  std::filesystem::remove(path);
}

size_t thread_count() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task")) ++count;
  return count;
}

// The thread starts with the first full buffer: an output that fits in one
// (a file header, a handful of packets) is written in the caller.
TEST(OutputBuffer, BackgroundWritesStartAThreadOnlyForMoreThanOneBuffer) {
  const auto path = temp_path("background_small");
  const int fd = create(path);
  ASSERT_GE(fd, 0);
  const size_t before = thread_count();
  {
    OutputBuffer out(fd, true, 1000, OutputBuffer::Writes::InBackground);
    const auto record = test_payload(300, 2);
    ASSERT_TRUE(out.append(record.data(), record.size()));
    ASSERT_TRUE(out.flush());
    ASSERT_TRUE(out.append(record.data(), record.size()));
    ASSERT_TRUE(out.flush());
    EXPECT_EQ(std::filesystem::file_size(path), 600u);
    EXPECT_EQ(thread_count(), before);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(out.append(record.data(), record.size()));
    EXPECT_EQ(thread_count(), before + 1);
    ASSERT_TRUE(out.flush());
  }
  EXPECT_EQ(thread_count(), before);
  EXPECT_EQ(std::filesystem::file_size(path), 1800u);
  std::filesystem::remove(path);
}

// A failing background write shows at a later append or at flush(), and
// then sticks.
TEST(OutputBuffer, BackgroundWriteErrorsReachTheCaller) {
  const int fd = open("/dev/full", O_WRONLY);
  ASSERT_GE(fd, 0);
  OutputBuffer out(fd, true, 64, OutputBuffer::Writes::InBackground);
  const auto record = test_payload(40, 1);
  int appended = 0;
  while (appended < 100 && out.append(record.data(), record.size())) ++appended;
  EXPECT_LT(appended, 100);
  ASSERT_TRUE(out.write_error());
  EXPECT_EQ(*out.write_error(), "write error: No space left on device");
  EXPECT_EQ(out.reserve(1), nullptr);
  EXPECT_FALSE(out.flush());
  EXPECT_EQ(out.bytes_written(), 0u);
}

TEST(OutputBuffer, BackgroundWriteErrorAtFlush) {
  const int fd = open("/dev/full", O_WRONLY);
  ASSERT_GE(fd, 0);
  OutputBuffer out(fd, true, 64, OutputBuffer::Writes::InBackground);
  const auto record = test_payload(40, 1);
  ASSERT_TRUE(out.append(record.data(), record.size()));
  // The first record goes to the thread; its failure is not known yet.
  ASSERT_TRUE(out.append(record.data(), record.size()));
  EXPECT_FALSE(out.flush());
  ASSERT_TRUE(out.write_error());
  EXPECT_EQ(*out.write_error(), "write error: No space left on device");
}

// As FailedFlushLeavesOnlyWholeRecords, with the writes in the background:
// the buffer that hits the limit is cut off whole, and the error reaches
// the caller.
TEST(OutputBuffer, FailedBackgroundWriteLeavesOnlyWholeRecords) {
  const auto path = temp_path("background_limit");
  EXPECT_TRUE(in_child_with_file_size_limit(path, 5000, [](int fd) {
    OutputBuffer out(fd, true, 3000, OutputBuffer::Writes::InBackground);
    const auto record = test_payload(1000, 3);
    int appended = 0;
    while (appended < 20 && out.append(record.data(), record.size())) ++appended;
    const bool flushed = out.flush();
    return !flushed && failed_for_size(out) && out.bytes_written() == 3000;
  }));
  EXPECT_EQ(std::filesystem::file_size(path), 3000u);
  std::filesystem::remove(path);
}

// Borrowed records (append_borrowed) go out where they lie, in order with
// the copied ones around them: runs that lie one after another in memory,
// lone ones, records larger than the buffer, more pieces than one writev()
// takes, in the caller and in the background thread.
TEST(OutputBuffer, BorrowedAndCopiedRecordsKeepTheirOrder) {
  const auto source = test_payload(1 << 20, 5);  // what a mapped file would be
  for (const auto writes : {OutputBuffer::Writes::InCaller, OutputBuffer::Writes::InBackground}) {
    const auto path = temp_path("borrowed");
    const int fd = create(path);
    ASSERT_GE(fd, 0);
    std::vector<uint8_t> expected;
    {
      OutputBuffer out(fd, true, 4096, writes);
      size_t at = 0;
      for (uint32_t i = 0; at < source.size(); ++i) {
        const size_t size = std::min<size_t>(source.size() - at, i % 97 == 0 ? 9000 : 1 + (i * 53) % 400);
        if (i % 5 == 3) {
          const auto copied = test_payload(1 + i % 70, i);
          ASSERT_TRUE(out.append(copied.data(), copied.size()));
          expected.insert(expected.end(), copied.begin(), copied.end());
        } else if (i % 7 != 0) {  // every seventh record is left out: runs break there
          ASSERT_TRUE(out.append_borrowed(source.data() + at, size));
          expected.insert(expected.end(), source.begin() + at, source.begin() + at + size);
        }
        at += size;
        EXPECT_EQ(out.bytes_written(), expected.size());
      }
      ASSERT_TRUE(out.flush());
      EXPECT_EQ(std::filesystem::file_size(path), expected.size());
    }
    EXPECT_EQ(read_file(path), expected);
    std::filesystem::remove(path);
  }
}

TEST(OutputBuffer, ManyBorrowedPiecesAndShortWritesOnAPipe) {
  SlowPipe pipe;
  const auto source = test_payload(2 << 20, 17);
  std::vector<uint8_t> expected;
  {
    // Records of 40 bytes with gaps between them: some 3,000 pieces per
    // megabyte buffer, so each flush is several writev() calls, and the
    // pipe takes only part of most of them.
    OutputBuffer out(pipe.write_end(), true);
    for (size_t at = 0; at + 40 <= source.size(); at += 50) {
      ASSERT_TRUE(out.append_borrowed(source.data() + at, 40));
      expected.insert(expected.end(), source.begin() + at, source.begin() + at + 40);
    }
    ASSERT_TRUE(out.flush());
    EXPECT_FALSE(out.write_error());
  }
  EXPECT_EQ(pipe.received(), expected);
}

// A write that fails part way through borrowed pieces leaves the file cut
// back to the last whole flush, as with copied records.
TEST(OutputBuffer, FailedWriteOfBorrowedRecordsLeavesOnlyWholeRecords) {
  const auto path = temp_path("borrowed_limit");
  EXPECT_TRUE(in_child_with_file_size_limit(path, 5000, [](int fd) {
    OutputBuffer out(fd, true, 3000);
    const auto source = test_payload(20000, 3);
    int appended = 0;
    while (appended < 20 && out.append_borrowed(source.data() + 1000 * appended, 1000)) ++appended;
    return failed_for_size(out);
  }));
  EXPECT_EQ(std::filesystem::file_size(path), 3000u);
  std::filesystem::remove(path);
}

// Borrowed bytes that are gone by the time they are written (their mapping
// was cut short: here, unmapped) fail the write with EFAULT, which the
// buffer tells apart from the output's own errors.
TEST(OutputBuffer, BorrowedBytesThatAreGoneAreToldApart) {
  const auto path = temp_path("borrowed_gone");
  const int fd = create(path);
  ASSERT_GE(fd, 0);
  const long page = sysconf(_SC_PAGESIZE);
  void* mapping = mmap(nullptr, static_cast<size_t>(page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mapping, MAP_FAILED);
  std::memset(mapping, 'x', static_cast<size_t>(page));
  {
    OutputBuffer out(fd, true);
    const auto copied = test_payload(100, 1);
    ASSERT_TRUE(out.append(copied.data(), copied.size()));
    ASSERT_TRUE(out.append_borrowed(static_cast<const uint8_t*>(mapping), 200));
    ASSERT_EQ(munmap(mapping, static_cast<size_t>(page)), 0);
    EXPECT_FALSE(out.flush());
    EXPECT_TRUE(out.borrowed_bytes_lost());
    ASSERT_TRUE(out.write_error());
    EXPECT_EQ(*out.write_error(), OutputBuffer::kBorrowedBytesLost);
  }
  // Nothing of the failed write stays in the file.
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace bpfc::capture
