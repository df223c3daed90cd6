// Decoding RPCAP messages: a header, then the payload its type announces.
// Every read goes through wire::Reader, which cannot run past the payload;
// counts are checked against the bytes that remain before anything is
// reserved for them.
#include <string>

#include "bpfc/capture/rpcap/protocol.h"
#include "interface_list.h"
#include "wire.h"

namespace bpfc::capture::rpcap {
namespace {

std::string describe(const Header& header) { return message_type_name(header.type) + " message"; }

Diagnostic size_error(const Header& header, const char* what) {
  return error(describe(header) + ": payload of " + std::to_string(header.length) + " bytes " + what);
}

// The payload must be exactly `size` bytes.
std::optional<Diagnostic> expect_size(const Header& header, size_t size) {
  if (header.length == size) return std::nullopt;
  return error(describe(header) + ": payload of " + std::to_string(header.length) + " bytes, expected " +
               std::to_string(size));
}

std::optional<Diagnostic> expect_consumed(const Header& header, const wire::Reader& in) {
  if (in.failed()) return size_error(header, "is cut short");
  if (in.remaining() != 0) {
    return error(describe(header) + ": " + std::to_string(in.remaining()) + " bytes left over");
  }
  return std::nullopt;
}

Result<FilterPayload> read_filter(const Header& header, wire::Reader& in) {
  FilterPayload filter;
  filter.type = in.u16();
  in.u16();  // padding
  uint32_t count = in.u32();
  if (in.failed()) return size_error(header, "is too short for a filter header");
  if (filter.type != kFilterTypeBpf) {
    return error(describe(header) + ": filter type " + std::to_string(filter.type) + " is not BPF (1)");
  }
  if (count > kMaxFilterInstructions) {
    return error(describe(header) + ": " + std::to_string(count) + " filter instructions, at most " +
                 std::to_string(kMaxFilterInstructions) + " are accepted");
  }
  if (in.remaining() / 8 < count || in.remaining() != size_t{count} * 8) {
    return error(describe(header) + ": " + std::to_string(count) + " filter instructions announced, " +
                 std::to_string(in.remaining()) + " bytes follow (8 per instruction)");
  }
  filter.program.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    cbpf::Insn insn;
    insn.code = in.u16();
    insn.jt = in.u8();
    insn.jf = in.u8();
    insn.k = in.u32();
    filter.program.push_back(insn);
  }
  return filter;
}

Result<Payload> decode_payload(const Header& header, std::span<const uint8_t> bytes) {
  wire::Reader in(bytes);
  auto finish = [&](Payload payload) -> Result<Payload> {
    if (auto problem = expect_consumed(header, in)) return *problem;
    return payload;
  };
  switch (static_cast<MessageType>(header.type)) {
    case MessageType::FindAllInterfacesRequest:
    case MessageType::Close:
    case MessageType::StatsRequest:
    case MessageType::EndCaptureRequest:
    case MessageType::UpdateFilterReply:
    case MessageType::EndCaptureReply:
    case MessageType::SetSamplingReply:
      if (auto problem = expect_size(header, 0)) return *problem;
      return Payload{EmptyPayload{}};
    case MessageType::Error:
      return Payload{ErrorPayload{header.value, in.text(bytes.size())}};
    case MessageType::AuthRequest: {
      AuthRequestPayload auth;
      auth.type = in.u16();
      in.u16();  // padding
      uint16_t user_length = in.u16();
      uint16_t password_length = in.u16();
      if (in.failed()) return size_error(header, "is too short for an authentication header");
      if (size_t{user_length} + password_length != in.remaining()) {
        return error(describe(header) + ": user and password lengths " + std::to_string(user_length) + " + " +
                     std::to_string(password_length) + " do not match the " + std::to_string(in.remaining()) +
                     " bytes that follow");
      }
      auth.username = in.text(user_length);
      auth.password = in.text(password_length);
      return finish(auth);
    }
    case MessageType::AuthReply: {
      // Empty (version 0 only), 2 bytes (old form: the version range), or
      // at least 8 (range, padding, byte order); later versions may append.
      AuthReplyPayload reply;
      if (bytes.empty()) return Payload{reply};
      if (bytes.size() != 2 && bytes.size() < 8) return size_error(header, "is neither 0, 2 nor at least 8 bytes");
      reply.has_versions = true;
      reply.min_version = in.u8();
      reply.max_version = in.u8();
      if (bytes.size() >= 8) {
        in.u16();  // padding
        reply.byte_order_magic = in.u32();
        // What may follow is bpfc-rpcapd's capabilities; anything else a
        // later daemon adds is skipped, as libpcap's client skips it.
        if (in.remaining() >= 8) {
          const uint32_t magic = in.u32();
          const uint32_t capabilities = in.u32();
          if (magic == kBpfcCapabilityMagic) reply.bpfc_capabilities = capabilities;
        }
        in.take(in.remaining());
      }
      return Payload{reply};
    }
    case MessageType::FindAllInterfacesReply: {
      auto interfaces = detail::read_interfaces(in, header.value);
      if (!interfaces) return interfaces.errors();
      return finish(InterfaceListPayload{std::move(*interfaces)});
    }
    case MessageType::OpenRequest:
      if (bytes.empty()) return size_error(header, "names no device");
      return Payload{OpenRequestPayload{in.text(bytes.size())}};
    case MessageType::OpenReply: {
      if (auto problem = expect_size(header, 8)) return *problem;
      OpenReplyPayload reply;
      reply.linktype = static_cast<int32_t>(in.u32());
      reply.tzoff = static_cast<int32_t>(in.u32());
      return Payload{reply};
    }
    case MessageType::StartCaptureRequest: {
      StartCaptureRequestPayload request;
      request.snaplen = in.u32();
      request.read_timeout_ms = in.u32();
      request.flags = in.u16();
      request.data_port = in.u16();
      if (in.failed()) return size_error(header, "is too short for a capture request");
      auto filter = read_filter(header, in);
      if (!filter) return filter.errors();
      request.filter = std::move(*filter);
      return finish(request);
    }
    case MessageType::UpdateFilterRequest: {
      auto filter = read_filter(header, in);
      if (!filter) return filter.errors();
      return finish(std::move(*filter));
    }
    case MessageType::StartCaptureReply: {
      if (auto problem = expect_size(header, 8)) return *problem;
      StartCaptureReplyPayload reply;
      reply.buffer_size = static_cast<int32_t>(in.u32());
      reply.data_port = in.u16();
      in.u16();  // padding
      return Payload{reply};
    }
    case MessageType::SetSamplingRequest: {
      if (auto problem = expect_size(header, 8)) return *problem;
      SamplingPayload sampling;
      sampling.method = in.u8();
      in.u8();
      in.u16();  // padding
      sampling.value = in.u32();
      return Payload{sampling};
    }
    case MessageType::StatsReply: {
      if (auto problem = expect_size(header, 16)) return *problem;
      StatsPayload stats;
      stats.interface_received = in.u32();
      stats.interface_dropped = in.u32();
      stats.kernel_dropped = in.u32();
      stats.server_captured = in.u32();
      return Payload{stats};
    }
    case MessageType::Packet: {
      PacketPayload packet;
      packet.timestamp_seconds = in.u32();
      packet.timestamp_microseconds = in.u32();
      packet.caplen = in.u32();
      packet.wirelen = in.u32();
      packet.number = in.u32();
      if (in.failed()) return size_error(header, "is too short for a packet header");
      if (packet.caplen != in.remaining()) {
        return error(describe(header) + ": captured length " + std::to_string(packet.caplen) + " but " +
                     std::to_string(in.remaining()) + " packet bytes follow");
      }
      if (packet.caplen > kMaxSnaplen) {
        return error(describe(header) + ": captured length " + std::to_string(packet.caplen) + " is over " +
                     std::to_string(kMaxSnaplen));
      }
      packet.data = in.take(packet.caplen);
      return Payload{packet};
    }
  }
  return error(describe(header) + " is not part of the protocol");
}

}  // namespace

