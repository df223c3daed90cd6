// The RPCAP wire protocol (libpcap's remote capture, rpcap-protocol.h): the
// message header, every message's payload, and their encoding and decoding.
//
// Everything on the wire is big-endian. A message is an 8-byte header
// (version, type, value, payload length) and a payload whose layout the type
// decides; replies carry the request's type with bit 0x80 set. Version
// negotiation happens inside AUTH: the request always says version 0, the
// reply may carry the server's range, and every later message carries the
// version both sides chose.
//
// This layer knows no sockets, no compiler and no capture: the client and
// the daemon both build on it. Decoding checks every length before it reads,
// refuses payloads above the per-type bound of max_payload_length() before
// anything is allocated, and never trusts a count: errors are values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::capture::rpcap {

inline constexpr uint16_t kDefaultPort = 2002;        // passive mode: the daemon listens here
inline constexpr uint16_t kDefaultActivePort = 2003;  // active mode: the client listens here
inline constexpr size_t kHeaderSize = 8;
// The versions this implementation speaks (libpcap's RPCAP_MIN/MAX_VERSION).
inline constexpr uint8_t kMinVersion = 0;
inline constexpr uint8_t kMaxVersion = 0;
// In AUTH replies: the server's byte order, as it sees 0xa1b2c3d4.
inline constexpr uint32_t kByteOrderMagic = 0xa1b2c3d4;
inline constexpr uint32_t kByteOrderMagicSwapped = 0xd4c3b2a1;

// bpfc's capability exchange: bpfc-rpcapd appends "BPFC" and a 32-bit set of
// capabilities to its AUTH reply, after the 8 bytes libpcap defines. A
// libpcap client reads the 8 bytes and discards the rest of the payload (as
// it does for any longer reply); bpfc's client reads them and compiles
// filters for what the daemon runs them on (libpcap #1549). A libpcap daemon
// never sends them, so nothing changes for it.
inline constexpr uint32_t kBpfcCapabilityMagic = 0x42504643;  // "BPFC"
// The daemon attaches filters as Linux socket filters: a program may read
// the packet's metadata (SKF_AD_* loads: inbound, outbound, ifindex, VLAN
// tags the kernel took off), as bpfc compiles in the Linux live context.
inline constexpr uint32_t kCapabilityLinuxSocketFilter = 1u << 0;

// Bounds that no legitimate peer reaches. They keep a hostile length from
// becoming an allocation.
inline constexpr uint32_t kMaxSnaplen = 262144;            // libpcap's MAXIMUM_SNAPLEN
inline constexpr uint32_t kMaxFilterInstructions = 65536;  // far above any compiled filter
inline constexpr uint32_t kMaxDeviceNameBytes = 1024;
inline constexpr uint32_t kMaxErrorTextBytes = 65536;
inline constexpr uint32_t kMaxInterfaceListBytes = 16 * 1024 * 1024;

enum class MessageType : uint8_t {
  Error = 0x01,
  FindAllInterfacesRequest = 0x02,
  OpenRequest = 0x03,
  StartCaptureRequest = 0x04,
  UpdateFilterRequest = 0x05,
  Close = 0x06,
  Packet = 0x07,
  AuthRequest = 0x08,
  StatsRequest = 0x09,
  EndCaptureRequest = 0x0a,
  SetSamplingRequest = 0x0b,
  FindAllInterfacesReply = 0x82,
  OpenReply = 0x83,
  StartCaptureReply = 0x84,
  UpdateFilterReply = 0x85,
  AuthReply = 0x88,
  StatsReply = 0x89,
  EndCaptureReply = 0x8a,
  SetSamplingReply = 0x8b,
};
inline constexpr uint8_t kReplyBit = 0x80;

// The reply type for a request type (the request's with kReplyBit set).
constexpr MessageType reply_to(MessageType request) {
  return static_cast<MessageType>(static_cast<uint8_t>(request) | kReplyBit);
}
// Whether `type` is a message type of the protocol (libpcap's numbering).
bool is_known_message_type(uint8_t type);
// "FINDALLIF_REQ", "PACKET", ... as libpcap's rpcap_msg_type_string() names
// them; "unknown message type 0xNN" otherwise.
std::string message_type_name(uint8_t type);

// The `value` of an ERROR message (libpcap's PCAP_ERR_*).
enum class ErrorCode : uint16_t {
  Network = 1,
  InitTimeout = 2,
  Auth = 3,
  FindAllInterfaces = 4,
  NoRemoteInterface = 5,
  Open = 6,
  UpdateFilter = 7,
  GetStats = 8,
  ReadEx = 9,
  HostNotAuthorized = 10,
  RemoteAccept = 11,
  StartCapture = 12,
  EndCapture = 13,
  RuntimeTimeout = 14,
  SetSampling = 15,
  WrongMessage = 16,
  WrongVersion = 17,
  AuthFailed = 18,
  TlsRequired = 19,
  AuthTypeNotSupported = 20,
};
// "authentication failed", "wrong message", ...; "error code N" when unknown.
std::string error_code_name(uint16_t code);

