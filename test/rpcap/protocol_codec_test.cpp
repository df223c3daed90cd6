// The RPCAP codec: byte layouts as libpcap's rpcap-protocol.h defines them,
// round trips of every message kind, and hostile input (cut short, lengths
// beyond the bytes, huge lengths and counts, unknown types) refused as
// values.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "bpfc/capture/rpcap/protocol.h"

namespace rpcap = bpfc::capture::rpcap;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes encode(const rpcap::Message& message) {
  auto bytes = rpcap::encode_message(message);
  EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? "" : bytes.error().message);
  return bytes.ok() ? *bytes : Bytes{};
}

// Frames and decodes a whole message; the error text on failure.
bpfc::Result<rpcap::Message> decode(const Bytes& bytes) {
  auto frame = rpcap::next_frame(bytes);
  if (!frame) return frame.errors();
  if (!*frame) return bpfc::error("incomplete");
  if ((*frame)->size != bytes.size()) return bpfc::error("trailing bytes after the message");
  return rpcap::decode_message((*frame)->header, (*frame)->payload);
}

// Decode, encode again: the same bytes.
void expect_round_trip(const rpcap::Message& message) {
  Bytes bytes = encode(message);
  auto decoded = decode(bytes);
  ASSERT_TRUE(decoded.ok()) << rpcap::message_type_name(static_cast<uint8_t>(message.type)) << ": "
                            << decoded.error().message;
  EXPECT_EQ(decoded->type, message.type);
  EXPECT_EQ(encode(*decoded), bytes);
}

Bytes header_bytes(uint8_t version, uint8_t type, uint16_t value, uint32_t length) {
  return {version, type, static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value),
          static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16), static_cast<uint8_t>(length >> 8),
          static_cast<uint8_t>(length)};
}

Bytes with_payload(Bytes header, const Bytes& payload) {
  header.insert(header.end(), payload.begin(), payload.end());
  return header;
}

std::string decode_error(const Bytes& bytes) {
  auto decoded = decode(bytes);
  return decoded.ok() ? "" : decoded.error().message;
}

}  // namespace

TEST(RpcapLayout, HeaderIsVersionTypeValueLengthBigEndian) {
  Bytes bytes = encode(rpcap::Message{0, rpcap::MessageType::Error, 0, rpcap::ErrorPayload{18, "nope"}});
  EXPECT_EQ(bytes, with_payload(header_bytes(0, 0x01, 18, 4), {'n', 'o', 'p', 'e'}));
  EXPECT_EQ(rpcap::reply_to(rpcap::MessageType::AuthRequest), rpcap::MessageType::AuthReply);
  EXPECT_EQ(static_cast<uint8_t>(rpcap::MessageType::AuthReply), 0x88);
}