Header decode_header(std::span<const uint8_t, kHeaderSize> bytes) {
  wire::Reader in(bytes);
  Header header;
  header.version = in.u8();
  header.type = in.u8();
  header.value = in.u16();
  header.length = in.u32();
  return header;
}

std::optional<Diagnostic> check_header(const Header& header) {
  if (!is_known_message_type(header.type)) return error(message_type_name(header.type));
  uint32_t limit = max_payload_length(header.type);
  if (header.length > limit) {
    return error(describe(header) + ": payload length " + std::to_string(header.length) + " is over the " +
                 std::to_string(limit) + " bytes such a message may have");
  }
  return std::nullopt;
}

Result<Message> decode_message(const Header& header, std::span<const uint8_t> payload) {
  if (auto problem = check_header(header)) return *problem;
  if (payload.size() != header.length) {
    return error(describe(header) + ": the header announces " + std::to_string(header.length) + " payload bytes, " +
                 std::to_string(payload.size()) + " were given");
  }
  auto decoded = decode_payload(header, payload);
  if (!decoded) return decoded.errors();
  Message message;
  message.version = header.version;
  message.type = static_cast<MessageType>(header.type);
  message.value = header.value;
  message.payload = std::move(*decoded);
  return message;
}

Result<std::optional<Frame>> next_frame(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize) return std::optional<Frame>{};
  Header header = decode_header(bytes.first<kHeaderSize>());
  if (auto problem = check_header(header)) return *problem;
  if (bytes.size() - kHeaderSize < header.length) return std::optional<Frame>{};
  Frame frame;
  frame.header = header;
  frame.payload = bytes.subspan(kHeaderSize, header.length);
  frame.size = kHeaderSize + header.length;
  return std::optional<Frame>{frame};
}

}  // namespace bpfc::capture::rpcap
