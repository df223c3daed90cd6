// --json: the packet's facts and summary as one JSON object per line.
#include <ctime>

#include "bpfc/dissect/json_record.h"
#include "bpfc/dissect/packet_printer.h"
#include "context.h"
#include "packet_text.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

// A JSON string: quotes, backslashes and control characters escaped, other
// bytes above ASCII as \u00XX (the text is single-byte, not UTF-8).
void append_string(Text& o, std::string_view s) {
  o << '"';
  for (char ch : s) {
    uint8_t byte = static_cast<uint8_t>(ch);
    switch (ch) {
      case '"': o << "\\\""; break;
      case '\\': o << "\\\\"; break;
      case '\n': o << "\\n"; break;
      case '\t': o << "\\t"; break;
      case '\r': o << "\\r"; break;
      default:
        if (byte < 0x20 || byte >= 0x7f) {
          o.print("\\u{:04x}", byte);
        } else {
          o << ch;
        }
    }
  }
  o << '"';
}

// Fields, each after a comma but the first.
class Fields {
 public:
  explicit Fields(Text& o) : o_(o) { o_ << '{'; }
  Text& key(std::string_view name) {
    if (!first_) o_ << ',';
    first_ = false;
    o_ << '"' << name << "\":";
    return o_;
  }
  void close() { o_ << '}'; }

 private:
  Text& o_;
  bool first_ = true;
};

void append_time(Fields& fields, Text& o, int64_t timestamp_ns, bool nanosecond) {
  int64_t second = timestamp_ns / 1000000000, fraction = timestamp_ns % 1000000000;
  if (fraction < 0) {
    fraction += 1000000000;
    --second;
  }
  int64_t shown = nanosecond ? fraction : fraction / 1000;
  time_t t = static_cast<time_t>(second);
  struct tm utc {};
  if (gmtime_r(&t, &utc) != nullptr) {
    char date[32];
    size_t n = std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
    fields.key("time") << '"' << std::string_view(date, n);
    if (nanosecond) {
      o.print(".{:09}Z\"", shown);
    } else {
      o.print(".{:06}Z\"", shown);
    }
  }
  if (nanosecond) {
    fields.key("epoch").print("{}.{:09}", second, shown);
  } else {
    fields.key("epoch").print("{}.{:06}", second, shown);
  }
}

void append_address(Text& o, const uint8_t* address, uint8_t bytes) {
  o << '"';
  bytes == 16 ? o.ipv6(address) : o.ipv4(address);
  o << '"';
}

}  // namespace

void PacketPrinter::append_json(std::string& out, const capture::Packet& packet, uint32_t dlt) {
  Facts facts;
  json_text_.clear();
  Context c(json_text_, options_);
  c.facts = &facts;
  Bytes bytes{packet.data, packet.caplen};
  // The text the line would show (without the time), as the summary.
  if (check_record(c.o, packet.caplen, packet.wirelen)) print_packet_text(c, bytes, packet.wirelen, dlt, linktype_name_);
  drop_spaces_before_line_ends(json_text_, 0);

  Text o(out);
  Fields fields(o);
  append_time(fields, o, packet.timestamp_ns, options_.nanosecond);
  fields.key("caplen").num(packet.caplen);
  fields.key("len").num(packet.wirelen);
  std::optional<std::string_view> name = linktype_name_ ? linktype_name_(dlt) : std::nullopt;
  if (name) {
    append_string(fields.key("link"), *name);
  } else {
    fields.key("link").num(dlt);
  }
  if (facts.mac_source != nullptr) {
    fields.key("eth_src") << '"';
    o.mac(facts.mac_source) << '"';
  }
  if (facts.mac_destination != nullptr) {
    fields.key("eth_dst") << '"';
    o.mac(facts.mac_destination) << '"';
  }
  if (facts.ethertype >= 0) fields.key("ethertype").num(static_cast<uint32_t>(facts.ethertype));
  if (facts.vlan_count > 0) {
    fields.key("vlan") << '[';
    for (int i = 0; i < facts.vlan_count; ++i) {
      if (i > 0) o << ',';
      o.num(facts.vlans[i]);
    }
    o << ']';
  }
  if (!facts.network.empty()) append_string(fields.key("network"), facts.network);
  if (facts.source != nullptr) append_address(fields.key("src"), facts.source, facts.address_bytes);
  if (facts.destination != nullptr) append_address(fields.key("dst"), facts.destination, facts.address_bytes);
  if (facts.ip_protocol >= 0) fields.key("ip_proto").num(static_cast<uint32_t>(facts.ip_protocol));
  if (!facts.transport.empty()) append_string(fields.key("transport"), facts.transport);
  if (facts.source_port >= 0) fields.key("sport").num(static_cast<uint32_t>(facts.source_port));
  if (facts.destination_port >= 0) fields.key("dport").num(static_cast<uint32_t>(facts.destination_port));
  if (facts.length >= 0) fields.key("length").num(static_cast<uint64_t>(facts.length));
  append_string(fields.key("summary"), json_text_);
  fields.close();
  out.push_back('\n');
}

}  // namespace bpfc::dissect
