// IEEE 802.2 LLC and SNAP (RFC 1042) as `tcpdump -n -q` prints them: the
// SAPs and control field, and what SNAP, IP and IPX SAPs carry.
#include "hex_dump.h"
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

enum Sap : uint8_t {
  kSapNull = 0x00,
  kSapIp = 0x06,
  kSapStp = 0x42,
  kSapSnap = 0xaa,
  kSapIpx = 0xe0,
  kSapNetbeui = 0xf0,
  kSapIso = 0xfe,
  kSapGlobal = 0xff,
};

constexpr Name kSapNames[] = {
    {0x00, "Null"},     {0xff, "Global"},  {0x02, "802.1B I"}, {0x03, "802.1B G"}, {0x06, "IP"},
    {0x04, "SNA"},      {0x0e, "ProWay NM"}, {0x42, "STP"},    {0x4e, "RS511"},    {0x7e, "ISO8208"},
    {0x8e, "ProWay"},   {0xaa, "SNAP"},    {0xe0, "IPX"},      {0xf0, "NetBeui"},  {0xfe, "OSI"},
};

// Control field (RFC: ISO/IEC 8802-2).
constexpr uint8_t kUnnumberedFormat = 0x03;
constexpr uint8_t kSupervisoryFormat = 0x01;
constexpr uint8_t kUnnumberedInformation = 0x03;
constexpr uint8_t kUnnumberedPoll = 0x10;
constexpr uint16_t kInformationPoll = 0x0100;
constexpr uint8_t kXid = 0xaf;
constexpr uint8_t kXidFormat = 0x81;
constexpr uint8_t kGroupOrResponse = 0x01;  // the I/G bit of DSAP, the C/R bit of SSAP

constexpr Name kUnnumberedCommands[] = {{0x03, "ui"},    {0xe3, "test"}, {0xaf, "xid"},   {0x63, "ua"},
                                        {0x43, "disc"},  {0x0f, "dm"},   {0x6f, "sabme"}, {0x87, "frmr"}};
constexpr Name kSupervisoryCommands[] = {{0, "Receiver Ready"}, {1, "Receiver not Ready"}, {2, "Reject"}};
constexpr Name kFlags[] = {{0, "Command"}, {0x01, "Response"}, {0x10, "Poll"},
                           {0x11, "Final"}, {0x0100, "Poll"},   {0x0101, "Final"}};

constexpr Name kOuis[] = {
    {0x000000, "Ethernet"},  {0x00000c, "Cisco"},       {0x00005e, "IANA"},
    {0x000081, "Nortel Networks SONMP"}, {0x0000f8, "Cisco bridged"}, {0x0080c2, "Ethernet bridged"},
    {0x00a03e, "ATM Forum"}, {0x00e02f, "DOCSIS Spanning Tree"},     {0x080007, "Appletalk"},
    {0x009069, "Juniper"},   {0x080009, "Hewlett-Packard"}, {0x00120f, "IEEE 802.3 Private"},
    {0x0012bb, "ANSI/TIA"},  {0x001b21, "DCBX"},        {0x002320, "Nicira Networks"},
    {0x5c16c7, "Big Switch Networks"}, {0xb0d2f5, "Vello Systems"}, {0x002481, "HP"},
    {0x0004ea, "HP-Labs"},   {0x748771, "Infoblox Inc"}, {0xa42305, "Open Networking Lab"},
    {0x00049f, "Freescale"}, {0x0015ad, "Netronome"},   {0x001018, "Broadcom"},
    {0x00e004, "PMC-Sierra"}, {0xd0f0db, "Ericsson"},
};
constexpr uint32_t kOuiEthernet = 0x000000;
constexpr uint32_t kOuiCiscoBridged = 0x0000f8;
constexpr uint32_t kOuiAppletalk = 0x080007;
constexpr uint32_t kOuiCisco = 0x00000c;
constexpr uint32_t kOuiBridged = 0x0080c2;
constexpr Name kCiscoPids[] = {{0x2000, "CDP"},  {0x2003, "VTP"},  {0x2004, "DTP"},
                               {0x0111, "UDLD"}, {0x010b, "PVST"}, {0x010c, "VLAN Bridge"}};