TEST(RpcapLayout, AuthRequestCarriesTypeAndBothLengths) {
  Bytes bytes = encode(rpcap::Message{0, rpcap::MessageType::AuthRequest, 0,
                                      rpcap::AuthRequestPayload{1, "ab", "xyz"}});
  EXPECT_EQ(bytes, with_payload(header_bytes(0, 0x08, 0, 13), {0, 1, 0, 0, 0, 2, 0, 3, 'a', 'b', 'x', 'y', 'z'}));
  // Null authentication: the 8-byte header alone, as libpcap's client sends.
  Bytes null_auth = encode(rpcap::Message{0, rpcap::MessageType::AuthRequest, 0, rpcap::AuthRequestPayload{}});
  EXPECT_EQ(null_auth, with_payload(header_bytes(0, 0x08, 0, 8), {0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(RpcapLayout, StartCaptureRequestEndsWithTheFilter) {
  rpcap::StartCaptureRequestPayload start;
  start.snaplen = 0x40000;
  start.read_timeout_ms = 500;
  start.flags = rpcap::kStartDatagram;
  start.data_port = 0x1234;
  start.filter.program = {bpfc::cbpf::jump(0x15, 0x800, 1, 2), bpfc::cbpf::stmt(0x06, 0xffffffff)};
  Bytes bytes = encode(rpcap::Message{0, rpcap::MessageType::StartCaptureRequest, 0, start});
  EXPECT_EQ(bytes, with_payload(header_bytes(0, 0x04, 0, 12 + 8 + 16),
                                {0, 4, 0, 0, 0, 0, 1, 0xf4, 0, 2, 0x12, 0x34,  // snaplen, timeout, flags, port
                                 0, 1, 0, 0, 0, 0, 0, 2,                        // BPF, padding, 2 instructions
                                 0, 0x15, 1, 2, 0, 0, 8, 0,                     // jeq #0x800 jt 1 jf 2
                                 0, 0x06, 0, 0, 0xff, 0xff, 0xff, 0xff}));      // ret #-1
}

TEST(RpcapLayout, InterfaceListAddressesAre128ByteSlots) {
  rpcap::RemoteInterface lo;
  lo.name = "lo";
  lo.flags = 0x37;
  rpcap::InterfaceAddress address;
  address.address.kind = rpcap::SocketAddress::Kind::Inet;
  address.address.wire_family = rpcap::kWireFamilyInet;
  address.address.address = {127, 0, 0, 1};
  address.netmask.kind = rpcap::SocketAddress::Kind::Inet;
  address.netmask.wire_family = rpcap::kWireFamilyInet;
  address.netmask.address = {255, 0, 0, 0};
  lo.addresses.push_back(address);
  Bytes bytes = encode(rpcap::Message{0, rpcap::MessageType::FindAllInterfacesReply, 0,
                                      rpcap::InterfaceListPayload{{lo}}});
  ASSERT_EQ(bytes.size(), 8u + 12 + 2 + 4 * 128);
  EXPECT_EQ(bytes[3], 1);  // the count travels in the header's value
  size_t slot = 8 + 12 + 2;
  EXPECT_EQ(Bytes(bytes.begin() + slot, bytes.begin() + slot + 8), (Bytes{0, 2, 0, 0, 127, 0, 0, 1}));
  EXPECT_EQ(bytes[slot + 2 * 128], 0);  // no broadcast address: zeros
  auto decoded = decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(std::get<rpcap::InterfaceListPayload>(decoded->payload).interfaces, std::vector{lo});
}

TEST(RpcapRoundTrip, EveryMessageKind) {
  rpcap::FilterPayload filter{rpcap::kFilterTypeBpf, {bpfc::cbpf::stmt(0x06, 96)}};
  uint8_t data[] = {1, 2, 3, 4, 5};
  rpcap::RemoteInterface eth{"eth0", "first", 6, {}};
  rpcap::InterfaceAddress v6;
  v6.address.kind = rpcap::SocketAddress::Kind::Inet6;
  v6.address.wire_family = rpcap::kWireFamilyInet6;
  v6.address.address = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  v6.address.scope_id = 2;
  eth.addresses = {v6};
  std::vector<rpcap::Message> messages = {
      {0, rpcap::MessageType::Error, 0, rpcap::ErrorPayload{16, "wrong"}},
      rpcap::empty_message(0, rpcap::MessageType::FindAllInterfacesRequest),
      {0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"eth0"}},
      {0, rpcap::MessageType::StartCaptureRequest, 0, rpcap::StartCaptureRequestPayload{96, 1000, 1, 0, filter}},
      {0, rpcap::MessageType::UpdateFilterRequest, 0, filter},
      rpcap::empty_message(0, rpcap::MessageType::Close),
      {0, rpcap::MessageType::Packet, 0, rpcap::PacketPayload{10, 20, 5, 60, 1, data}},
      {0, rpcap::MessageType::AuthRequest, 0, rpcap::AuthRequestPayload{1, "user", "pass"}},
      rpcap::empty_message(0, rpcap::MessageType::StatsRequest),
      rpcap::empty_message(0, rpcap::MessageType::EndCaptureRequest),
      {0, rpcap::MessageType::SetSamplingRequest, 0, rpcap::SamplingPayload{1, 10}},
      {0, rpcap::MessageType::FindAllInterfacesReply, 0, rpcap::InterfaceListPayload{{eth}}},
      {0, rpcap::MessageType::OpenReply, 0, rpcap::OpenReplyPayload{1, 0}},
      {0, rpcap::MessageType::StartCaptureReply, 0, rpcap::StartCaptureReplyPayload{65536, 40000}},
      rpcap::empty_message(0, rpcap::MessageType::UpdateFilterReply),
      {0, rpcap::MessageType::AuthReply, 0, rpcap::AuthReplyPayload{0, 0, true, rpcap::kByteOrderMagic, std::nullopt}},
      {0, rpcap::MessageType::AuthReply, 0, rpcap::AuthReplyPayload{}},
      {0, rpcap::MessageType::StatsReply, 0, rpcap::StatsPayload{1, 2, 3, 4}},
      rpcap::empty_message(0, rpcap::MessageType::EndCaptureReply),
      rpcap::empty_message(0, rpcap::MessageType::SetSamplingReply),
  };
  for (const rpcap::Message& message : messages) expect_round_trip(message);
}

// The data channel's appending encoder writes what encode_message writes,
// message after message, including an empty packet.
TEST(RpcapEncode, AppendedPacketsAreTheEncodedMessages) {
  const std::vector<uint8_t> first = {1, 2, 3, 4, 5, 6, 7};
  const std::vector<uint8_t> second;
  const std::vector<uint8_t> third(1500, 0xab);
  std::vector<uint8_t> appended = {0xee};  // what was there stays
  std::vector<uint8_t> expected = {0xee};
  uint32_t number = 0;
  for (const std::vector<uint8_t>* data : {&first, &second, &third}) {
    const rpcap::PacketPayload packet{1700000000, 999999, static_cast<uint32_t>(data->size()), 1514, ++number, *data};
    rpcap::append_packet_message(0, packet, appended);
    auto bytes = rpcap::encode_message({0, rpcap::MessageType::Packet, 0, packet});
    ASSERT_TRUE(bytes.ok());
    expected.insert(expected.end(), bytes->begin(), bytes->end());
  }
  EXPECT_EQ(appended, expected);
}

// bpfc-rpcapd's capabilities follow the 8 bytes libpcap defines; replies
// without them, with another trailer or with bytes a later daemon adds
// decode as libpcap's client reads them.
TEST(RpcapDecode, AuthReplyCapabilitiesAreAnOptionalTrailer) {
  rpcap::AuthReplyPayload ours{0, 0, true, rpcap::kByteOrderMagic, rpcap::kCapabilityLinuxSocketFilter};
  auto bytes = rpcap::encode_message({0, rpcap::MessageType::AuthReply, 0, ours});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), rpcap::kHeaderSize + 16);
  expect_round_trip({0, rpcap::MessageType::AuthReply, 0, ours});

  auto decode_payload = [](std::vector<uint8_t> payload) {
    std::vector<uint8_t> message = {0, static_cast<uint8_t>(rpcap::MessageType::AuthReply), 0, 0, 0, 0, 0,
                                    static_cast<uint8_t>(payload.size())};
    message.insert(message.end(), payload.begin(), payload.end());
    auto frame = rpcap::next_frame(message);
    EXPECT_TRUE(frame.ok() && frame->has_value());
    auto decoded = rpcap::decode_message((*frame)->header, (*frame)->payload);
    EXPECT_TRUE(decoded.ok()) << decoded.error().message;
    return std::get<rpcap::AuthReplyPayload>(decoded->payload);
  };
  const std::vector<uint8_t> libpcap_form = {0, 0, 0, 0, 0xa1, 0xb2, 0xc3, 0xd4};
  EXPECT_FALSE(decode_payload(libpcap_form).bpfc_capabilities);
  std::vector<uint8_t> other = libpcap_form;
  other.insert(other.end(), {'X', 'Y', 'Z', 'W', 0, 0, 0, 1});
  EXPECT_FALSE(decode_payload(other).bpfc_capabilities);
  std::vector<uint8_t> longer = libpcap_form;
  longer.insert(longer.end(), {1, 2, 3});
  EXPECT_FALSE(decode_payload(longer).bpfc_capabilities);
  std::vector<uint8_t> with = libpcap_form;
  with.insert(with.end(), {'B', 'P', 'F', 'C', 0, 0, 0, 1, 9, 9});
  EXPECT_EQ(decode_payload(with).bpfc_capabilities, rpcap::kCapabilityLinuxSocketFilter);
  // Capabilities without the byte order field cannot be written.
  EXPECT_FALSE(rpcap::encode_message({0, rpcap::MessageType::AuthReply, 0,
                                      rpcap::AuthReplyPayload{0, 0, true, std::nullopt, 1u}})
                   .ok());
}

TEST(RpcapEncode, RefusesWhatCannotBeRepresented) {
  EXPECT_FALSE(rpcap::encode_message({0, rpcap::MessageType::AuthRequest, 0,
                                      rpcap::AuthRequestPayload{1, std::string(70000, 'u'), ""}})
                   .ok());
  // A payload of another message's kind.
  EXPECT_FALSE(rpcap::encode_message({0, rpcap::MessageType::OpenReply, 0, rpcap::StatsPayload{}}).ok());
  // More filter instructions than a reader accepts.
  rpcap::FilterPayload big{rpcap::kFilterTypeBpf, bpfc::cbpf::Program(rpcap::kMaxFilterInstructions + 1)};
  EXPECT_FALSE(rpcap::encode_message({0, rpcap::MessageType::UpdateFilterRequest, 0, big}).ok());
  EXPECT_FALSE(rpcap::encode_message({0, static_cast<rpcap::MessageType>(0x42), 0, rpcap::EmptyPayload{}}).ok());
}

TEST(RpcapHostile, TruncatedHeadersWaitForMoreBytes) {
  Bytes full = encode(rpcap::empty_message(0, rpcap::MessageType::StatsRequest));
  for (size_t n = 0; n < full.size(); ++n) {
    auto frame = rpcap::next_frame(std::span(full).first(n));
    ASSERT_TRUE(frame.ok()) << n;
    EXPECT_FALSE(frame->has_value()) << n;
  }
  Bytes packet = encode({0, rpcap::MessageType::StatsReply, 0, rpcap::StatsPayload{}});
  auto frame = rpcap::next_frame(std::span(packet).first(packet.size() - 1));
  ASSERT_TRUE(frame.ok());
  EXPECT_FALSE(frame->has_value());
}

TEST(RpcapHostile, HugeLengthsAreRefusedFromTheHeaderAlone) {
  // Over each type's bound: refused before a payload byte is read.
  for (uint8_t type : {0x01, 0x03, 0x04, 0x05, 0x07, 0x08, 0x0b, 0x82, 0x83, 0x84, 0x88, 0x89}) {
    rpcap::Header header{0, type, 0, 0xffffffff};
    EXPECT_TRUE(rpcap::check_header(header).has_value()) << rpcap::message_type_name(type);
    auto frame = rpcap::next_frame(header_bytes(0, type, 0, 0xffffffff));
    EXPECT_FALSE(frame.ok()) << rpcap::message_type_name(type);
  }
  // Types without a payload may not claim one.
  EXPECT_TRUE(rpcap::check_header({0, 0x06, 0, 1}).has_value());
  EXPECT_TRUE(rpcap::check_header({0, 0x8a, 0, 4}).has_value());
}

TEST(RpcapHostile, UnknownTypesAreRefused) {
  for (unsigned type : {0x00u, 0x0cu, 0x80u, 0x81u, 0x86u, 0x87u, 0xffu}) {
    EXPECT_FALSE(rpcap::next_frame(header_bytes(0, static_cast<uint8_t>(type), 0, 0)).ok()) << type;
  }
}

TEST(RpcapHostile, PayloadSizeMustMatchTheHeader) {
  rpcap::Header header{0, 0x89, 0, 16};
  Bytes short_payload(8);
  auto decoded = rpcap::decode_message(header, short_payload);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("16"), std::string::npos) << decoded.error().message;
}

