// tcpdump's -C, -G and -W, for the commands that write savefiles (filter,
// capture): the options as tcpdump spells and reads them, and the rotation
// they ask for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "bpfc/capture/rotating_sink.h"

namespace bpfc::cli {

struct RotationFlags {
  std::optional<uint64_t> file_size_mb;    // -C
  std::optional<uint32_t> rotate_seconds;  // -G
  std::optional<uint32_t> file_count;      // -W
};

void add_rotation_options(CLI::App& command, RotationFlags& flags);

// The rotation for the -w name `output` (empty: no -w): -C in millions of
// bytes; -W alone, or -G 0 alone, rotates nothing, as in tcpdump. Throws
// UsageError when a flag is given without a file to rotate.
std::optional<capture::RotationOptions> to_rotation(const RotationFlags& flags, const std::string& output);

}  // namespace bpfc::cli
