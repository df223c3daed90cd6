// PPPoE (RFC 2516) as `tcpdump -n -q` prints it: discovery packets with
// their tags, session packets with the PPP they carry.
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace pppoe {
constexpr uint32_t kVersionAndType = 0;
constexpr uint32_t kCode = 1;
constexpr uint32_t kSession = 2;
constexpr uint32_t kLength = 4;
constexpr uint32_t kHeader = 6;
constexpr uint8_t kPadi = 0x09;
}  // namespace pppoe

constexpr Name kCodes[] = {{pppoe::kPadi, "PADI"}, {0x07, "PADO"}, {0x19, "PADR"},
                           {0x65, "PADS"},         {0xa7, "PADT"}, {0x00, ""}};

constexpr Name kTags[] = {
    {0x0000, "EOL"},         {0x0101, "Service-Name"},      {0x0102, "AC-Name"},
    {0x0103, "Host-Uniq"},   {0x0104, "AC-Cookie"},         {0x0105, "Vendor-Specific"},
    {0x0110, "Relay-Session-ID"}, {0x0120, "PPP-Max-Payload"}, {0x0201, "Service-Name-Error"},
    {0x0202, "AC-System-Error"},  {0x0203, "Generic-Error"},
};

// tcpdump shows at most this many characters of a tag as text.
constexpr uint32_t kMaxTagText = 79;

void print_tag_name(Text& o, uint16_t type) {
  std::string_view name = name_of(kTags, type);
  if (name.empty()) {
    o.print("TAG-0x{:x}", type);
  } else {
    o << name;
  }
}

// A tag's value: as text when most of its first characters are printable,
// otherwise in hex.
void print_tag_value(Text& o, const Bytes& value, uint32_t length) {
  uint32_t shown = std::min(length, kMaxTagText);
  uint32_t printable = 0;
  for (uint32_t i = 0; i < shown; ++i) printable += value.u8(i) >= 0x20 && value.u8(i) < 0x7f;
  if (printable > shown - printable) {
    o << " \"";
    for (uint32_t i = 0; i < shown; ++i) {
      uint8_t ch = value.u8(i);
      o << (ch >= 0x20 && ch < 0x7f ? static_cast<char>(ch) : '.');
    }
    o << "\"]";
  } else {
    o << " 0x";
    for (uint32_t i = 0; i < length; ++i) o.print("{:02X}", value.u8(i));
    o << ']';
  }
}

}  // namespace

void print_pppoe(Context& c, Bytes b, uint32_t length) {
  Text& o = c.o;
  if (length < pppoe::kHeader) {
    o.print(" (length {} < {})", length, pppoe::kHeader);
    return o.invalid();
  }
  length -= pppoe::kHeader;
  if (!b.has(0, pppoe::kHeader)) return c.give_up("pppoe");
  unsigned version = b.u8(pppoe::kVersionAndType) >> 4, type = b.u8(pppoe::kVersionAndType) & 0x0f;
  uint8_t code = b.u8(pppoe::kCode);
  uint16_t session = b.u16(pppoe::kSession);
  uint32_t payload_length = b.u16(pppoe::kLength);
  if (version != 1) o.print(" [ver {}]", version);
  if (type != 1) o.print(" [type {}]", type);
  o << "PPPoE ";
  bool known = false;
  for (const Name& name : kCodes) {
    if (name.value != code) continue;
    o << name.text;
    known = true;
    break;
  }
  if (!known) o.print("PAD-{:x}", code);
  if (code == pppoe::kPadi && payload_length > 1484 - pppoe::kHeader) o.print(" [len {}!]", payload_length);
  if (payload_length > length) {
    o.print(" [len {} > {}!]", payload_length, length);
    payload_length = length;
  }
  if (session != 0) o.print(" [ses 0x{:x}]", session);
  Bytes payload = b.from(pppoe::kHeader);
  if (code == 0) {
    o << ' ';
    print_ppp(c, payload, payload_length);
    return;
  }
  // Discovery: tags to the end of the payload, or to an end-of-list tag.
  uint16_t tag = 0xffff;
  uint32_t at = 0;
  while (tag != 0 && at < payload_length) {
    if (!payload.has(at, 4)) return c.give_up("pppoe");
    tag = payload.u16(at);
    uint32_t tag_length = payload.u16(at + 2);
    at += 4;
    if (tag_length != 0 && !payload.has(at, tag_length)) return c.give_up("pppoe");
    o << " [";
    print_tag_name(o, tag);
    if (tag_length == 0) {
      o << ']';
    } else {
      print_tag_value(o, payload.from(at), tag_length);
    }
    at += tag_length;
  }
}

}  // namespace bpfc::dissect
