// A savefile read from a pipe that a live capture feeds slowly
// (`tcpdump -U -w - | bpfc filter -r -`): the packets already in the pipe are
// handed over at once, without waiting for a full batch or for the end of
// the stream.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/capture/savefile.h"
#include "pcap_bytes.h"
#include "pcapng_bytes.h"

namespace bpfc::testing {
namespace {

using capture::Batch;
using capture::open_savefile;
using capture::SavefileError;

// A pipe whose write end the test holds open: what was written is all there
// is until the test writes more or closes it.
class HeldPipe {
 public:
  HeldPipe() {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    read_fd_ = fds[0];
    write_fd_ = fds[1];
  }
  ~HeldPipe() {
    close_writer();
    close(read_fd_);
  }
  void write_all(std::span<const uint8_t> bytes) const {
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = write(write_fd_, bytes.data() + done, bytes.size() - done);
      ASSERT_GT(n, 0);
      done += static_cast<size_t>(n);
    }
  }
  void close_writer() {
    if (write_fd_ >= 0) close(write_fd_);
    write_fd_ = -1;
  }
  std::string path() const { return "/dev/fd/" + std::to_string(read_fd_); }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

// Writes `head` (file header and the first packets) and keeps the pipe open;
// the first batch must hold those packets while the writer is still there.
// The rest (`tail`) follows, and the stream then ends normally.
void expect_packets_without_waiting(std::span<const uint8_t> head, size_t head_packets,
                                    std::span<const uint8_t> tail, size_t tail_packets) {
  HeldPipe pipe;
  pipe.write_all(head);
  SavefileError error;
  auto source = open_savefile(pipe.path(), error, {.batch_packets = 256});
  ASSERT_TRUE(source) << error.describe(pipe.path());

  Batch batch;
  auto first = std::async(std::launch::async, [&] { return source->next(batch); });
  if (first.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    pipe.close_writer();  // unblocks the reader, so that the test ends
    first.wait();
    FAIL() << "the reader waited for more than the packets in the pipe";
  }
  ASSERT_TRUE(first.get());
  EXPECT_EQ(batch.packets.size(), head_packets);

  pipe.write_all(tail);
  pipe.close_writer();
  size_t rest = 0;
  while (source->next(batch)) rest += batch.packets.size();
  EXPECT_EQ(rest, tail_packets);
  EXPECT_FALSE(source->error());
}

TEST(SlowPipe, PcapPacketsInThePipeAreDeliveredAtOnce) {
  PcapBytes head;
  for (uint32_t i = 0; i < 3; ++i) head.packet(1700000000 + i, 0, test_payload(60 + i, i));
  PcapBytes whole = head;
  for (uint32_t i = 3; i < 10; ++i) whole.packet(1700000000 + i, 0, test_payload(60 + i, i));
  // A record cut in two by the writer's flush also waits for its end.
  const std::span<const uint8_t> all = whole.span();
  const size_t split = head.span().size() + 10;
  expect_packets_without_waiting(all.first(split), 3, all.subspan(split), 7);
}

TEST(SlowPipe, PcapngPacketsInThePipeAreDeliveredAtOnce) {
  PcapngBytes head;
  head.idb(1, 65535);
  for (uint32_t i = 0; i < 4; ++i) head.epb(0, 1000 + i, test_payload(60 + i, i));
  PcapngBytes whole = head;
  for (uint32_t i = 4; i < 9; ++i) whole.epb(0, 1000 + i, test_payload(60 + i, i));
  const std::span<const uint8_t> all = whole.span();
  const size_t split = head.span().size() + 6;
  expect_packets_without_waiting(all.first(split), 4, all.subspan(split), 5);
}

}  // namespace
}  // namespace bpfc::testing
