// The network the live-capture tests capture on: a private, empty network
// namespace of the test process (it disappears with the process; nothing in
// it can reach the machine's own interfaces) holding one veth pair. Traffic
// sent on kSender arrives on kReceiver; captures run on either end or on
// "any". IPv6 is off in the namespace and the one neighbour the tests send
// to is static, so the kernel adds no packets of its own (router
// solicitations, ARP) that one capture could see and another not.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bpfc::livetest {

inline constexpr const char* kSender = "va";
inline constexpr const char* kReceiver = "vb";
inline constexpr const char* kSenderAddress = "10.9.0.1";
// An address on the link that no interface has: packets to it leave the
// sender and reach the receiver (as PACKET_HOST, by its MAC address).
inline constexpr const char* kPeerAddress = "10.9.0.3";

// Moves this process into a new network namespace with the veth pair, the
// first time; nullopt when that worked (now or before), else why not (not
// root, no network namespaces, no veth), for GTEST_SKIP.
std::optional<std::string> enter_veth_namespace();

// Runs `ip` with `arguments`; false (with the output in `error`) when it fails.
bool run_ip(const std::vector<std::string>& arguments, std::string& error);

std::array<uint8_t, 6> mac_address(const std::string& interface);
int interface_index(const std::string& interface);

// Sends `frame` as it is (link-layer header included) on `interface` with a
// raw packet socket. False when the kernel refuses it (too long for the MTU).
bool send_frame(const std::string& interface, std::span<const uint8_t> frame);

// Ordinary-socket traffic from the sender to kPeerAddress: UDP datagrams to
// `port`, TCP connection attempts (SYNs) to `port`, ICMP echo requests.
void send_udp(uint16_t port, size_t payload_bytes, int count = 1);
void send_tcp_syn(uint16_t port);
void send_icmp_echo(size_t payload_bytes);

// The complete Ethernet frames (caplen == wirelen, 14 bytes at least, 1514
// at most) of the EN10MB savefiles in test/corpus/pcaps.
std::vector<std::vector<uint8_t>> corpus_ethernet_frames();

// An Ethernet frame to the receiver with an 802.1Q tag (VLAN `vid`) around
// an IPv4/UDP datagram to `port`.
std::vector<uint8_t> vlan_udp_frame(uint16_t vid, uint16_t port, size_t payload_bytes);
// The same without a tag when `vid` is nullopt.
std::vector<uint8_t> udp_frame(std::optional<uint16_t> vid, uint16_t port, size_t payload_bytes);

// The UDP destination port of an Ethernet frame (untagged or with one
// 802.1Q tag) holding IPv4/UDP; nullopt for anything else.
std::optional<uint16_t> udp_destination_port(const std::vector<uint8_t>& frame);

}  // namespace bpfc::livetest
