// Abstract syntax of the pcap-filter language, as produced by the parser.
//
// The parser resolves qualifier inheritance (libpcap's `host a and b`, where
// `b` takes the qualifiers of the last primitive that had some, following the
// yacc grammar's rules for parentheses and `not`), so every primitive carries
// its complete qualifiers. Every node carries the source span it came from.
// Names (hosts, services, protocols, networks) are NOT resolved here: that is
// sema's job, through the resolver interface.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bpfc/support/diagnostic.h"

namespace bpfc::ast {

// Protocol qualifier (libpcap's Q_* protocol values), also used as the
// protocol of packet accesses (`ether[0]` is Link, `tcp[13]` is Tcp).
enum class Proto : uint8_t {
  Default,
  Link,  // ether, fddi, tr, wlan, ppp, slip, link (all mean the link layer)
  Ip, Arp, Rarp, Sctp, Tcp, Udp, Icmp, Igmp, Igrp, Atalk, Decnet, Lat, Sca, Moprc, Mopdl,
  Ip6, Icmp6, Ah, Esp, Pim, Vrrp, Carp, Aarp, Iso, Esis, Isis, Clnp, Stp, Ipx, Netbeui,
  IsisL1, IsisL2, IsisIih, IsisSnp, IsisCsnp, IsisPsnp, IsisLsp,
  Radio,  // radio[...] (802.11 radio header)
  // libpcap's Q_UNDEF: the qualifiers a bare value inherits after a term that
  // carries none (`tcp and 80`, `len > 1 or 10`); Proto, Dir and AddrType are
  // all Undef together. libpcap rejects such a value in gencode ("syntax
  // error in filter expression" for names, numbers and IPv4 addresses).
  Undef,
};

// Which link-layer keyword was written, for error messages and for the few
// places where libpcap distinguishes them (e.g. `fddi host` vs `ether host`).
enum class LinkWord : uint8_t { None, Link, Ether, Fddi, Tr, Wlan, Ppp, Slip };

// Direction qualifier (libpcap's Q_SRC ... Q_TA).
enum class Dir : uint8_t { Default, Src, Dst, SrcOrDst, SrcAndDst, Addr1, Addr2, Addr3, Addr4, Ra, Ta, Undef };

// Address-type qualifier (libpcap's Q_HOST ... Q_PORTRANGE; Default is Q_DEFAULT).
enum class AddrType : uint8_t { Default, Host, Net, Port, PortRange, Gateway, Proto, Protochain, Undef };

struct Qualifiers {
  Proto proto = Proto::Default;
  LinkWord link_word = LinkWord::None;  // set when proto == Link
  Dir dir = Dir::Default;
  AddrType type = AddrType::Default;
  SourceSpan span;  // of the qualifier words; empty when all inherited/default
};

// ---- Values that follow qualifiers --------------------------------------

struct Number {        // decimal, 0x hex or 0 octal, as libpcap's stoulen()
  uint32_t value = 0;
  std::string text;
};
struct Name {          // a host/service/protocol/network name, or ID
  std::string text;
  bool escaped = false;  // written with a leading backslash (`\tcp`)
};
struct Ipv4 {          // dotted form with 1..4 components: "10", "10.1", "10.1.2.3"
  uint32_t value = 0;  // components packed as libpcap's __pcap_atoin does
  int components = 4;  // 0 when __pcap_atoin rejects it ("invalid IPv4 address '12.500'")
  std::string text;
};
struct Ipv6 {
  std::array<uint8_t, 16> bytes{};
  std::string text;
};
struct Mac {
  std::array<uint8_t, 6> bytes{};
  std::string text;
};
struct Mac8 {          // ARCnet-style one-byte link address: `$XX`
  uint8_t address = 0;
  std::string text;
};
// `net ADDR/LEN` (ADDR is Ipv4 or Ipv6, LEN as written).
struct NetPrefix {
  std::variant<Ipv4, Ipv6> addr;
  uint32_t prefix_len = 0;
};
// `net ADDR mask MASK` (IPv4 only; libpcap rejects the IPv6 form with a message).
struct NetMask {
  Ipv4 addr;
  Ipv4 mask;
};

using Value = std::variant<Number, Name, Ipv4, Ipv6, Mac, NetPrefix, NetMask, Mac8>;

// ---- Arithmetic -----------------------------------------------------------

enum class ArithOp : uint8_t { Add, Sub, Mul, Div, Mod, And, Or, Xor, Shl, Shr };
enum class RelOp : uint8_t { Gt, Ge, Lt, Le, Eq, Ne };

struct Arith;
using ArithPtr = std::unique_ptr<Arith>;

struct ArithNumber { uint32_t value = 0; };  // numbers and named constants (tcp-syn, icmp-echo…)
struct ArithLen {};
struct PacketAccess {                       // proto[index] / proto[index:size]
  Proto proto = Proto::Link;
  LinkWord link_word = LinkWord::None;
  ArithPtr index;
  uint32_t size = 1;                         // as written; libpcap accepts 1, 2 or 4
};
struct ArithBinary { ArithOp op; ArithPtr lhs, rhs; };
struct ArithNeg { ArithPtr operand; };

struct Arith {
  std::variant<ArithNumber, ArithLen, PacketAccess, ArithBinary, ArithNeg> node;
  SourceSpan span;
};

// ---- Boolean expressions and primitives --------------------------------

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct And { ExprPtr lhs, rhs; };
struct Or { ExprPtr lhs, rhs; };
struct Not { ExprPtr operand; };

// `[qualifiers] value`: host/net/port/portrange/gateway/proto/protochain
// primitives, and bare values inheriting their qualifiers.
struct Qualified {
  Qualifiers q;
  Value value;
  SourceSpan value_span;
  bool inherited = false;  // qualifiers came from an earlier primitive
};
// Qualifiers alone: `tcp`, `ip6`, `src`... (libpcap's pname / gen_proto_abbrev).
struct ProtoOnly { Qualifiers q; };

struct Relation { RelOp op; Arith lhs, rhs; };

struct Less { uint32_t length; };     // len <= length
struct Greater { uint32_t length; };  // len >= length
struct Broadcast { Proto proto = Proto::Default; LinkWord link_word = LinkWord::None; };
struct Multicast { Proto proto = Proto::Default; LinkWord link_word = LinkWord::None; };
struct Inbound {};
struct Outbound {};
struct Ifindex { uint32_t index; };
struct Vlan { std::optional<uint32_t> id; };
struct Mpls { std::optional<uint32_t> label; };
struct Pppoed {};
struct Pppoes { std::optional<uint32_t> session; };
struct Geneve { std::optional<uint32_t> vni; };
struct Vxlan { std::optional<uint32_t> vni; };
// `llc` alone, or with a frame-type word: i, s, u, or an S/U subtype name
// (rr, rnr, rej, ui, ua, disc, dm, sabme, test, xid, frmr).
struct Llc { std::optional<std::string> subtype; };

// pflog keywords: `ifname X`/`on X`, `rnr N`/`rulenum N`, `reason R`,
// `rset X`/`ruleset X`, `srnr N`/`subrulenum N`, `action A`.
enum class PflogField : uint8_t { Ifname, Rulenum, Reason, Ruleset, Subrulenum, Action };
struct Pflog { PflogField field; std::string text; std::optional<uint32_t> number; };

// 802.11: `type T [subtype S]`, `subtype S`, `dir D`. Names are resolved by
// sema; numbers are kept as written.
enum class WlanField : uint8_t { Type, Subtype, TypeSubtype, Dir };
struct Wlan { WlanField field; std::variant<uint32_t, std::string> value; std::optional<std::variant<uint32_t, std::string>> subtype; };

// ATM and SS7 keywords. `lane`, `oamf4`, `metac`… are bare; `vpi N`/`vci N`
// and the MTP3 fields take a number with an optional relation (`vpi > 3`;
// no relation means equality). A parenthesized list `vpi (1 or 2)` becomes an
// Or of single-value nodes; `vpi 1 or 2` is not a list (the `2` inherits
// undefined qualifiers, as in libpcap).
enum class AtmKeyword : uint8_t { Lane, Oamf4ec, Oamf4sc, Oamf4, Oam, Metac, Bcc, Sc, Ilmic, Connectmsg, Metaconnect, Vpi, Vci };
struct Atm { AtmKeyword keyword; std::optional<RelOp> op; std::optional<uint32_t> value; };
enum class MtpKeyword : uint8_t { Fisu, Lssu, Msu, Hfisu, Hlssu, Hmsu, Sio, Opc, Dpc, Sls, Hsio, Hopc, Hdpc, Hsls };
struct Mtp { MtpKeyword keyword; std::optional<RelOp> op; std::optional<uint32_t> value; };

// `byte OFFSET OP VALUE` (undocumented, from libpcap's grammar): compares the
// link-layer byte at OFFSET with VALUE; `&` and `|` are true when
// (byte OP VALUE) != 0. libpcap rejects VALUE > 255 in gencode.
enum class ByteOp : uint8_t { Eq, Lt, Gt, And, Or };
struct Byte { ByteOp op; uint32_t offset; uint32_t value; };

using Node = std::variant<And, Or, Not, Qualified, ProtoOnly, Relation, Less, Greater, Broadcast,
                          Multicast, Inbound, Outbound, Ifindex, Vlan, Mpls, Pppoed, Pppoes, Geneve,
                          Vxlan, Llc, Pflog, Wlan, Atm, Mtp, Byte>;

struct Expr {
  Node node;
  SourceSpan span;
};

// The whole filter; `expr` is null for the empty filter (accept everything).
struct Filter {
  ExprPtr expr;
  std::string text;  // the source the spans refer to
};

}  // namespace bpfc::ast
