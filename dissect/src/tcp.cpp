// TCP as `tcpdump -q` prints it: ports and payload length.
#include "ip_protocols.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace tcp {
constexpr uint32_t kSourcePort = 0;
constexpr uint32_t kDestinationPort = 2;
constexpr uint32_t kDataOffset = 12;  // high nibble: header length in words
constexpr uint32_t kMinimumHeader = 20;
}  // namespace tcp

}  // namespace

void print_tcp(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool) {
  Text& o = c.o;
  if (!b.has(0, 4)) {
    ip.addresses(o);
    o << ':';
    o.truncated("tcp");
    return;
  }
  uint16_t source_port = b.u16(tcp::kSourcePort), destination_port = b.u16(tcp::kDestinationPort);
  if (c.facts != nullptr) {
    c.facts->transport = "tcp";
    c.facts->source_port = source_port;
    c.facts->destination_port = destination_port;
  }
  if (ip.protocol_field() == ip_protocol::kTcp) {
    ip.source(o);
    o << '.';
    o.num(source_port) << " > ";
    ip.destination(o);
    o << '.';
    o.num(destination_port) << ": ";
  } else {
    o.print("{} > {}: ", source_port, destination_port);
  }
  if (!b.has(0, tcp::kMinimumHeader)) return o.truncated("tcp");
  uint32_t header_length = (b.u8(tcp::kDataOffset) >> 4) * 4u;
  if (header_length < tcp::kMinimumHeader) {
    o.print(" tcp {} [bad hdr length {} - too short, < 20]", length - header_length, header_length);
    return;
  }
  o << "tcp ";
  o.num(length - header_length);
  if (c.facts != nullptr) c.facts->length = static_cast<uint32_t>(length - header_length);
  if (header_length > length) o.print(" [bad hdr length {} - too long, > {}]", header_length, length);
}

}  // namespace bpfc::dissect
