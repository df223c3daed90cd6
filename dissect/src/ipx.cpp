// Novell IPX as `tcpdump -n -q` prints it: addresses and sockets, and the
// RIP and SAP messages on their sockets.
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace ipx {
constexpr uint32_t kLength = 2;
constexpr uint32_t kDestination = 6;  // network (4), node (6), socket (2)
constexpr uint32_t kSource = 18;
constexpr uint32_t kHeader = 30;
}  // namespace ipx

enum Socket : uint16_t {
  kNcp = 0x0451,
  kSap = 0x0452,
  kRip = 0x0453,
  kNetbios = 0x0455,
  kDiagnostics = 0x0456,
  kNwlinkDatagram = 0x0553,
};

struct IpxReader {
  Context& c;
  const Bytes& b;

  bool need(uint32_t offset, uint32_t n) {
    if (b.has(offset, n)) return true;
    c.give_up("ipx");
    return false;
  }
};

// network.node
bool print_address(IpxReader& r, uint32_t at) {
  if (!r.need(at, 10)) return false;
  r.c.o.print("{:08x}.", r.b.u32(at));
  r.c.o.mac(r.b.at(at + 4));
  return true;
}

// network.node.socket: tcpdump reads all three before it prints any.
bool print_endpoint(IpxReader& r, uint32_t at) {
  if (!r.need(at, 12)) return false;
  print_address(r, at);
  r.c.o.print(".{:04x}", r.b.u16(at + 10));
  return true;
}

void print_sap(IpxReader& r, uint32_t at, uint32_t length) {
  Text& o = r.c.o;
  if (!r.need(at, 2)) return;
  uint16_t command = r.b.u16(at);
  if (length < 2) {
    o.print(" [length {} < 2]", length);
    return o.invalid();
  }
  at += 2;
  length -= 2;
  switch (command) {
    case 1:
    case 3:
      o << (command == 1 ? "ipx-sap-req" : "ipx-sap-nearest-req");
      if (!r.need(at, 2)) return;
      o.print(" {:04x}", r.b.u16(at));
      return;
    case 2:
    case 4:
      o << (command == 2 ? "ipx-sap-resp" : "ipx-sap-nearest-resp");
      for (int i = 0; i < 8 && length != 0; ++i) {
        if (!r.need(at, 2)) return;
        if (length < 2) return o.invalid();
        o.print(" {:04x} '", r.b.u16(at));
        at += 2;
        length -= 2;
        if (length < 48) {
          o << '\'';
          return o.invalid();
        }
        // The server name: up to 48 characters, to a NUL.
        for (uint32_t j = 0; j < 48; ++j) {
          if (!r.need(at + j, 1)) return;
          uint8_t ch = r.b.u8(at + j);
          if (ch == 0) break;
          o.escaped_char(ch);
        }
        o << '\'';
        at += 48;
        length -= 48;
        if (!r.need(at, 10)) return;
        if (length < 10) return o.invalid();
        o << " addr ";
        print_address(r, at);
        at += 10;
        length -= 10;
        if (!r.need(at, 4)) return;
        if (length < 4) return o.invalid();
        at += 4;
        length -= 4;
      }
      return;
    default:
      o.print("ipx-sap-?{:x}", command);
  }
}

void print_rip(IpxReader& r, uint32_t at, uint32_t length) {
  Text& o = r.c.o;
  if (!r.need(at, 2)) return;
  uint16_t command = r.b.u16(at);
  if (length < 2) {
    o.print(" [length {} < 2]", length);
    return o.invalid();
  }
  at += 2;
  length -= 2;
  auto route = [&]() {
    if (!r.need(at, 8)) return false;
    o.print(" {:08x}/{}.{}", r.b.u32(at), r.b.u16(at + 4), r.b.u16(at + 6));
    return true;
  };
  switch (command) {
    case 1:
      o << "ipx-rip-req";
      if (length != 0) {
        if (length < 8) return o.invalid();
        route();
      }
      return;
    case 2:
      o << "ipx-rip-resp";
      for (int i = 0; i < 50 && length != 0; ++i) {
        if (length < 8) return o.invalid();
        if (!route()) return;
        at += 8;
        length -= 8;
      }
      return;
    default:
      o.print("ipx-rip-?{:x}", command);
  }
}

}  // namespace

void print_ipx(Context& c, Bytes b, uint32_t) {
  Text& o = c.o;
  IpxReader r{c, b};
  if (!c.options.link_header) o << "IPX ";
  if (!print_endpoint(r, ipx::kSource)) return;
  o << " > ";
  if (!print_endpoint(r, ipx::kDestination)) return;
  o << ": ";
  uint16_t socket = b.u16(ipx::kDestination + 10);
  if (!r.need(ipx::kLength, 2)) return;
  uint32_t length = b.u16(ipx::kLength);
  if (length < ipx::kHeader) {
    o.print("[length {} < {}]", length, ipx::kHeader);
    return o.invalid();
  }
  length -= ipx::kHeader;
  switch (socket) {
    case kNcp: o.print("ipx-ncp {}", length); break;
    case kSap: print_sap(r, ipx::kHeader, length); break;
    case kRip: print_rip(r, ipx::kHeader, length); break;
    case kNetbios: o.print("ipx-netbios {}", length); break;
    case kDiagnostics: o.print("ipx-diags {}", length); break;
    case kNwlinkDatagram: o.print("ipx-nwlink-dgm {}", length); break;
    default: o.print("ipx-#{:x} {}", socket, length); break;
  }
}

}  // namespace bpfc::dissect
