// A live capture across worker threads in one PACKET_FANOUT group: see
// bpfc/capture/fanout.h for the contract, fanout_merge.h for the merge.
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include "bpfc/capture/fanout.h"
#include "fanout_merge.h"

namespace bpfc::capture {
namespace {

using namespace std::chrono_literals;
using live::Chunk;

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Packets in one batch handed to the caller, at most.
constexpr size_t kMostPerBatch = 8192;
// Emptied chunks a worker keeps for reuse (a batch of the merge may empty
// several at once).
constexpr size_t kSpareChunks = 16;

class FanoutCapture final : public FanoutSource {
 public:
  FanoutCapture(const LiveOptions& options, std::vector<std::unique_ptr<LiveSource>> sources);
  ~FanoutCapture() override;

  bool next(Batch& batch) override;
  const std::optional<SavefileError>& error() const override { return error_; }
  const std::vector<SavefileError>& warnings() const override { return warnings_; }
  SavefileFormat format() const override { return SavefileFormat::Pcapng; }
  const std::vector<InterfaceInfo>& interfaces() const override { return workers_.front()->source->interfaces(); }
  std::optional<uint64_t> size() const override { return std::nullopt; }
  uint64_t position() const override { return 0; }

  std::optional<LiveError> set_filter(LiveFilter filter, FilterPlacement& placement) override;
  std::optional<LiveError> accept_all() override;
  void request_stop() override;
  uint32_t linktype() const override { return workers_.front()->source->linktype(); }
  uint32_t dlt() const override { return workers_.front()->source->dlt(); }
  int ifindex() const override { return workers_.front()->source->ifindex(); }
  std::optional<uint16_t> fanout_group() const override { return workers_.front()->source->fanout_group(); }
  LiveStatistics statistics() override;
  uint64_t merge_out_of_order() const override {
    std::lock_guard lock(mutex_);
    return merge_.out_of_order();
  }

 private:
  struct Worker {
    std::unique_ptr<LiveSource> source;
    std::thread thread;
    std::vector<std::unique_ptr<Chunk>> spare;  // under mutex_
    LiveStatistics statistics;                  // under mutex_: the latest snapshot
    uint64_t statistics_generation = 0;         // under mutex_: the request it answers
    bool finished = false;                      // under mutex_
  };

  void start_workers();
  void work(size_t index);
  // Answers a pending statistics request (called with `lock` held; unlocks
  // while it reads the socket).
  void answer_statistics(Worker& worker, std::unique_lock<std::mutex>& lock);
  void recycle_released();

