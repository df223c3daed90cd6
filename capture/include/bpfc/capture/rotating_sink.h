// A PacketSink that spreads its packets over several savefiles the way
// tcpdump's -C, -G and -W do, with tcpdump's file names, so that scripts
// written for tcpdump's output find the same files:
//
//   -C SIZE   before writing a packet, when the current file already holds
//             more than SIZE bytes (tcpdump: millions of bytes), close it
//             and open the next: FILE, FILE1, FILE2, ...
//   -W COUNT  with -C: a ring of COUNT files, numbered with zero-padded
//             digits (COUNT 3: FILE0 FILE1 FILE2 FILE0 ...; COUNT 12: FILE00
//             ... FILE11). With -G alone: stop once COUNT files are done.
//   -G SECS   FILE is a strftime(3) pattern, expanded with the local time at
//             which its file was opened; before writing a packet, when SECS
//             seconds or more have passed since then (by the clock, not the
//             packets' timestamps), open a new file. With -C too, the size
//             counter restarts at 0 in each new period.
//
// Every file is complete on its own: a pcap file has its header; a pcapng
// file starts with the current section's Section Header Block and the
// Interface Description (and Decryption Secrets) Blocks seen so far in it,
// so that the packets it holds refer to interfaces it describes.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/capture/savefile.h"

namespace bpfc::capture {

struct RotationOptions {
  // The -w name; with rotate_seconds, a strftime(3) pattern.
  std::string path = {};
  // -C in bytes (tcpdump's -C N is N * 1,000,000).
  std::optional<uint64_t> max_file_bytes = {};
  std::optional<uint32_t> rotate_seconds = {};  // -G; 0 is no rotation by time, as in tcpdump
  std::optional<uint32_t> max_files = {};       // -W; at least 1
};

// Seconds since the Unix epoch; time(nullptr) unless a test injects one.
using RotationClock = std::function<std::time_t()>;

// The name of file number `index` (0 is the first) of a rotation opened at
// `opened` (used only with rotate_seconds), as tcpdump names it. Empty when
// the strftime expansion is empty or too long.
std::string rotation_file_name(const RotationOptions& rotation, std::time_t opened, uint32_t index);

class RotatingSink final : public PacketSink {
 public:
  // Creates the first file at once (so that a name that cannot be created
  // fails before any packet). Returns null and fills `error` (naming the
  // file) when it cannot.
  static std::unique_ptr<RotatingSink> create(const RotationOptions& rotation, const WriterOptions& writer,
                                              SavefileError& error, RotationClock clock = {});
  ~RotatingSink() override;
  RotatingSink(const RotatingSink&) = delete;
  RotatingSink& operator=(const RotatingSink&) = delete;

  bool write_block(const Block& block) override;
  // False with error() unset and limit_reached() set when -G with -W (and
  // no -C) would open file COUNT+1: the packet is not written, and the job
  // is done, as tcpdump's "Maximum file limit reached".
  bool write_packet(const Packet& packet, const InterfaceInfo& interface) override;
  bool flush() override;
  const std::optional<SavefileError>& error() const override { return error_; }
  // Over every file written.
  uint64_t bytes_written() const override;

  bool limit_reached() const { return limit_reached_; }
  const std::string& current_path() const { return current_path_; }
  // Every name opened so far, in order (a ring's names repeat).
  const std::vector<std::string>& opened_paths() const { return opened_; }

 private:
  RotatingSink(const RotationOptions& rotation, const WriterOptions& writer, RotationClock clock);
  bool open_file(uint32_t index);
  // Closes the current file and opens `index`, replaying the section
  // preamble into it.
  bool rotate_to(uint32_t index);
  bool failed(std::string message);
  // Fails with the current file's write error, named after the file.
  bool failed_writing();

  RotationOptions rotation_;
  WriterOptions writer_;
  RotationClock clock_;
  std::unique_ptr<PacketSink> file_;
  std::string current_path_;
  std::vector<std::string> opened_;
  std::optional<SavefileError> error_;
  std::time_t period_start_ = 0;  // when the current -G period began
  uint32_t size_index_ = 0;       // tcpdump's -C counter
  uint32_t time_rotations_ = 0;   // tcpdump's -G counter
  uint64_t closed_bytes_ = 0;     // in files already closed
  bool limit_reached_ = false;
  // The current pcapng section's SHB and the IDBs and DSBs after it, copied,
  // for the start of the next file.
  struct SavedBlock {
    uint32_t type;
    std::vector<uint8_t> raw;
    bool big_endian;
  };
  std::vector<SavedBlock> preamble_;
};

}  // namespace bpfc::capture