enum class AuthType : uint16_t { Null = 0, Password = 1 };

// STARTCAP request flags (RPCAP_STARTCAPREQ_FLAG_*).
inline constexpr uint16_t kStartPromiscuous = 0x01;
inline constexpr uint16_t kStartDatagram = 0x02;    // UDP data channel
inline constexpr uint16_t kStartServerOpen = 0x04;  // the server connects to the client (active mode)
inline constexpr uint16_t kStartInbound = 0x08;
inline constexpr uint16_t kStartOutbound = 0x10;

inline constexpr uint16_t kFilterTypeBpf = 1;  // RPCAP_UPDATEFILTER_BPF

// SETSAMPLING methods (PCAP_SAMP_*).
enum class SamplingMethod : uint8_t { None = 0, OneEveryN = 1, FirstAfterNMilliseconds = 2 };

// Address families as they travel (the Windows numbering libpcap chose).
inline constexpr uint16_t kWireFamilyInet = 2;
inline constexpr uint16_t kWireFamilyInet6 = 23;
inline constexpr uint16_t kLinuxFamilyInet6 = 10;  // sent by old Linux daemons
inline constexpr size_t kWireSockaddrSize = 128;

struct Header {
  uint8_t version = 0;
  uint8_t type = 0;  // a MessageType value, or anything a peer sent
  uint16_t value = 0;
  uint32_t length = 0;  // payload bytes after the header
  friend bool operator==(const Header&, const Header&) = default;
};

// A socket address in a FINDALLIF reply: IPv4 or IPv6 are decoded, an
// all-zero slot is `None`, any other family is kept by number only.
struct SocketAddress {
  enum class Kind : uint8_t { None, Inet, Inet6, Other };
  Kind kind = Kind::None;
  uint16_t wire_family = 0;
  uint16_t port = 0;
  std::array<uint8_t, 16> address{};  // IPv4 uses the first 4 bytes
  uint32_t flowinfo = 0;
  uint32_t scope_id = 0;
  friend bool operator==(const SocketAddress&, const SocketAddress&) = default;
};

struct InterfaceAddress {
  SocketAddress address, netmask, broadcast, destination;
  friend bool operator==(const InterfaceAddress&, const InterfaceAddress&) = default;
};

struct RemoteInterface {
  std::string name;
  std::string description;
  uint32_t flags = 0;  // PCAP_IF_* of the remote side
  std::vector<InterfaceAddress> addresses;
  friend bool operator==(const RemoteInterface&, const RemoteInterface&) = default;
};

// ---- payloads, one per message kind ----------------------------------------

