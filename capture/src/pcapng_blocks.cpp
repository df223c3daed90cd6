#include "pcapng_blocks.h"

#include <bit>
#include <cstdio>

#include "pcapng_format.h"
#include "pcapng_options.h"

namespace bpfc::capture::pcapng {

std::string block_name(uint32_t type) {
  switch (type) {
    case kSectionHeader: return "Section Header Block";
    case kInterfaceDescription: return "Interface Description Block";
    case kObsoletePacket: return "Packet Block";
    case kSimplePacket: return "Simple Packet Block";
    case kNameResolution: return "Name Resolution Block";
    case kInterfaceStatistics: return "Interface Statistics Block";
    case kEnhancedPacket: return "Enhanced Packet Block";
    case kDecryptionSecrets: return "Decryption Secrets Block";
    default: {
      char text[40];
      std::snprintf(text, sizeof text, "block of type 0x%08x", type);
      return text;
    }
  }
}

std::string too_short_problem(uint32_t type, size_t body_bytes, size_t needed_bytes) {
  return "block of type " + std::to_string(type) + " in pcapng dump file is too short (" + block_name(type) +
         " of " + std::to_string(body_bytes + kBlockOverheadBytes) + " bytes, at least " +
         std::to_string(needed_bytes + kBlockOverheadBytes) + " needed)";
}

std::optional<bool> section_big_endian(const uint8_t* block) {
  if (load_u32(block + 8, false) == kByteOrderMagic) return false;
  if (load_u32(block + 8, true) == kByteOrderMagic) return true;
  return std::nullopt;
}

namespace {

bool validate_options_of(uint32_t type, std::span<const uint8_t> area, bool big_endian, std::string& problem) {
  if (validate_options(area, big_endian, problem)) return true;
  problem = block_name(type) + " " + problem;
  return false;
}

// The NRB's records have the options' layout (type, length, padded value)
// and end with nrb_record_end; the block's options follow.
bool validate_name_records(std::span<const uint8_t> body, bool big_endian, std::string& problem) {
  size_t at = 0;
  while (at < body.size()) {
    if (body.size() - at < 4) {
      problem = "Name Resolution Block has a record header cut short";
      return false;
    }
    const uint16_t record_type = load_u16(body.data() + at, big_endian);
    const uint16_t length = load_u16(body.data() + at + 2, big_endian);
    if (pad4(length) > body.size() - at - 4) {
      problem = "Name Resolution Block has a record (type " + std::to_string(record_type) + ", length " +
                std::to_string(length) + ") that runs past the end of the block";
      return false;
    }
    at += 4 + static_cast<size_t>(pad4(length));
    if (record_type == 0) break;  // nrb_record_end
  }
  return validate_options_of(kNameResolution, body.subspan(at), big_endian, problem);
}

}  // namespace

bool parse_section_header(std::span<const uint8_t> body, bool big_endian, SectionHeader& header,
                          std::string& problem) {
  if (body.size() < kShbFixedBytes) {
    problem = too_short_problem(kSectionHeader, body.size(), kShbFixedBytes);
    return false;
  }
  header.major_version = load_u16(body.data() + 4, big_endian);
  header.minor_version = load_u16(body.data() + 6, big_endian);
  // The section length (body + 8) is advisory and -1 when unknown; blocks are
  // walked one by one instead.
  return validate_options_of(kSectionHeader, body.subspan(kShbFixedBytes), big_endian, problem);
}

bool parse_interface_description(std::span<const uint8_t> body, bool big_endian, InterfaceDescription& idb,
                                 std::string& problem) {
  if (body.size() < kIdbFixedBytes) {
    problem = too_short_problem(kInterfaceDescription, body.size(), kIdbFixedBytes);
    return false;
  }
  idb = InterfaceDescription{};
  InterfaceInfo& info = idb.info;
  info.linktype = load_u16(body.data(), big_endian);
  info.snaplen = load_u32(body.data() + 4, big_endian);
  info.swapped = big_endian != (std::endian::native == std::endian::big);
  info.ticks_per_second = idb.scale.ticks_per_second();

  bool saw_tsresol = false;
  bool saw_tsoffset = false;
  OptionReader options(body.subspan(kIdbFixedBytes), big_endian);
  Option option;
  for (;;) {
    const OptionReader::Step step = options.next(option);
    if (step == OptionReader::Step::End) return true;
    if (step == OptionReader::Step::Malformed) {
      problem = "Interface Description Block " + options.problem();
      return false;
    }
    switch (option.code) {
      case kOptIfTsresol: {
        if (option.value.size() != 1) {
          problem = "Interface Description Block has if_tsresol option with length " +
                    std::to_string(option.value.size()) + " != 1";
          return false;
        }
        if (saw_tsresol) {
          problem = "Interface Description Block has more than one if_tsresol option";
          return false;
        }
        saw_tsresol = true;
        std::optional<TimestampScale> scale = TimestampScale::from_tsresol(option.value[0], problem);
        if (!scale) return false;
        idb.scale = *scale;
        info.ticks_per_second = scale->ticks_per_second();
        break;
      }
      case kOptIfTsoffset:
        if (option.value.size() != 8) {
          problem = "Interface Description Block has if_tsoffset option with length " +
                    std::to_string(option.value.size()) + " != 8";
          return false;
        }
        if (saw_tsoffset) {
          problem = "Interface Description Block has more than one if_tsoffset option";
          return false;
        }
        saw_tsoffset = true;
        info.ts_offset_seconds = static_cast<int64_t>(load_u64(option.value.data(), big_endian));
        break;
      case kOptIfName:
        info.name = option_string(option.value);
        break;
      case kOptIfDescription:
        info.description = option_string(option.value);
        break;
      case kOptIfFilter:
        // The first byte says how the filter is given: 0 is a libpcap
        // filter string; other forms (a BPF program) have no text.
        if (!option.value.empty() && option.value[0] == 0) info.filter = option_string(option.value.subspan(1));
        break;
      case kOptIfFcslen:
        // The draft specifies bits; some writers have stored bytes. No real
        // FCS is under 8 bits long, so small values are taken as bytes.
        if (option.value.size() == 1) {
          const uint8_t length = option.value[0];
          info.fcs_bytes = length % 8 == 0 ? length / 8u : length;
        }
        break;
      default:
        break;  // other options (addresses, speed, OS, comments…) only travel with the raw block
    }
  }
}

bool validate_other_block(uint32_t type, std::span<const uint8_t> body, bool big_endian, std::string& problem) {
  switch (type) {
    case kNameResolution:
      return validate_name_records(body, big_endian, problem);
    case kInterfaceStatistics:
      if (body.size() < kIsbFixedBytes) {
        problem = too_short_problem(type, body.size(), kIsbFixedBytes);
        return false;
      }
      return validate_options_of(type, body.subspan(kIsbFixedBytes), big_endian, problem);
    case kDecryptionSecrets: {
      if (body.size() < kDsbFixedBytes) {
        problem = too_short_problem(type, body.size(), kDsbFixedBytes);
        return false;
      }
      const uint32_t secrets = load_u32(body.data() + 4, big_endian);
      const uint64_t room = body.size() - kDsbFixedBytes;
      if (pad4(secrets) > room) {
        problem = "Decryption Secrets Block has secrets of " + std::to_string(secrets) +
                  " bytes that run past the end of the block";
        return false;
      }
      return validate_options_of(type, body.subspan(kDsbFixedBytes + static_cast<size_t>(pad4(secrets))),
                                 big_endian, problem);
    }
    default:
      return true;  // custom and unknown blocks: their layout is not ours to know
  }
}

}  // namespace bpfc::capture::pcapng
