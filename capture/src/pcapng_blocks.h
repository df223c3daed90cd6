// Parsing the bodies of the pcapng blocks the reader interprets beyond their
// framing: Section Header and Interface Description Blocks (whose contents
// change how later blocks are read), and the option lists of the other
// standard non-packet blocks (validated so damage is reported, not skipped
// silently). Framing (lengths, trailer) is the reader's job; these functions
// see the body between the length fields.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "bpfc/capture/packet.h"
#include "pcapng_timestamp.h"

namespace bpfc::capture::pcapng {

// "Enhanced Packet Block", or "block of type 0x..." for a type without a name.
std::string block_name(uint32_t type);
// libpcap's wording for a body shorter than its type's fixed part, with the sizes.
std::string too_short_problem(uint32_t type, size_t body_bytes, size_t needed_bytes);

// The byte order a Section Header Block declares: `block` holds at least its
// first 12 bytes. Nullopt when the byte-order magic is neither order's.
std::optional<bool> section_big_endian(const uint8_t* block);

struct SectionHeader {
  uint16_t major_version = 0;
  uint16_t minor_version = 0;
};
// Parses an SHB body (after the length field, before the trailer) and
// validates its options. False and `problem` (a whole sentence) on damage.
bool parse_section_header(std::span<const uint8_t> body, bool big_endian, SectionHeader& header,
                          std::string& problem);

struct InterfaceDescription {
  InterfaceInfo info;      // `section` is left for the caller to fill in
  TimestampScale scale;
};
// Parses an IDB body: link type, snaplen and the options that matter
// (if_tsresol, if_tsoffset, if_name, if_description, if_filter, if_fcslen),
// refusing what libpcap refuses (bad or repeated if_tsresol/if_tsoffset).
bool parse_interface_description(std::span<const uint8_t> body, bool big_endian, InterfaceDescription& idb,
                                 std::string& problem);

// Validates the structure of a Name Resolution, Interface Statistics or
// Decryption Secrets Block body (records, fixed fields, options). Other
// types (custom, unknown) are opaque and always pass.
bool validate_other_block(uint32_t type, std::span<const uint8_t> body, bool big_endian, std::string& problem);

}  // namespace bpfc::capture::pcapng
