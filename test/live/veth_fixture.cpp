#include "veth_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "../support/process.h"
#include "bpfc/capture/savefile.h"

namespace bpfc::livetest {
namespace {

bool write_proc(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  out << value;
  return static_cast<bool>(out.flush());
}

std::optional<std::string> set_up_namespace() {
  if (geteuid() != 0) return "not root: creating a network namespace and a veth pair needs root";
  if (!testsupport::program_available("ip")) return "the ip command (iproute2) is not installed";
  if (unshare(CLONE_NEWNET) != 0) return std::string("unshare(CLONE_NEWNET) failed: ") + std::strerror(errno);
  // No IPv6 on new interfaces: no router solicitations or MLD reports.
  write_proc("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
  write_proc("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
  std::string error;
  if (!run_ip({"link", "add", kSender, "type", "veth", "peer", "name", kReceiver}, error)) {
    return "cannot create a veth pair: " + error;
  }
  for (const char* name : {kSender, kReceiver}) {
    if (!run_ip({"link", "set", name, "up"}, error)) return "cannot bring " + std::string(name) + " up: " + error;
  }
  if (!run_ip({"addr", "add", std::string(kSenderAddress) + "/24", "dev", kSender}, error)) {
    return "cannot address the sender: " + error;
  }
  const std::array<uint8_t, 6> mac = mac_address(kReceiver);
  char text[32];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  if (!run_ip({"neigh", "add", kPeerAddress, "lladdr", text, "dev", kSender, "nud", "permanent"}, error)) {
    return "cannot add the static neighbour: " + error;
  }
  return std::nullopt;
}

int sender_socket(int type, int protocol) {
  const int fd = socket(AF_INET, type | SOCK_CLOEXEC, protocol);
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, kSender, static_cast<socklen_t>(std::strlen(kSender)));
  return fd;
}

sockaddr_in peer(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, kPeerAddress, &address.sin_addr);
  return address;
}

uint16_t internet_checksum(const uint8_t* data, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += uint32_t{data[i]} << 8 | data[i + 1];
  if (n % 2) sum += uint32_t{data[n - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace

std::optional<std::string> enter_veth_namespace() {
  static const std::optional<std::string> outcome = set_up_namespace();
  return outcome;
}

bool run_ip(const std::vector<std::string>& arguments, std::string& error) {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const testsupport::ProcessResult result = testsupport::run_process(argv);
  error = result.err + result.out;
  return result.exit_code == 0;
}

std::array<uint8_t, 6> mac_address(const std::string& interface) {
  std::array<uint8_t, 6> mac{};
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq request{};
  std::strncpy(request.ifr_name, interface.c_str(), IFNAMSIZ - 1);
  if (fd >= 0 && ioctl(fd, SIOCGIFHWADDR, &request) == 0) std::memcpy(mac.data(), request.ifr_hwaddr.sa_data, 6);
  if (fd >= 0) close(fd);
  return mac;
}

int interface_index(const std::string& interface) { return static_cast<int>(if_nametoindex(interface.c_str())); }

bool send_frame(const std::string& interface, std::span<const uint8_t> frame) {
  // One socket per interface for the whole test process: closing a packet
  // socket waits for an RCU grace period (milliseconds), which would pace
  // a flood.
  static std::mutex mutex;
  static std::map<std::string, int> sockets;
  int fd;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto [it, inserted] = sockets.try_emplace(interface, -1);
    if (inserted) it->second = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    fd = it->second;
  }
  if (fd < 0) return false;
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = interface_index(interface);
  address.sll_halen = 6;
  std::memcpy(address.sll_addr, frame.data(), 6);
  const ssize_t sent = sendto(fd, frame.data(), frame.size(), 0, reinterpret_cast<const sockaddr*>(&address),
                              sizeof address);
  return sent == static_cast<ssize_t>(frame.size());
}

void send_udp(uint16_t port, size_t payload_bytes, int count) {
  const int fd = sender_socket(SOCK_DGRAM, 0);
  if (fd < 0) return;
  const std::vector<uint8_t> payload(payload_bytes, 0x5a);
  const sockaddr_in to = peer(port);
  for (int i = 0; i < count; ++i) {
    sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }
  close(fd);
}

void send_tcp_syn(uint16_t port) {
  // A raw IP socket: one SYN, and no connection whose retransmissions
  // would go on into later captures.
  const int fd = sender_socket(SOCK_RAW, IPPROTO_TCP);
  if (fd < 0) return;
  uint8_t segment[20] = {};
  segment[0] = 0x9c;  // source port 40000
  segment[1] = 0x40;
  segment[2] = static_cast<uint8_t>(port >> 8);
  segment[3] = static_cast<uint8_t>(port);
  segment[7] = 1;        // sequence number
  segment[12] = 5 << 4;  // header length: 5 words
  segment[13] = 0x02;    // SYN
  segment[14] = 0xff;    // window
  segment[15] = 0xff;
  // The checksum covers a pseudo-header of addresses, protocol and length.
  uint8_t pseudo[12 + sizeof segment] = {10, 9, 0, 1, 10, 9, 0, 3, 0, IPPROTO_TCP, 0, sizeof segment};
  std::memcpy(pseudo + 12, segment, sizeof segment);
  const uint16_t checksum = internet_checksum(pseudo, sizeof pseudo);
  segment[16] = static_cast<uint8_t>(checksum >> 8);
  segment[17] = static_cast<uint8_t>(checksum);
  const sockaddr_in to = peer(0);
  sendto(fd, segment, sizeof segment, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  close(fd);
}

void send_icmp_echo(size_t payload_bytes) {
  const int fd = sender_socket(SOCK_RAW, IPPROTO_ICMP);
  if (fd < 0) return;
  std::vector<uint8_t> message(8 + payload_bytes, 0x33);
  message[0] = ICMP_ECHO;
  message[1] = 0;
  message[2] = message[3] = 0;
  message[4] = 0x12;
  message[5] = 0x34;
  message[6] = 0;
  message[7] = 1;
  const uint16_t checksum = internet_checksum(message.data(), message.size());
  message[2] = static_cast<uint8_t>(checksum >> 8);
  message[3] = static_cast<uint8_t>(checksum);
  const sockaddr_in to = peer(0);
  sendto(fd, message.data(), message.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  close(fd);
}

std::vector<std::vector<uint8_t>> corpus_ethernet_frames() {
  std::vector<std::vector<uint8_t>> frames;
  const std::filesystem::path directory = std::filesystem::path(BPFC_TEST_DIR) / "corpus" / "pcaps";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    capture::SavefileError error;
    auto source = capture::open_savefile(path.string(), error);
    if (!source) continue;
    capture::Batch batch;
    bool more = true;
    while (more) {
      more = source->next(batch);
      for (const capture::Packet& packet : batch.packets) {
        if (packet.linktype != 1 || packet.caplen != packet.wirelen || packet.caplen < 14 || packet.caplen > 1514) {
          continue;
        }
        frames.emplace_back(packet.data, packet.data + packet.caplen);
      }
    }
  }
  return frames;
}

std::vector<uint8_t> vlan_udp_frame(uint16_t vid, uint16_t port, size_t payload_bytes) {
  return udp_frame(vid, port, payload_bytes);
}

std::vector<uint8_t> udp_frame(std::optional<uint16_t> vid, uint16_t port, size_t payload_bytes) {
  std::vector<uint8_t> frame;
  const std::array<uint8_t, 6> to = mac_address(kReceiver);
  const std::array<uint8_t, 6> from = mac_address(kSender);
  frame.insert(frame.end(), to.begin(), to.end());
  frame.insert(frame.end(), from.begin(), from.end());
  auto put16 = [&frame](uint16_t v) {
    frame.push_back(static_cast<uint8_t>(v >> 8));
    frame.push_back(static_cast<uint8_t>(v));
  };
  if (vid) {
    put16(0x8100);
    put16(*vid & 0x0fff);
  }
  put16(0x0800);
  const size_t ip_start = frame.size();
  const uint16_t total = static_cast<uint16_t>(20 + 8 + payload_bytes);
  const uint8_t ip[20] = {0x45, 0, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total), 0, 1, 0, 0, 64, 17,
                          0,    0, 10,  9, 0, 1, 10, 9, 0, 3};
  frame.insert(frame.end(), ip, ip + 20);
  const uint16_t checksum = internet_checksum(frame.data() + ip_start, 20);
  frame[ip_start + 10] = static_cast<uint8_t>(checksum >> 8);
  frame[ip_start + 11] = static_cast<uint8_t>(checksum);
  put16(40000);
  put16(port);
  put16(static_cast<uint16_t>(8 + payload_bytes));
  put16(0);
  frame.insert(frame.end(), payload_bytes, 0x42);
  return frame;
}

std::optional<uint16_t> udp_destination_port(const std::vector<uint8_t>& frame) {
  size_t at = 12;
  if (frame.size() > at + 1 && frame[at] == 0x81 && frame[at + 1] == 0x00) at += 4;
  if (frame.size() < at + 2 + 20 + 8 || frame[at] != 0x08 || frame[at + 1] != 0x00) return std::nullopt;
  const size_t ip = at + 2;
  if ((frame[ip] >> 4) != 4 || frame[ip + 9] != 17) return std::nullopt;
  const size_t udp = ip + size_t{frame[ip] & 0x0fu} * 4;
  if (frame.size() < udp + 4) return std::nullopt;
  return static_cast<uint16_t>(frame[udp + 2] << 8 | frame[udp + 3]);
}

}  // namespace bpfc::livetest
