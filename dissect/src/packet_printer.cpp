#include "bpfc/dissect/packet_printer.h"

#include <cstring>

#include "bpfc/linktype/dlt.h"

#include "context.h"
#include "hex_dump.h"
#include "packet_text.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

// tcpdump's sanity limit on lengths (MAXIMUM_SNAPLEN).
constexpr uint32_t kMaximumSnaplen = 262144;

using LinkPrinter = void (*)(Context& c, Bytes b, uint32_t length);

struct LinkEntry {
  uint32_t dlt;
  LinkPrinter print;
};

constexpr LinkEntry kLinkPrinters[] = {
    {dlt::EN10MB, print_ethernet},
    {dlt::RAW, print_raw_ip},
    {dlt::IPV4, print_raw_ip},
    {dlt::IPV6, print_raw_ip},
    {dlt::LINUX_SLL, print_linux_sll},
    {dlt::LINUX_SLL2, print_linux_sll2},
    {dlt::NULL_LOOPBACK, print_bsd_loopback},
    {dlt::LOOP, print_bsd_loopback},
};

LinkPrinter link_printer(uint32_t dlt) {
  for (const LinkEntry& entry : kLinkPrinters) {
    if (entry.dlt == dlt) return entry.print;
  }
  return nullptr;
}

}  // namespace

bool check_record(Text& o, uint32_t caplen, uint32_t length) {
  if (caplen != 0 && length != 0 && length >= caplen && caplen <= kMaximumSnaplen && length <= kMaximumSnaplen) {
    return true;
  }
  o << "[Invalid header:";
  const char* separator = " ";
  auto problem = [&]() -> Text& {
    o << separator;
    separator = ", ";
    return o;
  };
  if (caplen == 0) problem() << "caplen==0";
  if (length == 0) {
    problem() << "len==0";
  } else if (length < caplen) {
    problem().print("len({}) < caplen({})", length, caplen);
  }
  if (caplen > kMaximumSnaplen) problem().print("caplen({}) > {}", caplen, kMaximumSnaplen);
  if (length > kMaximumSnaplen) problem().print("len({}) > {}", length, kMaximumSnaplen);
  o << ']';
  return false;
}

// tcpdump leaves a space at the end of some lines (before a dump it would
// print without -q, after some fields); bpfc never does.
void drop_spaces_before_line_ends(std::string& text, size_t start) {
  if (std::memchr(text.data() + start, '\n', text.size() - start) == nullptr) {
    size_t size = text.size();
    while (size > start && text[size - 1] == ' ') --size;
    text.resize(size);
    return;
  }
  size_t kept = start;
  size_t spaces = 0;
  for (size_t i = start; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == ' ') {
      ++spaces;
      continue;
    }
    if (ch != '\n') {
      for (; spaces > 0; --spaces) text[kept++] = ' ';
    }
    spaces = 0;
    text[kept++] = ch;
  }
  text.resize(kept);
}

void print_packet_text(Context& c, Bytes bytes, uint32_t length, uint32_t dlt, LinktypeNamer linktype_name) {
  if (LinkPrinter print = link_printer(dlt)) return print(c, bytes, length);
  std::optional<std::string_view> name = linktype_name ? linktype_name(dlt) : std::nullopt;
  if (name) {
    c.o.print("link-type {}, length {}", *name, length);
  } else {
    c.o.print("link-type {}, length {}", dlt, length);
  }
}

namespace {

// -x, -X, -A: the bytes from the network layer on (from the first byte with
// -xx, -XX, -AA, or when the dissection gave up part-way, as tcpdump does).
void append_dump(Context& c, Bytes bytes) {
  uint32_t start = c.options.dump_link_header || c.gave_up ? 0 : c.link_header_length;
  if (bytes.size <= start) return;
  Bytes dumped = bytes.from(start);
  switch (c.options.dump) {
    case Dump::None:
      break;
    case Dump::Hex:
      hex_dump(c.o, dumped);
      break;
    case Dump::HexAscii:
      hex_ascii_dump(c.o, dumped);
      break;
    case Dump::Ascii:
      ascii_dump(c.o, dumped);
      break;
  }
}

// The time as libpcap hands it to tcpdump: it reads the 32-bit seconds of
// a pcap record as signed, so times from 2038 on come out before 1970
// (pcapng's 64-bit timestamps do not). It matters to -ttt and -ttttt, which
// subtract times; the other formats refuse such times anyway.
int64_t time_as_libpcap_reads_it(const capture::Packet& packet) {
  if (packet.encoding == capture::RecordEncoding::Pcapng) return packet.timestamp_ns;
  constexpr int64_t kSecond = 1000000000;
  int64_t seconds = packet.timestamp_ns / kSecond;
  if (seconds >= (int64_t{1} << 31) && seconds < (int64_t{1} << 32)) {
    return packet.timestamp_ns - (int64_t{1} << 32) * kSecond;
  }
  return packet.timestamp_ns;
}

}  // namespace

PacketPrinter::PacketPrinter(const PrintOptions& options, LinktypeNamer linktype_name)
    : options_(options), linktype_name_(linktype_name), timestamps_(options.time, options.nanosecond) {}

void PacketPrinter::append(std::string& out, const capture::Packet& packet, uint32_t dlt) {
  if (options_.json) return append_json(out, packet, dlt);
  Context c(out, options_);
  uint32_t caplen = packet.caplen, length = packet.wirelen;
  if (!check_record(c.o, caplen, length)) {
    out.push_back('\n');
    return;
  }
  size_t start = out.size();
  timestamps_.append(out, time_as_libpcap_reads_it(packet));
  Bytes bytes{packet.data, caplen};
  print_packet_text(c, bytes, length, dlt, linktype_name_);
  // Without -v, lines are only ever broken by dumps, which drop the spaces
  // before their line breaks themselves.
  if (c.options.verbosity > 0) {
    drop_spaces_before_line_ends(out, start);
  } else {
    c.o.trim_trailing_spaces();
  }
  if (c.options.dump != Dump::None) append_dump(c, bytes);
  out.push_back('\n');
}

}  // namespace bpfc::dissect
