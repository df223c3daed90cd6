#include "decompressed_source.h"

#include <string>
#include <vector>

namespace bpfc::capture {
namespace {

class DecompressedSource : public PacketSource {
 public:
  DecompressedSource(std::unique_ptr<PacketSource> reader, const DecompressingInput& input, Compression compression)
      : reader_(std::move(reader)), input_(input), compression_(compression_name(compression)) {}

  bool next(Batch& batch) override { return reader_->next(batch); }

  const std::optional<SavefileError>& error() const override {
    const auto& error = reader_->error();
    if (error && !error_) error_ = annotated(*error);
    return error_;
  }

  const std::vector<SavefileError>& warnings() const override {
    const auto& warnings = reader_->warnings();
    warnings_.clear();
    for (const SavefileError& warning : warnings) warnings_.push_back(annotated(warning));
    return warnings_;
  }

  SavefileFormat format() const override { return reader_->format(); }
  const std::vector<InterfaceInfo>& interfaces() const override { return reader_->interfaces(); }
  std::optional<uint64_t> size() const override { return input_.compressed_size(); }
  uint64_t position() const override { return input_.compressed_position(); }

 private:
  SavefileError annotated(SavefileError error) const {
    error.compression = compression_;
    return error;
  }

  std::unique_ptr<PacketSource> reader_;
  const DecompressingInput& input_;
  std::string compression_;
  // The reader's error and warnings with `compression` set, made on demand.
  mutable std::optional<SavefileError> error_;
  mutable std::vector<SavefileError> warnings_;
};

}  // namespace

std::unique_ptr<PacketSource> decompressed_source(std::unique_ptr<PacketSource> reader,
                                                  const DecompressingInput& input, Compression compression) {
  return std::make_unique<DecompressedSource>(std::move(reader), input, compression);
}

}  // namespace bpfc::capture