TEST(RpcapHostile, FixedSizePayloadsMustHaveTheirSize) {
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x89, 0, 12), Bytes(12))), "");  // stats reply
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x83, 0, 4), Bytes(4))), "");    // open reply
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x84, 0, 7), Bytes(7))), "");    // startcap reply
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x0b, 0, 9), Bytes(9))), "");    // sampling
  // The AUTH reply is 0, 2 or at least 8 bytes.
  for (uint32_t n : {1u, 3u, 7u}) EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x88, 0, n), Bytes(n))), "") << n;
  for (uint32_t n : {0u, 2u, 8u, 12u}) EXPECT_EQ(decode_error(with_payload(header_bytes(0, 0x88, 0, n), Bytes(n))), "") << n;
}

TEST(RpcapHostile, AuthLengthsMustMatchTheBytes) {
  // Says 200 + 0 bytes of strings, carries 2.
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x08, 0, 10), {0, 1, 0, 0, 0, 200, 0, 0, 'a', 'b'})), "");
  // Says 1 + 0, carries 2: left-over bytes are refused too.
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x08, 0, 10), {0, 1, 0, 0, 0, 1, 0, 0, 'a', 'b'})), "");
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x08, 0, 4), {0, 1, 0, 0})), "");
}

TEST(RpcapHostile, FilterCountsMustMatchTheBytes) {
  // 0x10000000 instructions announced (over the bound), 1 given.
  Bytes huge = {0, 1, 0, 0, 0x10, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 1};
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x05, 0, 16), huge)), "");
  // 2 announced, 1 given: libpcap's own client sends this without a filter.
  Bytes short_by_one = {0, 1, 0, 0, 0, 0, 0, 2, 0, 6, 0, 0, 0, 0, 0, 1};
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x05, 0, 16), short_by_one)), "");
  // Not a BPF filter.
  Bytes other = {0, 2, 0, 0, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 1};
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x05, 0, 16), other)), "");
  // A capture request too short for its own fields.
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x04, 0, 6), Bytes(6))), "");
}