constexpr Name kBridgedPids[] = {
    {0x0001, "Ethernet + FCS"}, {0x0007, "Ethernet w/o FCS"}, {0x0002, "802.4 + FCS"},
    {0x0008, "802.4 w/o FCS"},  {0x0003, "Token Ring + FCS"}, {0x0009, "Token Ring w/o FCS"},
    {0x0004, "FDDI + FCS"},     {0x000a, "FDDI w/o FCS"},     {0x0005, "802.6 + FCS"},
    {0x000b, "802.6 w/o FCS"},  {0x000e, "BPDU"},
};
constexpr uint32_t kSnapHeader = 5;

// What the PID of an OUI means.
std::string_view pid_name(uint32_t oui, uint16_t pid) {
  switch (oui) {
    case kOuiEthernet:
    case kOuiCiscoBridged:
    case kOuiAppletalk:
      return ethertype_name(pid);
    case kOuiCisco:
      return name_of(kCiscoPids, pid);
    case kOuiBridged:
      return name_of(kBridgedPids, pid);
    default:
      return {};
  }
}

std::string_view or_default(std::string_view name, std::string_view fallback) {
  return name.empty() ? fallback : name;
}

void print_addresses(Text& o, const LinkAddresses& addresses) {
  o.mac(addresses.source) << " > ";
  o.mac(addresses.destination);
}

// SNAP: true when the payload was dissected.
bool print_snap(Context& c, Bytes b, uint32_t length, const LinkAddresses& addresses) {
  Text& o = c.o;
  if (!b.has(0, kSnapHeader) || length < kSnapHeader) {
    o.truncated("snap");
    return true;
  }
  uint32_t oui = static_cast<uint32_t>(b.u8(0)) << 16 | b.u16(1);
  uint16_t pid = b.u16(3);
  if (c.options.link_header) {
    o.print("oui {} (0x{:06x}), {} {} (0x{:04x}), length {}: ", or_default(name_of(kOuis, oui), "Unknown"), oui,
            oui == kOuiEthernet ? "ethertype" : "pid", or_default(pid_name(oui, pid), "Unknown"), pid,
            length - kSnapHeader);
  }
  Bytes payload = b.from(kSnapHeader);
  uint32_t payload_length = length - kSnapHeader;
  if (oui == kOuiEthernet || oui == kOuiCiscoBridged) {
    if (print_ethertype_payload(c, pid, payload, payload_length)) return true;
  }
  if (!c.options.link_header) {
    if (addresses.source != nullptr) {
      print_addresses(o, addresses);
      o << ' ';
    }
    if (oui == kOuiEthernet) {
      o.print("SNAP, ethertype {} (0x{:04x}), length {}: ", or_default(ethertype_name(pid), "Unknown"), pid,
              payload_length);
    } else {
      o.print("SNAP, oui {} (0x{:06x}), pid {} (0x{:04x}), length {}: ",
              or_default(name_of(kOuis, oui), "Unknown"), oui, or_default(pid_name(oui, pid), "Unknown"), pid,
              payload_length);
    }
  }
  return false;
}

void print_flags(Text& o, uint32_t flags) { o << or_default(name_of(kFlags, flags), "?"); }

// A header cut short: tcpdump marks it and dumps what there is, -q or not.
void truncated_with_dump(Text& o, Bytes b) {
  o.truncated("llc");
  if (b.size > 0) hex_ascii_dump(o, b);
}

}  // namespace

std::string_view oui_name(uint32_t oui) { return name_of(kOuis, oui); }

