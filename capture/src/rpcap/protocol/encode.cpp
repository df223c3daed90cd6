// Encoding RPCAP messages. The header's length is the payload actually
// written; ERROR's code and FINDALLIF reply's count go into the header's
// value from the payload, so the two can never disagree.
#include <type_traits>

#include "bpfc/capture/rpcap/protocol.h"
#include "interface_list.h"
#include "wire.h"

namespace bpfc::capture::rpcap {
namespace {

// Which payload kind each message type carries.
bool payload_fits(MessageType type, const Payload& payload) {
  switch (type) {
    case MessageType::FindAllInterfacesRequest:
    case MessageType::Close:
    case MessageType::StatsRequest:
    case MessageType::EndCaptureRequest:
    case MessageType::UpdateFilterReply:
    case MessageType::EndCaptureReply:
    case MessageType::SetSamplingReply:
      return std::holds_alternative<EmptyPayload>(payload);
    case MessageType::Error: return std::holds_alternative<ErrorPayload>(payload);
    case MessageType::AuthRequest: return std::holds_alternative<AuthRequestPayload>(payload);
    case MessageType::AuthReply: return std::holds_alternative<AuthReplyPayload>(payload);
    case MessageType::FindAllInterfacesReply: return std::holds_alternative<InterfaceListPayload>(payload);
    case MessageType::OpenRequest: return std::holds_alternative<OpenRequestPayload>(payload);
    case MessageType::OpenReply: return std::holds_alternative<OpenReplyPayload>(payload);
    case MessageType::StartCaptureRequest: return std::holds_alternative<StartCaptureRequestPayload>(payload);
    case MessageType::UpdateFilterRequest: return std::holds_alternative<FilterPayload>(payload);
    case MessageType::StartCaptureReply: return std::holds_alternative<StartCaptureReplyPayload>(payload);
    case MessageType::SetSamplingRequest: return std::holds_alternative<SamplingPayload>(payload);
    case MessageType::StatsReply: return std::holds_alternative<StatsPayload>(payload);
    case MessageType::Packet: return std::holds_alternative<PacketPayload>(payload);
  }
  return false;
}

void write_filter(wire::Writer& out, const FilterPayload& filter) {
  out.u16(filter.type);
  out.u16(0);
  out.u32(static_cast<uint32_t>(filter.program.size()));
  for (const cbpf::Insn& insn : filter.program) {
    out.u16(insn.code);
    out.u8(insn.jt);
    out.u8(insn.jf);
    out.u32(insn.k);
  }
}

// Writes the payload; returns the header value it decides, if any.
Result<std::optional<uint16_t>> write_payload(wire::Writer& out, const Payload& payload) {
  using Value = std::optional<uint16_t>;
  return std::visit(
      [&](const auto& p) -> Result<Value> {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, EmptyPayload>) {
          return Value{};
        } else if constexpr (std::is_same_v<P, ErrorPayload>) {
          out.text(p.text);
          return Value{p.code};
        } else if constexpr (std::is_same_v<P, AuthRequestPayload>) {
          if (p.username.size() > 65535 || p.password.size() > 65535) {
            return error("a user name or password over 65535 bytes cannot be sent");
          }
          out.u16(p.type);
          out.u16(0);
          out.u16(static_cast<uint16_t>(p.username.size()));
          out.u16(static_cast<uint16_t>(p.password.size()));
          out.text(p.username);
          out.text(p.password);
          return Value{};
        } else if constexpr (std::is_same_v<P, AuthReplyPayload>) {
          if (!p.has_versions) return Value{};
          out.u8(p.min_version);
          out.u8(p.max_version);
          if (p.byte_order_magic) {
            out.u16(0);
            out.u32(*p.byte_order_magic);
            if (p.bpfc_capabilities) {
              out.u32(kBpfcCapabilityMagic);
              out.u32(*p.bpfc_capabilities);
            }
          } else if (p.bpfc_capabilities) {
            return error("bpfc's capabilities follow the byte order field: an AUTH reply needs both");
          }
          return Value{};
        } else if constexpr (std::is_same_v<P, InterfaceListPayload>) {
          if (p.interfaces.size() > 65535) return error("over 65535 interfaces cannot be listed");
          if (auto problem = detail::write_interfaces(out, p.interfaces)) return *problem;
          return Value{static_cast<uint16_t>(p.interfaces.size())};
        } else if constexpr (std::is_same_v<P, OpenRequestPayload>) {
          out.text(p.device);
          return Value{};
        } else if constexpr (std::is_same_v<P, OpenReplyPayload>) {
          out.u32(static_cast<uint32_t>(p.linktype));
          out.u32(static_cast<uint32_t>(p.tzoff));
          return Value{};
        } else if constexpr (std::is_same_v<P, FilterPayload>) {
          write_filter(out, p);
          return Value{};
        } else if constexpr (std::is_same_v<P, StartCaptureRequestPayload>) {
          out.u32(p.snaplen);
          out.u32(p.read_timeout_ms);
          out.u16(p.flags);
          out.u16(p.data_port);
          write_filter(out, p.filter);
          return Value{};
        } else if constexpr (std::is_same_v<P, StartCaptureReplyPayload>) {
          out.u32(static_cast<uint32_t>(p.buffer_size));
          out.u16(p.data_port);
          out.u16(0);
          return Value{};
        } else if constexpr (std::is_same_v<P, SamplingPayload>) {
          out.u8(p.method);
          out.u8(0);
          out.u16(0);
          out.u32(p.value);
          return Value{};
        } else if constexpr (std::is_same_v<P, StatsPayload>) {
          out.u32(p.interface_received);
          out.u32(p.interface_dropped);
          out.u32(p.kernel_dropped);
          out.u32(p.server_captured);
          return Value{};
        } else {
          static_assert(std::is_same_v<P, PacketPayload>);
          if (p.caplen != p.data.size()) return error("a packet's captured length must be the size of its data");
          out.u32(p.timestamp_seconds);
          out.u32(p.timestamp_microseconds);
          out.u32(p.caplen);
          out.u32(p.wirelen);
          out.u32(p.number);
          out.bytes(p.data);
          return Value{};
        }
      },
      payload);
}

}  // namespace

