#include "ip_options.h"

#include "names.h"

namespace bpfc::dissect {
namespace {

enum OptionCode : uint8_t {
  kEnd = 0,
  kNop = 1,
  kRecordRoute = 7,
  kTimestamp = 68,
  kSecurity = 130,
  kLooseRoute = 131,
  kStrictRoute = 137,
  kTraceroute = 82,
  kRouterAlert = 148,
};

constexpr Name kOptionNames[] = {
    {kEnd, "EOL"},         {kNop, "NOP"},          {kTimestamp, "timestamp"}, {kSecurity, "security"},
    {kRecordRoute, "RR"},  {kStrictRoute, "SSRR"}, {kLooseRoute, "LSRR"},     {kRouterAlert, "RA"},
    {kTraceroute, "traceroute"},
};

// Timestamp option flags (RFC 791).
constexpr uint8_t kTimestampsOnly = 0;
constexpr uint8_t kTimestampsAndAddresses = 1;
constexpr uint8_t kPrespecified = 3;

// RR, LSRR, SSRR: the addresses, a comma after those already passed.
bool print_route(Text& o, const Bytes& option, uint32_t length) {
  if (length < 3) {
    o.print(" [bad length {}]", length);
    return true;
  }
  if (((length + 1) & 3) != 0) o.print(" [bad length {}]", length);
  uint32_t pointer = option.u8(2) - 1u;
  if (pointer < 3 || ((pointer + 1) & 3) != 0 || pointer > length + 1) o.print(" [bad ptr {}]", option.u8(2));
  for (uint32_t at = 3; at < length; at += 4) {
    if (!option.has(at, 4)) return false;
    o << ' ';
    o.ipv4(option.at(at));
    if (pointer > at) o << ',';
  }
  return true;
}

bool print_timestamps(Text& o, const Bytes& option, uint32_t length) {
  if (length < 4) {
    o.print("[bad length {}]", length);
    return true;
  }
  o << " TS{";
  uint8_t flags = option.u8(3) & 0x0f;
  uint32_t hop_length = flags != kTimestampsOnly ? 8 : 4;
  if (((length - 4) & (hop_length - 1)) != 0) o.print("[bad length {}]", length);
  uint32_t pointer = option.u8(2) - 1u;
  uint32_t at = 0;
  if (pointer < 4 || ((pointer - 4) & (hop_length - 1)) != 0 || pointer > length + 1) {
    o.print("[bad ptr {}]", option.u8(2));
  }
  switch (flags) {
    case kTimestampsOnly: o << "TSONLY"; break;
    case kTimestampsAndAddresses: o << "TS+ADDR"; break;
    case kPrespecified: o << "PRESPEC"; break;
    default: o.print("[bad ts type {}]", flags); break;
  }
  if (flags == kTimestampsOnly || flags == kTimestampsAndAddresses || flags == kPrespecified) {
    std::string_view separator = " ";
    for (at = 4; at < length; at += hop_length) {
      if (pointer == at) separator = " ^ ";
      if (!option.has(at, hop_length)) return false;
      o << separator;
      o.num(option.u32(at + hop_length - 4)) << '@';
      if (hop_length == 8) o.ipv4(option.at(at));
      separator = " ";
    }
  }
  if (pointer == at) o << " ^ ";
  if ((option.u8(3) >> 4) != 0) {
    o.print(" [{} hops not recorded]}} ", option.u8(3) >> 4);
  } else {
    o << '}';
  }
  return true;
}

}  // namespace

OptionsPrinted print_ip_options(Context& c, Bytes options, uint32_t length) {
  Text& o = c.o;
  std::string_view separator = "";
  uint32_t at = 0;
  while (at < length) {
    o << separator;
    separator = ",";
    if (!options.has(at, 1)) {
      c.give_up("ip");
      return OptionsPrinted::GaveUp;
    }
    uint8_t code = options.u8(at);
    std::string_view name = name_of(kOptionNames, code);
    if (name.empty()) {
      o.print("unknown {}", code);
    } else {
      o << name;
    }
    uint32_t option_length = 1;
    if (code != kNop && code != kEnd) {
      if (!options.has(at + 1, 1)) {
        c.give_up("ip");
        return OptionsPrinted::GaveUp;
      }
      option_length = options.u8(at + 1);
      if (option_length < 2) {
        o.print(" [bad length {}]", option_length);
        return OptionsPrinted::Complete;
      }
    }
    if (option_length > length - at) {
      o.print(" [bad length {}]", option_length);
      return OptionsPrinted::Complete;
    }
    if (!options.has(at, option_length)) return OptionsPrinted::Truncated;
    Bytes option = options.from(at);
    switch (code) {
      case kEnd:
        return OptionsPrinted::Complete;
      case kTimestamp:
        if (!print_timestamps(o, option, option_length)) return OptionsPrinted::Truncated;
        break;
      case kRecordRoute:
      case kStrictRoute:
      case kLooseRoute:
        if (!print_route(o, option, option_length)) return OptionsPrinted::Truncated;
        break;
      case kRouterAlert:
        if (option_length < 4) {
          o.print(" [bad length {}]", option_length);
          break;
        }
        if (option.u16(2) != 0) o.print(" value {}", option.u16(2));
        break;
      default:
        break;
    }
    at += option_length;
  }
  return OptionsPrinted::Complete;
}

}  // namespace bpfc::dissect