TEST(RpcapHostile, PacketCaplenMustMatchTheData) {
  Bytes header = {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 9, 0, 0, 0, 9, 0, 0, 0, 1};  // caplen 9
  Bytes four_bytes = header;
  four_bytes.insert(four_bytes.end(), {1, 2, 3, 4});
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x07, 0, 24), four_bytes)), "");
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x07, 0, 12), Bytes(12))), "");
  Bytes nine = header;
  nine.insert(nine.end(), 9, 0xab);
  auto decoded = decode(with_payload(header_bytes(0, 0x07, 0, 29), nine));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(std::get<rpcap::PacketPayload>(decoded->payload).data.size(), 9u);
}

TEST(RpcapHostile, InterfaceCountsAndLengthsMustFit) {
  // 65535 interfaces announced in 12 bytes.
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x82, 0xffff, 12), Bytes(12))), "");
  // A name length beyond the payload.
  Bytes name_too_long = {0, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'l', 'o'};
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x82, 1, 14), name_too_long)), "");
  // 65535 addresses announced, none given.
  Bytes many_addresses = {0, 2, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 'l', 'o'};
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x82, 1, 14), many_addresses)), "");
  // One interface announced, two present: left-over bytes.
  Bytes two = {0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'l', 'o', 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'l', 'o'};
  EXPECT_NE(decode_error(with_payload(header_bytes(0, 0x82, 1, 28), two)), "");
  EXPECT_EQ(decode_error(with_payload(header_bytes(0, 0x82, 2, 28), two)), "");
}

TEST(RpcapHostile, OpenNeedsADevice) {
  EXPECT_NE(decode_error(header_bytes(0, 0x03, 0, 0)), "");
  EXPECT_FALSE(rpcap::check_header({0, 0x03, 0, rpcap::kMaxDeviceNameBytes + 1}) == std::nullopt);
}

TEST(RpcapNames, TypesAndErrorCodes) {
  EXPECT_EQ(rpcap::message_type_name(0x82), "FINDALLIF_REPLY");
  EXPECT_EQ(rpcap::message_type_name(0x42), "unknown message type 0x42");
  EXPECT_EQ(rpcap::error_code_name(18), "authentication failed");
  EXPECT_EQ(rpcap::error_code_name(999), "error code 999");
}
