// The protocol's tables: message type names, error code names and the
// largest payload each message type may declare.
#include <cstdio>

#include "bpfc/capture/rpcap/protocol.h"

namespace bpfc::capture::rpcap {
namespace {

struct TypeRow {
  MessageType type;
  const char* name;  // libpcap's rpcap_msg_type_string() wording
  uint32_t max_payload;
};

constexpr uint32_t kFilterHeaderSize = 8;
constexpr uint32_t kInsnSize = 8;
constexpr uint32_t kMaxFilterBytes = kFilterHeaderSize + kInsnSize * kMaxFilterInstructions;

constexpr TypeRow kTypes[] = {
    {MessageType::Error, "ERROR", kMaxErrorTextBytes},
    {MessageType::FindAllInterfacesRequest, "FINDALLIF_REQ", 0},
    {MessageType::OpenRequest, "OPEN_REQ", kMaxDeviceNameBytes},
    {MessageType::StartCaptureRequest, "STARTCAP_REQ", 12 + kMaxFilterBytes},
    {MessageType::UpdateFilterRequest, "UPDATEFILTER_REQ", kMaxFilterBytes},
    {MessageType::Close, "CLOSE", 0},
    {MessageType::Packet, "PACKET", static_cast<uint32_t>(kPacketHeaderSize) + kMaxSnaplen},
    {MessageType::AuthRequest, "AUTH_REQ", 8 + 2 * 65535},
    {MessageType::StatsRequest, "STATS_REQ", 0},
    {MessageType::EndCaptureRequest, "ENDCAP_REQ", 0},
    {MessageType::SetSamplingRequest, "SETSAMPLING_REQ", 8},
    {MessageType::FindAllInterfacesReply, "FINDALLIF_REPLY", kMaxInterfaceListBytes},
    {MessageType::OpenReply, "OPEN_REPLY", 8},
    {MessageType::StartCaptureReply, "STARTCAP_REPLY", 8},
    {MessageType::UpdateFilterReply, "UPDATEFILTER_REPLY", 0},
    // The AUTH reply may grow in later versions; 8 bytes today.
    {MessageType::AuthReply, "AUTH_REPLY", 256},
    {MessageType::StatsReply, "STATS_REPLY", 16},
    {MessageType::EndCaptureReply, "ENDCAP_REPLY", 0},
    {MessageType::SetSamplingReply, "SETSAMPLING_REPLY", 0},
};

const TypeRow* find_type(uint8_t type) {
  for (const TypeRow& row : kTypes) {
    if (static_cast<uint8_t>(row.type) == type) return &row;
  }
  return nullptr;
}

constexpr const char* kErrorNames[] = {
    nullptr,
    "network error",
    "initial timeout expired",
    "authentication error",
    "interface listing failed",
    "no remote interfaces",
    "open failed",
    "filter update failed",
    "statistics failed",
    "packet read failed",
    "host not authorized",
    "remote accept failed",
    "capture start failed",
    "capture end failed",
    "run-time timeout expired",
    "sampling failed",
    "wrong message",
    "wrong version",
    "authentication failed",
    "TLS required",
    "authentication type not supported",
};

}  // namespace

bool is_known_message_type(uint8_t type) { return find_type(type) != nullptr; }

std::string message_type_name(uint8_t type) {
  if (const TypeRow* row = find_type(type)) return row->name;
  char text[40];
  std::snprintf(text, sizeof text, "unknown message type 0x%02x", type);
  return text;
}

std::string error_code_name(uint16_t code) {
  if (code > 0 && code < std::size(kErrorNames)) return kErrorNames[code];
  return "error code " + std::to_string(code);
}

uint32_t max_payload_length(uint8_t type) {
  const TypeRow* row = find_type(type);
  return row ? row->max_payload : 0;
}

}  // namespace bpfc::capture::rpcap
