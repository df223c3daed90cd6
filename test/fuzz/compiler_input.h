// The input format of the compiler fuzz target.
//
// Byte 0 chooses the mode. When it is a multiple of 8 (one input in eight),
// the expression is raw text taken from the input, to exercise the scanner,
// the parser and their error paths on anything:
//
//   [0] mode   [1..2] DLT, big-endian   [3] snaplen choice   [4] netmask choice
//   [5..] expression text, up to the first NUL byte   [after NUL] packet material
//
// Otherwise the rest of the input drives the grammar-aware generator
// (filter_generator.h), which reads its decisions from the back; the packet
// synthesizer then reads its decisions from what is left at the back and
// its material from the front.
//
// Text-mode inputs are how expressions from elsewhere (the accept corpus)
// become seeds: encode_text_input() writes one.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "filter_case.h"
#include "fixture_names.h"
#include "packet_synthesizer.h"

namespace bpfc::fuzz {

struct CompilerInput {
  FilterCase filter;
  std::vector<TestPacket> packets;
};

CompilerInput decode_compiler_input(std::span<const uint8_t> data, const FixtureNames& names);

// A text-mode input for `text` on link type `dlt` with the default snaplen
// and no netmask, followed by `packet_material`.
std::vector<uint8_t> encode_text_input(uint16_t dlt, std::string_view text, std::span<const uint8_t> packet_material);

}  // namespace bpfc::fuzz