struct EmptyPayload {  // FINDALLIF_REQ, CLOSE, STATS_REQ, ENDCAP_REQ and most replies
  friend bool operator==(const EmptyPayload&, const EmptyPayload&) = default;
};
struct ErrorPayload {  // ERROR: the code travels in the header's value
  uint16_t code = 0;
  std::string text;
  friend bool operator==(const ErrorPayload&, const ErrorPayload&) = default;
};
struct AuthRequestPayload {
  uint16_t type = 0;  // AuthType
  std::string username;
  std::string password;
  friend bool operator==(const AuthRequestPayload&, const AuthRequestPayload&) = default;
};
struct AuthReplyPayload {
  // An empty reply (old servers) means version 0 only, no byte order.
  uint8_t min_version = 0;
  uint8_t max_version = 0;
  bool has_versions = false;
  std::optional<uint32_t> byte_order_magic;  // present in the 8-byte form
  // bpfc-rpcapd's capabilities (kCapability*), after the 8-byte form.
  std::optional<uint32_t> bpfc_capabilities;
  friend bool operator==(const AuthReplyPayload&, const AuthReplyPayload&) = default;
};
struct InterfaceListPayload {  // FINDALLIF reply: the count travels in the header's value
  std::vector<RemoteInterface> interfaces;
  friend bool operator==(const InterfaceListPayload&, const InterfaceListPayload&) = default;
};
struct OpenRequestPayload {
  std::string device;
  friend bool operator==(const OpenRequestPayload&, const OpenRequestPayload&) = default;
};
struct OpenReplyPayload {
  int32_t linktype = 0;  // the remote DLT_ value
  int32_t tzoff = 0;
  friend bool operator==(const OpenReplyPayload&, const OpenReplyPayload&) = default;
};
struct FilterPayload {  // UPDATEFILTER request, and the tail of STARTCAP
  uint16_t type = kFilterTypeBpf;
  cbpf::Program program;
  friend bool operator==(const FilterPayload&, const FilterPayload&) = default;
};
struct StartCaptureRequestPayload {
  uint32_t snaplen = 0;
  uint32_t read_timeout_ms = 0;
  uint16_t flags = 0;
  uint16_t data_port = 0;  // the client's data port (UDP, or active mode); else 0
  FilterPayload filter;
  friend bool operator==(const StartCaptureRequestPayload&, const StartCaptureRequestPayload&) = default;
};
struct StartCaptureReplyPayload {
  int32_t buffer_size = 0;
  uint16_t data_port = 0;  // the daemon's data port (passive TCP mode)
  friend bool operator==(const StartCaptureReplyPayload&, const StartCaptureReplyPayload&) = default;
};
struct SamplingPayload {
  uint8_t method = 0;  // SamplingMethod
  uint32_t value = 0;
  friend bool operator==(const SamplingPayload&, const SamplingPayload&) = default;
};
struct StatsPayload {
  uint32_t interface_received = 0;  // ps_recv
  uint32_t interface_dropped = 0;   // ps_ifdrop
  uint32_t kernel_dropped = 0;      // ps_drop
  uint32_t server_captured = 0;     // packets the daemon sent
  friend bool operator==(const StatsPayload&, const StatsPayload&) = default;
};
struct PacketPayload {
  uint32_t timestamp_seconds = 0;
  uint32_t timestamp_microseconds = 0;
  uint32_t caplen = 0;
  uint32_t wirelen = 0;
  uint32_t number = 0;             // 1 for the first packet the daemon sent
  std::span<const uint8_t> data;   // a view into the decoded bytes (caplen of them)
};
inline constexpr size_t kPacketHeaderSize = 20;

using Payload = std::variant<EmptyPayload, ErrorPayload, AuthRequestPayload, AuthReplyPayload, InterfaceListPayload,
                             OpenRequestPayload, OpenReplyPayload, FilterPayload, StartCaptureRequestPayload,
                             StartCaptureReplyPayload, SamplingPayload, StatsPayload, PacketPayload>;

struct Message {
  uint8_t version = 0;
  MessageType type = MessageType::Close;
  // The header's value where the payload does not own it (ERROR's code and
  // FINDALLIF reply's count come from the payload when encoding).
  uint16_t value = 0;
  Payload payload;
};

// The largest payload a message of `type` may declare; 0 for types that
// carry none, and for unknown types. A reader checks a header against it
// before reading (or allocating for) the payload.
uint32_t max_payload_length(uint8_t type);

// ---- decoding ----------------------------------------------------------------

Header decode_header(std::span<const uint8_t, kHeaderSize> bytes);
// The header is one this implementation reads: a known type and a length
// within max_payload_length(). (Versions are the session's to judge.)
[[nodiscard]] std::optional<Diagnostic> check_header(const Header& header);

// Decodes the payload of a checked header. Views in the result (PACKET's
// data) point into `payload`. Strict: fixed-size payloads must have their
// size exactly, counts must match the bytes, nothing may be left over (the
// AUTH reply alone may grow, as the protocol allows).
Result<Message> decode_message(const Header& header, std::span<const uint8_t> payload);

// One complete message at the start of `bytes` (a stream buffer or a
// datagram): its header, its payload, and how many bytes it spans.
struct Frame {
  Header header;
  std::span<const uint8_t> payload;
  size_t size = 0;
};
// nullopt when `bytes` holds only part of a message so far; an error when
// the header is not one check_header() accepts.
Result<std::optional<Frame>> next_frame(std::span<const uint8_t> bytes);

// ---- encoding ----------------------------------------------------------------

void encode_header(const Header& header, std::span<uint8_t, kHeaderSize> out);
// The whole message (header and payload). Fails only for what cannot be
// represented: strings over 65535 bytes, more interfaces or addresses than a
// 16-bit count, a payload over the type's bound, a payload kind that does
// not belong to the type.
Result<std::vector<uint8_t>> encode_message(const Message& message);

// A PACKET message appended to `out` (the data channel's hot path: no
// allocation once `out` has grown). The caller keeps caplen == data.size()
// and the size within max_payload_length(Packet).
void append_packet_message(uint8_t version, const PacketPayload& packet, std::vector<uint8_t>& out);

// Convenience for the common case of a message without a payload.
Message empty_message(uint8_t version, MessageType type, uint16_t value = 0);

}  // namespace bpfc::capture::rpcap
