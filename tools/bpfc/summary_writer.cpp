#include "summary_writer.h"

#include "bpfc/linktype/linktype.h"

namespace bpfc::cli {

SummaryWriter::SummaryWriter(std::FILE* out, const dissect::PrintOptions& options)
    : out_(out), printer_(options, &linktype_name) {}

SummaryWriter::~SummaryWriter() { flush(); }

bool SummaryWriter::write(const capture::Packet& packet, uint32_t dlt) {
  if (failed_) return false;
  // Room for a whole batch once, so that lines are appended without
  // reallocating (a line is far shorter than the slack).
  if (buffer_.capacity() < kBatchBytes) buffer_.reserve(kBatchBytes + 4096);
  printer_.append(buffer_, packet, dlt);
  if (buffer_.size() >= kBatchBytes) return flush();
  return true;
}

bool SummaryWriter::flush() {
  if (failed_) return false;
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) failed_ = true;
  buffer_.clear();
  if (std::fflush(out_) != 0) failed_ = true;
  return !failed_;
}

}  // namespace bpfc::cli
