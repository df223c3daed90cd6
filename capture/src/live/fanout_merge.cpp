// The k-way merge of a fanout capture's workers: see fanout_merge.h.
#include "fanout_merge.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace bpfc::capture::live {

void Chunk::fill(const std::vector<Packet>& from) {
  size_t total = 0;
  for (const Packet& packet : from) total += packet.caplen;
  if (bytes.size() < total) bytes.resize(total);
  used = total;
  packets.assign(from.begin(), from.end());
  released = 0;
  uint8_t* at = bytes.data();
  for (Packet& packet : packets) {
    if (packet.caplen != 0) std::memcpy(at, packet.data, packet.caplen);
    packet.data = at;
    packet.raw = {at, packet.caplen};
    packet.encoding = RecordEncoding::Other;
    at += packet.caplen;
  }
  const auto earlier = [](const Packet& a, const Packet& b) { return a.timestamp_ns < b.timestamp_ns; };
  // A ring is nearly always in order already: one pass to see it.
  if (!std::is_sorted(packets.begin(), packets.end(), earlier)) {
    std::stable_sort(packets.begin(), packets.end(), earlier);
  }
}

void Merge::push(size_t worker, std::unique_ptr<Chunk> chunk) {
  Queue& queue = queues_[worker];
  queue.bytes += chunk->used;
  queue.frontier = std::max(queue.frontier, chunk->latest());
  queue.chunks.push_back(std::move(chunk));
}

void Merge::advance_frontier(size_t worker, int64_t timestamp_ns) {
  queues_[worker].frontier = std::max(queues_[worker].frontier, timestamp_ns);
}

const Packet* Merge::head(size_t worker) const {
  const Queue& queue = queues_[worker];
  if (queue.chunks.empty()) return nullptr;
  const Chunk& chunk = *queue.chunks.front();
  return &chunk.packets[chunk.released];
}

void Merge::pop_head(size_t worker) {
  Queue& queue = queues_[worker];
  Chunk& chunk = *queue.chunks.front();
  if (++chunk.released < chunk.packets.size()) return;
  queue.bytes -= chunk.used;
  released_.emplace_back(worker, std::move(queue.chunks.front()));
  queue.chunks.pop_front();
}

size_t Merge::release(std::vector<Packet>& out, size_t most) {
  int64_t watermark = kFinished;
  for (const Queue& queue : queues_) watermark = std::min(watermark, queue.frontier);
  // A min-heap of the workers' next packets that may go.
  heap_.clear();
  const auto later = std::greater<std::pair<int64_t, size_t>>();
  for (size_t worker = 0; worker < queues_.size(); ++worker) {
    if (const Packet* packet = head(worker); packet != nullptr && packet->timestamp_ns <= watermark) {
      heap_.emplace_back(packet->timestamp_ns, worker);
    }
  }
  std::make_heap(heap_.begin(), heap_.end(), later);
  size_t count = 0;
  while (!heap_.empty() && count < most) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const size_t worker = heap_.back().second;
    heap_.pop_back();
    const Packet& packet = *head(worker);
    if (packet.timestamp_ns < last_released_) {
      ++out_of_order_;
    } else {
      last_released_ = packet.timestamp_ns;
    }
    out.push_back(packet);
    ++count;
    pop_head(worker);
    if (const Packet* next = head(worker); next != nullptr && next->timestamp_ns <= watermark) {
      heap_.emplace_back(next->timestamp_ns, worker);
      std::push_heap(heap_.begin(), heap_.end(), later);
    }
  }
  return count;
}

bool Merge::all_finished() const {
  return std::all_of(queues_.begin(), queues_.end(), [](const Queue& queue) { return queue.frontier == kFinished; });
}

bool Merge::empty() const {
  return std::all_of(queues_.begin(), queues_.end(), [](const Queue& queue) { return queue.chunks.empty(); });
}

}  // namespace bpfc::capture::live