void encode_header(const Header& header, std::span<uint8_t, kHeaderSize> out) {
  std::vector<uint8_t> bytes;
  wire::Writer writer(bytes);
  writer.u8(header.version);
  writer.u8(header.type);
  writer.u16(header.value);
  writer.u32(header.length);
  std::copy(bytes.begin(), bytes.end(), out.begin());
}

Result<std::vector<uint8_t>> encode_message(const Message& message) {
  uint8_t type = static_cast<uint8_t>(message.type);
  if (!is_known_message_type(type)) return error("cannot encode " + message_type_name(type));
  if (!payload_fits(message.type, message.payload)) {
    return error("cannot encode " + message_type_name(type) + ": the payload is of another message kind");
  }
  std::vector<uint8_t> bytes(kHeaderSize);
  wire::Writer out(bytes);
  auto value = write_payload(out, message.payload);
  if (!value) return value.errors();
  size_t length = bytes.size() - kHeaderSize;
  if (length > max_payload_length(type)) {
    return error("cannot encode " + message_type_name(type) + ": " + std::to_string(length) +
                 " payload bytes, at most " + std::to_string(max_payload_length(type)));
  }
  Header header{message.version, type, value->value_or(message.value), static_cast<uint32_t>(length)};
  encode_header(header, std::span<uint8_t, kHeaderSize>(bytes.data(), kHeaderSize));
  return bytes;
}

void append_packet_message(uint8_t version, const PacketPayload& packet, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  out.resize(start + kHeaderSize);
  wire::Writer writer(out);
  writer.u32(packet.timestamp_seconds);
  writer.u32(packet.timestamp_microseconds);
  writer.u32(packet.caplen);
  writer.u32(packet.wirelen);
  writer.u32(packet.number);
  writer.bytes(packet.data);
  const Header header{version, static_cast<uint8_t>(MessageType::Packet), 0,
                      static_cast<uint32_t>(kPacketHeaderSize + packet.data.size())};
  encode_header(header, std::span<uint8_t, kHeaderSize>(out.data() + start, kHeaderSize));
}

Message empty_message(uint8_t version, MessageType type, uint16_t value) {
  return Message{version, type, value, EmptyPayload{}};
}

}  // namespace bpfc::capture::rpcap
