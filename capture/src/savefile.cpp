// Entry points of the savefile layer: detection of compression and format by
// magic number, and the choice of writer. The formats themselves live in
// pcap_* and pcapng_*, decompression in decompression.* and decompress_*.
#include "bpfc/capture/savefile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "byte_input.h"
#include "decompressed_source.h"
#include "decompression.h"
#include "output_buffer.h"
#include "pcap_format.h"
#include "readers.h"
#include "writers.h"

namespace bpfc::capture {
namespace {

constexpr size_t kMagicBytes = 4;

uint32_t load_le32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}


// The pcapng Section Header Block type reads the same in both byte orders.
constexpr uint32_t kPcapngSectionHeader = 0x0a0d0d0a;

// A refusal of decompressed data says so: the file was compressed, and the
// problem is in what it decompressed to.
std::string after(Compression compression) {
  return "after " + std::string(compression_name(compression)) + " decompression";
}

// Detects pcap vs pcapng in `input` (the decompressed bytes when
// `compression` is not None) and opens the reader.
std::unique_ptr<PacketSource> open_format(std::unique_ptr<ByteInput> input, SavefileError& error,
                                          const ReaderOptions& options, Compression compression) {
  const bool compressed = compression != Compression::None;
  const uint8_t* magic = input->window(0, kMagicBytes);
  if (magic == nullptr) {
    const size_t have = input->available(0);
    if (input->read_error()) {
      error = {"error reading dump file: " + *input->read_error(), std::nullopt, false};
    } else if (have == 0) {
      error = {compressed ? "no data " + after(compression) + ": not a pcap or pcapng savefile"
                          : "empty file: not a pcap or pcapng savefile",
               std::nullopt, false};
    } else {
      error = {"truncated dump file; tried to read 4 file header bytes, only got " + std::to_string(have) +
                   (compressed ? " (" + after(compression) + ")" : ""),
               std::nullopt, false};
    }
    return nullptr;
  }
  const uint32_t value = load_le32(magic);
  std::unique_ptr<PacketSource> reader;
  if (pcap_format::is_magic(value)) {
    reader = open_pcap(std::move(input), error, options);
  } else if (value == kPcapngSectionHeader) {
    reader = open_pcapng(std::move(input), error, options);
  } else {
    char first[16];
    std::snprintf(first, sizeof first, "0x%02x%02x%02x%02x", magic[0], magic[1], magic[2], magic[3]);
    const Compression inner = detect_compression({magic, input->available(0)});
    if (compressed && inner != Compression::None) {
      error = {"not a pcap or pcapng savefile " + after(compression) + ": it holds " +
                   std::string(compression_name(inner)) + "-compressed data",
               std::nullopt, false};
    } else {
      error = {"not a pcap or pcapng savefile" + (compressed ? " " + after(compression) : std::string()) +
                   " (first bytes " + first + ")",
               std::nullopt, false};
    }
    return nullptr;
  }
  if (!reader && compressed) {
    // The reader's own refusal (bad header, unsupported version, ...).
    error.compression = compression_name(compression);
    if (!error.offset && !error.message.starts_with("error reading")) error.message += " (" + after(compression) + ")";
  }
  return reader;
}

std::unique_ptr<PacketSource> open_detected(std::unique_ptr<ByteInput> input, SavefileError& error,
                                            const ReaderOptions& options) {
  size_t head_size = kCompressionMagicBytes;
  const uint8_t* head = input->window(0, head_size);
  if (head == nullptr) {
    head_size = input->available(0);
    head = input->window(0, head_size);
  }
  const Compression compression = head ? detect_compression({head, head_size}) : Compression::None;
  if (compression == Compression::None) return open_format(std::move(input), error, options, compression);
  std::unique_ptr<DecompressingInput> decompressed = decompressing_input(std::move(input), compression);
  const DecompressingInput& stream = *decompressed;
  auto reader = open_format(std::move(decompressed), error, options, compression);
  if (!reader) return nullptr;
  return decompressed_source(std::move(reader), stream, compression);
}

// A regular file is written by a background thread, so that the kernel's
// copy into the page cache overlaps reading and filtering. Pipes, terminals
// and devices are written in the caller: a reader that goes away is then
// noticed at the write that finds it gone, not one buffer later.
OutputBuffer::Writes writes_for(int fd) {
  struct stat info {};
  if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) return OutputBuffer::Writes::InBackground;
  return OutputBuffer::Writes::InCaller;
}

std::unique_ptr<PacketSink> make_writer(int fd, bool owns_fd, const WriterOptions& options,
                                        SavefileError& error) {
  auto out = std::make_unique<OutputBuffer>(fd, owns_fd, OutputBuffer::kDefaultCapacity, writes_for(fd));
  if (options.format == SavefileFormat::Pcapng) return make_pcapng_writer(std::move(out), options, error);
  return make_pcap_writer(std::move(out), options, error);
}

}  // namespace

std::string SavefileError::describe(std::string_view name) const {
  std::string text(name);
  text += ": ";
  if (offset) {
    text += "byte offset ";
    text += std::to_string(*offset);
    if (!compression.empty()) text += " of the decompressed " + compression + " data";
    text += ": ";
  }
  text += message;
  return text;
}

std::unique_ptr<PacketSource> open_savefile(const std::string& path, SavefileError& error,
                                            const ReaderOptions& options) {
  std::string open_error;
  std::unique_ptr<ByteInput> input = open_input(path, open_error, options.map_files);
  if (!input) {
    error = {open_error, std::nullopt, false};
    return nullptr;
  }
  return open_detected(std::move(input), error, options);
}

std::unique_ptr<PacketSource> open_savefile_memory(std::span<const uint8_t> bytes, SavefileError& error,
                                                   const ReaderOptions& options) {
  return open_detected(memory_input(bytes), error, options);
}

std::unique_ptr<PacketSink> create_savefile(const std::string& path, const WriterOptions& options,
                                            SavefileError& error) {
  if (path == "-") return make_writer(STDOUT_FILENO, false, options, error);
  int fd;
  do {
    fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    error = {std::strerror(errno), std::nullopt, false};
    return nullptr;
  }
  return make_writer(fd, true, options, error);
}

std::unique_ptr<PacketSink> create_savefile_fd(int fd, const WriterOptions& options, SavefileError& error) {
  return make_writer(fd, false, options, error);
}

}  // namespace bpfc::capture