  int64_t window_ns_;
  uint64_t room_bytes_;
  std::vector<std::unique_ptr<Worker>> workers_;
  mutable std::mutex mutex_;
  std::condition_variable merged_;  // a worker pushed, finished or answered
  std::condition_variable room_;    // the merge released chunks, or statistics are wanted
  live::Merge merge_;
  std::vector<std::pair<size_t, std::unique_ptr<Chunk>>> lent_;  // released chunks the caller's batch views
  bool started_ = false;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> abandoned_{false};
  std::atomic<uint64_t> statistics_wanted_{0};
  std::optional<SavefileError> worker_error_;  // under mutex_: the first worker's failure
  std::optional<SavefileError> error_;         // the caller's copy, taken in next()
  std::vector<SavefileError> warnings_;
};

FanoutCapture::FanoutCapture(const LiveOptions& options, std::vector<std::unique_ptr<LiveSource>> sources)
    : merge_(sources.size()) {
  const int64_t retire_ms = options.immediate ? 1 : options.ring.retire_timeout_ms;
  window_ns_ = (2 * retire_ms + 20) * 1000000;
  room_bytes_ = std::max<uint64_t>(uint64_t{options.ring.block_bytes} * options.ring.block_count, 1u << 20);
  for (auto& source : sources) {
    auto worker = std::make_unique<Worker>();
    worker->source = std::move(source);
    workers_.push_back(std::move(worker));
  }
}

FanoutCapture::~FanoutCapture() {
  abandoned_.store(true);
  request_stop();
  {
    std::lock_guard lock(mutex_);
    room_.notify_all();
  }
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

std::optional<LiveError> FanoutCapture::set_filter(LiveFilter filter, FilterPlacement& placement) {
  std::optional<FilterPlacement> first;
  for (auto& worker : workers_) {
    LiveFilter copy;
    copy.expression = filter.expression;
    copy.program = filter.program;
    copy.userspace = filter.userspace;
    copy.mode = filter.mode;
    copy.ebpf_program_fd = filter.ebpf_program_fd;
    FilterPlacement placed;
    if (auto error = worker->source->set_filter(std::move(copy), placed)) return error;
    if (!first || (first->in_kernel && !placed.in_kernel)) first = placed;
  }
  placement = *first;
  return std::nullopt;
}

std::optional<LiveError> FanoutCapture::accept_all() {
  for (auto& worker : workers_) {
    if (auto error = worker->source->accept_all()) return error;
  }
  return std::nullopt;
}

void FanoutCapture::request_stop() {
  // Async-signal-safe: atomic stores only (the caller's waits time out).
  stop_requested_.store(true, std::memory_order_relaxed);
  for (auto& worker : workers_) worker->source->request_stop();
}

void FanoutCapture::start_workers() {
  started_ = true;
  // Signals go to the caller's thread, whose handlers ask for a stop or for
  // statistics; a worker's poll() then times out within its wait.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  for (size_t index = 0; index < workers_.size(); ++index) {
    workers_[index]->thread = std::thread([this, index] { work(index); });
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

void FanoutCapture::answer_statistics(Worker& worker, std::unique_lock<std::mutex>& lock) {
  const uint64_t wanted = statistics_wanted_.load();
  if (worker.statistics_generation == wanted) return;
  lock.unlock();
  const LiveStatistics snapshot = worker.source->statistics();
  lock.lock();
  worker.statistics = snapshot;
  worker.statistics_generation = wanted;
  merged_.notify_all();
}

void FanoutCapture::work(size_t index) {
  Worker& worker = *workers_[index];
  Batch batch;
  for (;;) {
    const int64_t began = wall_clock_ns();
    const bool more = worker.source->next(batch);
    std::unique_ptr<Chunk> chunk;
    if (!batch.packets.empty()) {
      {
        std::lock_guard lock(mutex_);
        if (!worker.spare.empty()) {
          chunk = std::move(worker.spare.back());
          worker.spare.pop_back();
        }
      }
      if (!chunk) chunk = std::make_unique<Chunk>();
      // Copied out: the blocks go back to the kernel at the next read.
      chunk->fill(batch.packets);
    }
    std::optional<LiveStatistics> final_statistics;
    if (!more) final_statistics = worker.source->statistics();
    std::unique_lock lock(mutex_);
    // Every packet of a block retired later was received after `began`
    // minus the time a packet can wait in an unretired block.
    merge_.advance_frontier(index, began - window_ns_);
    if (chunk) merge_.push(index, std::move(chunk));
    if (!more) {
      if (const auto& failure = worker.source->error(); failure && !worker_error_) {
        worker_error_ = failure;
        request_stop();  // one socket failing ends the capture
      }
      worker.statistics = *final_statistics;
      worker.statistics_generation = statistics_wanted_.load();
      worker.finished = true;
      merge_.finish(index);
      merged_.notify_all();
      return;
    }
    merged_.notify_all();
    answer_statistics(worker, lock);
    // Room: the merge holds at most a ring's worth of this worker's bytes.
    while (merge_.queued_bytes(index) >= room_bytes_ && !abandoned_.load()) {
      room_.wait_for(lock, 20ms);
      answer_statistics(worker, lock);
    }
  }
}

void FanoutCapture::recycle_released() {
  for (auto& [index, chunk] : lent_) {
    auto& spare = workers_[index]->spare;
    if (spare.size() < kSpareChunks) spare.push_back(std::move(chunk));
  }
  lent_.clear();
}

bool FanoutCapture::next(Batch& batch) {
  batch.clear();
  std::unique_lock lock(mutex_);
  // The caller is done with the views of the last batch.
  recycle_released();
  if (!started_) start_workers();
  if (worker_error_ && !error_) error_ = worker_error_;
  const auto deadline = std::chrono::steady_clock::now() + 50ms;
  for (;;) {
    const size_t released = merge_.release(batch.packets, kMostPerBatch);
    if (released != 0) {
      lent_ = merge_.take_released();
      room_.notify_all();
      return true;
    }
    if (merge_.all_finished() && merge_.empty()) {
      error_ = worker_error_;
      return false;
    }
    // Timed: a signal handler cannot notify; the caller looks at its flags
    // after an empty batch.
    if (merged_.wait_until(lock, deadline) == std::cv_status::timeout) {
      merge_.release(batch.packets, kMostPerBatch);
      lent_ = merge_.take_released();
      room_.notify_all();
      if (batch.packets.empty() && merge_.all_finished() && merge_.empty()) {
        error_ = worker_error_;
        return false;
      }
      return true;
    }
  }
}

LiveStatistics FanoutCapture::statistics() {
  std::vector<LiveStatistics> parts;
  if (!started_) {
    for (auto& worker : workers_) parts.push_back(worker->source->statistics());
  } else {
    std::unique_lock lock(mutex_);
    const uint64_t wanted = statistics_wanted_.fetch_add(1) + 1;
    room_.notify_all();
    const auto answered = [&] {
      return std::all_of(workers_.begin(), workers_.end(), [&](const auto& worker) {
        return worker->finished || worker->statistics_generation >= wanted;
      });
    };
    // Each worker answers after its current read (at most its wait).
    merged_.wait_for(lock, 2s, answered);
    for (auto& worker : workers_) parts.push_back(worker->statistics);
  }
  LiveStatistics sum;
  for (const LiveStatistics& part : parts) {
    sum.delivered += part.delivered;
    sum.received_by_filter += part.received_by_filter;
    sum.dropped_ring_full += part.dropped_ring_full;
    sum.ring_freezes += part.ring_freezes;
    sum.filtered_in_user_space += part.filtered_in_user_space;
    sum.lost_in_transit += part.lost_in_transit;
    // The interface's own counter, the same for every socket.
    sum.dropped_by_interface = std::max(sum.dropped_by_interface, part.dropped_by_interface);
  }
  return sum;
}

}  // namespace

std::unique_ptr<FanoutSource> FanoutSource::open(const LiveOptions& options, uint32_t threads, LiveError& error,
                                                 bool defragment) {
  if (threads < 1 || threads > kMaxFanoutThreads) {
    error = {LiveError::Kind::System, "a fanout capture takes 1 to " + std::to_string(kMaxFanoutThreads) + " threads"};
    return nullptr;
  }
  LiveOptions each = options;
  // A quiet worker reads again within the reorder window, so that its
  // frontier keeps up with the clock.
  const int retire_ms = options.immediate ? 1 : static_cast<int>(options.ring.retire_timeout_ms);
  each.wait_ms = std::min(options.wait_ms, 2 * retire_ms + 20);
  std::vector<std::unique_ptr<LiveSource>> sources;
  for (uint32_t i = 0; i < threads; ++i) {
    if (i == 0) {
      each.fanout = LiveOptions::FanoutJoin{0, true, defragment};
    } else {
      each.fanout = LiveOptions::FanoutJoin{*sources.front()->fanout_group(), false, defragment};
    }
    auto source = LiveSource::open(each, error);
    if (!source) return nullptr;
    sources.push_back(std::move(source));
  }
  return std::make_unique<FanoutCapture>(options, std::move(sources));
}

}  // namespace bpfc::capture
