// What the compressed-savefile fuzz target checks. The input is
//
//   [0] how: codec (gzip, xz, zstd) and what to do to the compressed bytes
//   [1] a parameter: members/frames to split into, where to cut or flip
//   [2..] the savefile bytes (any bytes: the readers may refuse them)
//
// The savefile bytes are compressed by the harness (whole, or in several
// members, streams or frames), then left intact, truncated, or corrupted, or
// the raw bytes are handed to the decoder behind a bare magic number. Read
// through open_savefile_memory() (which detects the compression), they must
//
//  1. intact: deliver exactly what the uncompressed bytes deliver (packets,
//     blocks, error, warnings), or be refused when those are;
//  2. truncated: deliver a prefix of those packets, and end with an error
//     unless the cut falls between two members;
//  3. always: keep the PacketSource contract (source_recording.h), and,
//     unless corrupted, deliver the same when the compressed bytes come
//     through a stream whose buffer keeps moving (shifting_stream_input.h).
//     (How much of a corrupt frame zstd decodes before it notices depends on
//     how the input arrives.)
//
// A violation prints what failed and aborts.
#pragma once

#include <cstdint>
#include <span>

namespace bpfc::capture::fuzz {

void check_compressed_property(std::span<const uint8_t> input);

}  // namespace bpfc::capture::fuzz
