// tcpdump's -C/-G/-W file rotation over the savefile writers. The order of
// the checks before each packet is tcpdump's: first time (-G), then size
// (-C), so that when both fall due, the time rotation wins and the fresh
// file is too small to rotate again.
#include "bpfc/capture/rotating_sink.h"

#include <climits>
#include <cstdio>

#include "pcapng_format.h"

namespace bpfc::capture {
namespace {

// How many digits the numbers of a ring of `files` files get: enough for the
// largest, files - 1 (none for a ring of one).
int ring_digits(uint32_t files) {
  int digits = 0;
  for (uint32_t largest = files - 1; largest > 0; largest /= 10) ++digits;
  return digits;
}

std::time_t wall_clock() { return std::time(nullptr); }

}  // namespace

std::string rotation_file_name(const RotationOptions& rotation, std::time_t opened, uint32_t index) {
  std::string base = rotation.path;
  const bool by_time = rotation.rotate_seconds.value_or(0) > 0;
  if (by_time && !rotation.path.empty()) {
    struct tm local {};
    if (localtime_r(&opened, &local) == nullptr) return {};
    char expanded[PATH_MAX + 1];
    const size_t n = std::strftime(expanded, sizeof expanded, rotation.path.c_str(), &local);
    if (n == 0) return {};
    base.assign(expanded, n);
  }
  // The number appears with -C only (a -G rotation alone reuses the pattern);
  // -W pads it, and a ring of one never numbers.
  const bool by_size = rotation.max_file_bytes.has_value();
  const int digits = by_size && rotation.max_files ? ring_digits(*rotation.max_files) : 0;
  if (index == 0 && digits == 0) return base;
  char number[16];
  std::snprintf(number, sizeof number, "%0*u", digits, index);
  return base + number;
}

RotatingSink::RotatingSink(const RotationOptions& rotation, const WriterOptions& writer, RotationClock clock)
    : rotation_(rotation), writer_(writer), clock_(clock ? std::move(clock) : RotationClock(wall_clock)) {}

RotatingSink::~RotatingSink() = default;

std::unique_ptr<RotatingSink> RotatingSink::create(const RotationOptions& rotation, const WriterOptions& writer,
                                                   SavefileError& error, RotationClock clock) {
  std::unique_ptr<RotatingSink> sink(new RotatingSink(rotation, writer, std::move(clock)));
  sink->period_start_ = sink->clock_();
  if (!sink->open_file(0)) {
    error = *sink->error_;
    return nullptr;
  }
  return sink;
}

bool RotatingSink::failed(std::string message) {
  if (!error_) error_ = SavefileError{std::move(message), std::nullopt, false};
  return false;
}

bool RotatingSink::failed_writing() {
  const std::optional<SavefileError>& error = file_->error();
  failed(current_path_ + ": " + (error ? error->message : std::string("write error")));
  if (error && error->borrowed_input_lost) error_->borrowed_input_lost = true;
  return false;
}

bool RotatingSink::open_file(uint32_t index) {
  const std::string path = rotation_file_name(rotation_, period_start_, index);
  if (path.empty()) {
    return failed(rotation_.path + ": the file name is empty or too long once its strftime(3) patterns are expanded");
  }
  SavefileError error;
  file_ = create_savefile(path, writer_, error);
  current_path_ = path;
  opened_.push_back(path);
  if (!file_) return failed(path + ": can't create: " + error.message);
  for (const SavedBlock& saved : preamble_) {
    Block block{saved.type, saved.raw, saved.big_endian};
    if (!file_->write_block(block)) return failed_writing();
  }
  return true;
}

bool RotatingSink::rotate_to(uint32_t index) {
  const bool flushed = file_->flush();
  closed_bytes_ += file_->bytes_written();
  if (!flushed) return failed_writing();
  file_.reset();
  return open_file(index);
}

bool RotatingSink::write_block(const Block& block) {
  if (error_ || limit_reached_) return false;
  if (block.type == pcapng::kSectionHeader) preamble_.clear();
  if (block.type == pcapng::kSectionHeader || block.type == pcapng::kInterfaceDescription ||
      block.type == pcapng::kDecryptionSecrets) {
    preamble_.push_back({block.type, std::vector<uint8_t>(block.raw.begin(), block.raw.end()), block.big_endian});
  }
  if (file_->write_block(block)) return true;
  return failed_writing();
}

bool RotatingSink::write_packet(const Packet& packet, const InterfaceInfo& interface) {
  if (error_ || limit_reached_) return false;
  const uint32_t seconds = rotation_.rotate_seconds.value_or(0);
  if (seconds > 0) {
    const std::time_t now = clock_();
    if (now - period_start_ >= static_cast<std::time_t>(seconds)) {
      period_start_ = now;
      ++time_rotations_;
      size_index_ = 0;
      if (!rotation_.max_file_bytes && rotation_.max_files && time_rotations_ >= *rotation_.max_files) {
        // The last file is complete; the packet would start one too many.
        const bool flushed = file_->flush();
        closed_bytes_ += file_->bytes_written();
        if (!flushed) return failed_writing();
        file_.reset();
        limit_reached_ = true;
        return false;
      }
      if (!rotate_to(0)) return false;
    }
  }
  if (rotation_.max_file_bytes && file_->bytes_written() > *rotation_.max_file_bytes) {
    ++size_index_;
    if (rotation_.max_files && size_index_ >= *rotation_.max_files) size_index_ = 0;
    if (!rotate_to(size_index_)) return false;
  }
  if (file_->write_packet(packet, interface)) return true;
  return failed_writing();
}

bool RotatingSink::flush() {
  if (error_) return false;
  if (!file_) return true;
  if (file_->flush()) return true;
  return failed_writing();
}

uint64_t RotatingSink::bytes_written() const { return closed_bytes_ + (file_ ? file_->bytes_written() : 0); }

}  // namespace bpfc::capture
