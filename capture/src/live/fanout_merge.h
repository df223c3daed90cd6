// The merge of a fanout capture's workers (bpfc/capture/fanout.h): each
// worker's packets, copied out of its ring into chunks sorted by timestamp,
// queue up with the worker's frontier; release() hands over, in timestamp
// order, every queued packet not later than the lowest frontier. Not
// thread-safe: the fanout source holds its lock around every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "bpfc/capture/packet.h"

namespace bpfc::capture::live {

// Packets copied out of a ring, sorted by timestamp (stable: equal
// timestamps keep the ring's order).
struct Chunk {
  std::vector<uint8_t> bytes;   // grows, never shrinks: a reused chunk is not cleared again
  size_t used = 0;              // bytes in use
  std::vector<Packet> packets;  // views into `bytes`
  size_t released = 0;          // packets [0, released) were handed over

  void fill(const std::vector<Packet>& from);
  int64_t latest() const { return packets.back().timestamp_ns; }
};

class Merge {
 public:
  static constexpr int64_t kFinished = std::numeric_limits<int64_t>::max();

  explicit Merge(size_t workers) : queues_(workers) {}

  // `chunk` holds at least one packet.
  void push(size_t worker, std::unique_ptr<Chunk> chunk);
  // The worker will deliver no packet earlier than `timestamp_ns` (a
  // frontier only moves forward).
  void advance_frontier(size_t worker, int64_t timestamp_ns);
  // The worker delivers nothing more.
  void finish(size_t worker) { advance_frontier(worker, kFinished); }

  // Appends to `out`, in timestamp order, the queued packets not later than
  // every worker's frontier, at most `most` of them; how many.
  size_t release(std::vector<Packet>& out, size_t most);

  bool all_finished() const;
  bool empty() const;
  uint64_t queued_bytes(size_t worker) const { return queues_[worker].bytes; }
  // Chunks whose packets were all handed over, by worker, taken out: the
  // caller keeps them until the views it handed out are gone.
  std::vector<std::pair<size_t, std::unique_ptr<Chunk>>> take_released() { return std::move(released_); }
  uint64_t out_of_order() const { return out_of_order_; }

 private:
  struct Queue {
    std::deque<std::unique_ptr<Chunk>> chunks;
    int64_t frontier = std::numeric_limits<int64_t>::min();
    uint64_t bytes = 0;
  };
  const Packet* head(size_t worker) const;
  void pop_head(size_t worker);

  std::vector<Queue> queues_;
  std::vector<std::pair<size_t, std::unique_ptr<Chunk>>> released_;
  std::vector<std::pair<int64_t, size_t>> heap_;  // (timestamp, worker), reused
  int64_t last_released_ = std::numeric_limits<int64_t>::min();
  uint64_t out_of_order_ = 0;
};

}  // namespace bpfc::capture::live
