// pcap and pcapng savefiles: opening a file (or stdin, or memory) as a packet
// source, and creating a writer. No libpcap inside.
//
// Readers read regular files through a buffer or map them (ReaderOptions),
// and stream everything else (pipes, stdin) without seeking. gzip, xz and
// zstd compressed savefiles are recognized by their first bytes and
// decompressed on the fly. Damaged input never crashes or loops: the source
// stops with a SavefileError that names the byte offset of the damaged record.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/capture/packet.h"

namespace bpfc::capture {

enum class SavefileFormat { Pcap, Pcapng };

// The largest caplen / block body a reader accepts (libpcap's limit for
// savefiles is 256 KiB of packet data).
inline constexpr uint32_t kMaxPacketBytes = 262144;
// The largest pcapng block a reader accepts (packet data plus generous room
// for options and non-packet blocks such as large name-resolution blocks).
inline constexpr uint32_t kMaxBlockBytes = 16 * 1024 * 1024;

struct SavefileError {
  // What went wrong, without the file name or offset, e.g.
  // "truncated packet record: the header says 1514 bytes, only 200 follow".
  std::string message;
  // Byte offset in the input of the record or block that is damaged.
  std::optional<uint64_t> offset;
  // True when the input started as a valid savefile and went bad later
  // (truncation, corrupt lengths, compressed data that is cut short or
  // corrupt): what came before was delivered intact.
  bool damaged = false;
  // "gzip", "xz" or "zstd" when the input was compressed: then `offset`
  // counts bytes of the decompressed data. Empty otherwise.
  std::string compression = {};
  // A writer's error that is not the output's: the bytes of a borrowed
  // packet (WriterOptions::borrow_persistent) were gone when they were
  // written, because the mapped file they lay in was cut short meanwhile.
  bool borrowed_input_lost = false;

  // "NAME: byte offset N: message", "NAME: byte offset N of the decompressed
  // gzip data: message", or "NAME: message" without offset.
  std::string describe(std::string_view name) const;
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  // Replaces `batch` with the next batch. Returns false at the end of the
  // input or on an error (then error() is set); a false return may still
  // come with a final non-empty batch, which the caller must process first.
  virtual bool next(Batch& batch) = 0;
  virtual const std::optional<SavefileError>& error() const = 0;
  // Oddities that libpcap tolerates and so does this reader (a caplen above
  // the snaplen is cut to the snaplen, as libpcap does; a caplen above the
  // wire length…): one entry per kind, with the offset of the first record
  // and the count in the message. The input is still read to the end.
  virtual const std::vector<SavefileError>& warnings() const = 0;
  virtual SavefileFormat format() const = 0;
  // Interfaces seen so far (pcapng adds one per IDB as it reads them).
  virtual const std::vector<InterfaceInfo>& interfaces() const = 0;
  // Total input size when known (regular files), for progress reporting,
  // and how many bytes have been consumed so far (of a compressed file: its
  // compressed bytes).
  virtual std::optional<uint64_t> size() const = 0;
  virtual uint64_t position() const = 0;
};

struct ReaderOptions {
  size_t batch_packets = 256;  // at most this many packets per batch
  // Map regular files (mmap) instead of reading them through a 1 MiB
  // buffer. Both deliver packets without copying them; mapping spares
  // read()'s copy, but a file cut short meanwhile then raises SIGBUS, which
  // only the program can handle (see byte_input.cpp); reading is the
  // default.
  bool map_files = false;
};

// Opens `path` ("-" is standard input) and detects pcap vs pcapng by magic,
// after gzip, xz or zstd decompression when the content starts with one of
// their magic numbers. Returns null and fills `error` when the file cannot
// be opened or is not a savefile (empty file, unknown magic, unsupported
// version, bad header; compressed data that is not a savefile, or corrupt
// from the start).
std::unique_ptr<PacketSource> open_savefile(const std::string& path, SavefileError& error,
                                            const ReaderOptions& options = {});
// The same over bytes in memory (which must outlive the source).
std::unique_ptr<PacketSource> open_savefile_memory(std::span<const uint8_t> bytes, SavefileError& error,
                                                   const ReaderOptions& options = {});

struct WriterOptions {
  SavefileFormat format = SavefileFormat::Pcap;
  bool nanosecond = false;      // pcap: write the nanosecond magic; pcapng: if_tsresol 9 on new IDBs
  // pcap: the header's link type and snaplen (written at once, so an empty
  // result is still a valid file). pcapng: used only for packets that come
  // without interface blocks (from a pcap input).
  uint32_t linktype = 1;        // LINKTYPE_ value
  uint32_t snaplen = 262144;
  std::optional<uint32_t> fcs_bytes;  // pcap: the header's FCS field
  // pcap: a packet whose record is kept as it is and stays valid
  // (Packet::persistent) is written from where it lies instead of being
  // copied into the output buffer. The caller keeps each such packet's
  // source open until the sink's next flush() has returned (or the sink is
  // gone).
  bool borrow_persistent = false;
};

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  // A non-packet block from a pcapng source, in input order. The pcapng
  // writer copies it (an SHB starts a new section; its section length is
  // rewritten to -1 because packets may be dropped); the pcap writer ignores
  // it.
  virtual bool write_block(const Block& block) = 0;
  // `interface` describes packet.interface of the source it came from.
  // Only complete records ever reach the output.
  virtual bool write_packet(const Packet& packet, const InterfaceInfo& interface) = 0;
  // Writes out everything buffered. Also done by the destructor.
  virtual bool flush() = 0;
  virtual const std::optional<SavefileError>& error() const = 0;
  virtual uint64_t bytes_written() const = 0;
};

// Creates (truncates) `path`; "-" is standard output. Returns null and fills
// `error` when the file cannot be created. Writes are batched in a buffer of
// whole records.
std::unique_ptr<PacketSink> create_savefile(const std::string& path, const WriterOptions& options,
                                            SavefileError& error);
// The same into a file descriptor the caller owns (not closed).
std::unique_ptr<PacketSink> create_savefile_fd(int fd, const WriterOptions& options, SavefileError& error);

}  // namespace bpfc::capture