int print_llc(Context& c, Bytes b, uint32_t length, const LinkAddresses& addresses) {
  Text& o = c.o;
  if (b.size < 3 || length < 3) {
    truncated_with_dump(o, b);
    return static_cast<int>(std::min(b.size, length));
  }
  uint8_t dsap_field = b.u8(0), ssap_field = b.u8(1);
  uint16_t control = b.u8(2);
  bool unnumbered = (control & kUnnumberedFormat) == kUnnumberedFormat;
  uint32_t header_length = 3;
  if (!unnumbered) {
    if (b.size < 4 || length < 4) {
      truncated_with_dump(o, b);
      return static_cast<int>(std::min(b.size, length));
    }
    control = static_cast<uint16_t>(b.u8(2) | b.u8(3) << 8);  // little-endian
    header_length = 4;
  }
  if (ssap_field == kSapGlobal && dsap_field == kSapGlobal) {
    // Novell's raw 802.3: IPX with no LLC header at all.
    if (c.options.link_header) o << "IPX 802.3: ";
    print_ipx(c, b, length);
    return 0;
  }
  uint8_t dsap = dsap_field & ~kGroupOrResponse, ssap = ssap_field & ~kGroupOrResponse;
  if (c.options.link_header) {
    o.print("LLC, dsap {} (0x{:02x}) {}, ssap {} (0x{:02x}) {}", or_default(name_of(kSapNames, dsap), "Unknown"), dsap,
            (dsap_field & kGroupOrResponse) != 0 ? "Group" : "Individual",
            or_default(name_of(kSapNames, ssap), "Unknown"), ssap,
            (ssap_field & kGroupOrResponse) != 0 ? "Response" : "Command");
    if (unnumbered) {
      o.print(", ctrl 0x{:02x}: ", control);
    } else {
      o.print(", ctrl 0x{:04x}: ", control);
    }
  }
  Bytes payload = b.from(header_length);
  uint32_t payload_length = length - header_length;
  const bool same_sap_ui = ssap == dsap && control == kUnnumberedInformation;
  if (same_sap_ui && ssap == kSapSnap) {
    int snap_length = static_cast<int>(header_length + kSnapHeader);
    return print_snap(c, payload, payload_length, addresses) ? snap_length : -snap_length;
  }
  if (same_sap_ui && ssap == kSapIp) {
    print_ipv4(c, payload, payload_length);
    return static_cast<int>(header_length);
  }
  if (same_sap_ui && ssap == kSapIpx) {
    if (c.options.link_header) o << "IPX 802.2: ";
    print_ipx(c, payload, payload_length);
    return static_cast<int>(header_length);
  }
  // Spanning tree and OSI (tcpdump dissects them; bpfc does not) and
  // everything else: the SAPs and the control field.
  if (!c.options.link_header) {
    bool addressed = addresses.source != nullptr;
    if (ssap == dsap) {
      if (addressed) {
        print_addresses(o, addresses);
        o << ' ';
      }
      std::string_view name = name_of(kSapNames, dsap);
      if (name.empty()) {
        o.print("Unknown DSAP 0x{:02x} ", dsap);
      } else {
        o << name << ' ';
      }
    } else {
      std::string_view source = name_of(kSapNames, ssap), destination = name_of(kSapNames, dsap);
      if (addressed) o.mac(addresses.source) << ' ';
      if (source.empty()) {
        o.print("Unknown SSAP 0x{:02x}", ssap);
      } else {
        o << source;
      }
      o << " > ";
      if (addressed) o.mac(addresses.destination) << ' ';
      if (destination.empty()) {
        o.print("Unknown DSAP 0x{:02x} ", dsap);
      } else {
        o << destination << ' ';
      }
    }
  }
  if (unnumbered) {
    std::string_view command = name_of(kUnnumberedCommands, control & 0xef);
    o << "Unnumbered, ";
    if (command.empty()) {
      o.print("{:02x}", control & 0xef);
    } else {
      o << command;
    }
    o << ", Flags [";
    print_flags(o, (ssap_field & kGroupOrResponse) | (control & kUnnumberedPoll));
    o.print("], length {}", length);
    if ((control & ~kUnnumberedPoll) == kXid && payload_length != 0) {
      if (payload.size < 1) {
        o.truncated("llc");
        return static_cast<int>(header_length);
      }
      if (payload.u8(0) == kXidFormat) {
        if (payload.size < 3 || payload_length < 3) {
          truncated_with_dump(o, payload);
        } else {
          o.print(": {:02x} {:02x}", payload.u8(1), payload.u8(2));
        }
        return static_cast<int>(header_length);
      }
    }
  } else if ((control & kSupervisoryFormat) == kSupervisoryFormat) {
    o.print("Supervisory, {}, rcv seq {}, Flags [", or_default(name_of(kSupervisoryCommands, (control >> 2) & 0x03), "?"),
            (control >> 9) & 0x7f);
    print_flags(o, (ssap_field & kGroupOrResponse) | (control & kInformationPoll));
    o.print("], length {}", length);
    return static_cast<int>(header_length);
  } else {
    o.print("Information, send seq {}, rcv seq {}, Flags [", (control >> 1) & 0x7f, (control >> 9) & 0x7f);
    print_flags(o, (ssap_field & kGroupOrResponse) | (control & kInformationPoll));
    o.print("], length {}", length);
  }
  return -static_cast<int>(header_length);
}

}  // namespace bpfc::dissect
