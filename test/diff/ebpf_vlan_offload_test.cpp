// The eBPF target on a live link with the kernel's VLAN handling: on a veth
// pair inside the test's own network namespace, frames go out untagged and
// tagged (once or twice), and the receiver takes the outer tag off into the
// packet's metadata, as Linux always does on receive. Compiled in the linux
// context, which reads the tag from the metadata or from the frame:
// - the eBPF socket filter on a packet socket of the receiver keeps exactly
//   what bpfc's classic program keeps on another socket there (tag in the
//   metadata);
// - the tc program on the receiver's ingress (tag in the metadata) drops as
//   many as the classic program rejects (clsact's drop counter; IPv6 is off
//   on the pair, so nothing else arrives);
// - the tc program on the sender's egress, where the tag is still in the
//   frame and the packet is outgoing, passes exactly what the IR's reference
//   interpreter accepts given that metadata (a linux-context filter without
//   `vlan` expects the kernel to have taken the tag off, as on receive).
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../support/process.h"
#include "bpfc/driver/compile.h"
#include "bpfc/ebpf/codegen.h"
#include "bpfc/ebpf/object.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/runtime/ebpf_kernel.h"

namespace bpfc::difftest {
namespace {

using testsupport::run_process;

// The test binary moves into a new network namespace when it may
// (network_isolation.cpp): then loopback is the only interface. The test
// makes its veth pair only there, never in a namespace it shares.
bool in_private_network_namespace() {
  struct if_nameindex* interfaces = if_nameindex();
  if (interfaces == nullptr) return false;
  bool only_loopback = true;
  for (struct if_nameindex* i = interfaces; i->if_index != 0; ++i) {
    only_loopback = only_loopback && std::strcmp(i->if_name, "lo") == 0;
  }
  if_freenameindex(interfaces);
  return only_loopback;
}

// The interface's MAC address, read with SIOCGIFHWADDR (sysfs shows the
// namespace it was mounted in, not this one).
bool mac_address(const char* interface, uint8_t mac[6]) {
  const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return false;
  ifreq request{};
  std::strncpy(request.ifr_name, interface, IFNAMSIZ - 1);
  const bool ok = ::ioctl(s, SIOCGIFHWADDR, &request) == 0;
  ::close(s);
  if (ok) std::memcpy(mac, request.ifr_hwaddr.sa_data, 6);
  return ok;
}

int packet_socket(const char* interface) {
  const int s = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (s < 0) return -1;
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ALL);
  address.sll_ifindex = static_cast<int>(if_nametoindex(interface));
  if (::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(s);
    return -1;
  }
  return s;
}

// The frames' ids: their last 4 bytes, counting up from here.
constexpr uint32_t kFirstId = 0x62706601;

// The ids of the test's frames a socket receives until it has been quiet
// for 50 ms (veth delivers at once; the interfaces' own traffic is left out).
std::set<uint32_t> drain(int s) {
  std::set<uint32_t> ids;
  uint8_t buffer[4096];
  pollfd wait{s, POLLIN, 0};
  while (::poll(&wait, 1, 50) > 0) {
    const ssize_t n = ::recv(s, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 4) continue;
    uint32_t id = 0;
    std::memcpy(&id, buffer + n - 4, 4);
    if (id >= kFirstId && id < kFirstId + 1000) ids.insert(id);
  }
  return ids;
}

struct Frame {
  std::vector<uint8_t> bytes;
};

std::vector<uint8_t> ipv4(uint8_t protocol, uint16_t dport) {
  std::vector<uint8_t> ip = {0x45, 0, 0, 32, 0, 0, 0, 0, 64, protocol, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                             0x04, 0x00, static_cast<uint8_t>(dport >> 8), static_cast<uint8_t>(dport), 0, 12, 0, 0};
  return ip;
}

// Every combination of tagging, EtherType, protocol and destination.
std::vector<Frame> make_frames(const uint8_t receiver_mac[6]) {
  std::vector<Frame> frames;
  const std::vector<std::vector<uint8_t>> destinations = {
      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
      {receiver_mac[0], receiver_mac[1], receiver_mac[2], receiver_mac[3], receiver_mac[4], receiver_mac[5]},
      {0x02, 0x99, 0x99, 0x99, 0x99, 0x99}};
  const std::vector<std::vector<uint8_t>> tag_stacks = {{}, {0x81, 0x00, 0x00, 10}, {0x81, 0x00, 0x00, 20},
                                                        {0x88, 0xa8, 0x00, 10, 0x81, 0x00, 0x00, 20}};
  struct Payload {
    uint16_t type;
    std::vector<uint8_t> bytes;
  };
  const std::vector<Payload> payloads = {{0x0800, ipv4(17, 53)}, {0x0800, ipv4(6, 80)}, {0x0806, std::vector<uint8_t>(28, 1)},
                                         {0x86dd, std::vector<uint8_t>(40, 0x60)}};
  uint32_t id = kFirstId - 1;
  for (const auto& destination : destinations) {
    for (const auto& tags : tag_stacks) {
      for (const Payload& payload : payloads) {
        Frame frame;
        frame.bytes = destination;
        for (uint8_t b : {0x02, 0x11, 0x22, 0x33, 0x44, 0x55}) frame.bytes.push_back(b);
        frame.bytes.insert(frame.bytes.end(), tags.begin(), tags.end());
        frame.bytes.push_back(static_cast<uint8_t>(payload.type >> 8));
        frame.bytes.push_back(static_cast<uint8_t>(payload.type));
        frame.bytes.insert(frame.bytes.end(), payload.bytes.begin(), payload.bytes.end());
        while (frame.bytes.size() < 60) frame.bytes.push_back(0);
        ++id;
        const auto* id_bytes = reinterpret_cast<const uint8_t*>(&id);
        frame.bytes.insert(frame.bytes.end(), id_bytes, id_bytes + 4);
        frames.push_back(std::move(frame));
      }
    }
  }
  return frames;
}

// Sends every frame out of bpfcA. A tc program on its egress that drops a
// frame makes that send fail (NET_XMIT_DROP): `dropping` says to expect it.
bool send_all(const std::vector<Frame>& frames, bool dropping = false) {
  const int sender = packet_socket("bpfcA");
  if (sender < 0) return false;
  bool ok = true;
  for (const Frame& frame : frames) {
    const bool sent =
        ::send(sender, frame.bytes.data(), frame.bytes.size(), 0) == static_cast<ssize_t>(frame.bytes.size());
    ok = ok && (sent || dropping);
  }
  ::close(sender);
  return ok;
}

// The clsact qdisc's count of packets its filters dropped on `interface`.
long clsact_drops(const char* interface) {
  auto shown = run_process({"tc", "-s", "qdisc", "show", "dev", interface});
  const std::string& text = shown.out;
  const size_t qdisc = text.find("qdisc clsact");
  if (qdisc == std::string::npos) return -1;
  const size_t dropped = text.find("dropped ", qdisc);
  if (dropped == std::string::npos) return -1;
  return std::stol(text.substr(dropped + 8));
}

TEST(EbpfVlanOffload, SocketAndTcProgramsKeepWhatTheClassicProgramKeeps) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, veth, bpf())";
  if (!in_private_network_namespace()) GTEST_SKIP() << "not in a network namespace of the test's own";
  if (auto why = runtime::bpf_unavailable_reason()) GTEST_SKIP() << *why;
  for (const char* tool : {"ip", "tc"}) {
    if (!testsupport::program_available(tool)) GTEST_SKIP() << tool << " (iproute2) is not installed";
  }
  auto made = run_process({"sh", "-c",
                           "ip link add bpfcA type veth peer name bpfcB && "
                           "echo 1 > /proc/sys/net/ipv6/conf/bpfcA/disable_ipv6 && "
                           "echo 1 > /proc/sys/net/ipv6/conf/bpfcB/disable_ipv6 && ip link set bpfcA up && "
                           "ip link set bpfcB up && tc qdisc add dev bpfcA clsact && tc qdisc add dev bpfcB clsact"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  uint8_t receiver_mac[6] = {};
  ASSERT_TRUE(mac_address("bpfcB", receiver_mac));
  const std::vector<Frame> frames = make_frames(receiver_mac);
  const std::string object_path = "/tmp/bpfc-vlan-offload-" + std::to_string(getpid()) + ".o";
  const std::vector<std::string> filters = {"vlan",          "vlan 10",           "vlan 20",     "vlan 10 and udp",
                                            "not vlan",      "vlan and tcp port 80", "vlan 10 and vlan 20",
                                            "udp port 53",   "ip or ip6",         "vlan 10 or arp", "ether broadcast",
                                            "inbound and not vlan 20"};
  size_t compared = 0, kept_somewhere = 0, dropped_somewhere = 0;
  for (const std::string& filter : filters) {
    CompileOptions options;
    options.context = CompileContext::Linux;
    auto function = compile_to_ir(filter, options);
    auto classic = compile_cbpf(filter, options);
    ASSERT_TRUE(function.ok() && classic.ok()) << filter;
    auto socket_program = ebpf::compile_for_hook(*function, ebpf::default_codegen_options(ebpf::Hook::Socket));
    auto tc_program = ebpf::compile_for_hook(*function, ebpf::default_codegen_options(ebpf::Hook::Tc));
    ASSERT_TRUE(socket_program.ok() && tc_program.ok()) << filter;
    auto loaded = runtime::load_program(socket_program->generated.program, ebpf::kProgTypeSocketFilter);
    ASSERT_TRUE(loaded.ok()) << filter << ": " << loaded.error().describe();

    const int with_ebpf = packet_socket("bpfcB"), with_classic = packet_socket("bpfcB"), unfiltered = packet_socket("bpfcB");
    ASSERT_TRUE(with_ebpf >= 0 && with_classic >= 0 && unfiltered >= 0);
    const int program_fd = loaded->fd.get();
    ASSERT_EQ(::setsockopt(with_ebpf, SOL_SOCKET, SO_ATTACH_BPF, &program_fd, sizeof program_fd), 0) << filter;
    std::vector<sock_filter> insns;
    for (const cbpf::Insn& insn : *classic) insns.push_back(sock_filter{insn.code, insn.jt, insn.jf, insn.k});
    sock_fprog fprog{static_cast<unsigned short>(insns.size()), insns.data()};
    ASSERT_EQ(::setsockopt(with_classic, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog), 0) << filter;
    for (int s : {with_ebpf, with_classic, unfiltered}) drain(s);  // what arrived before the filters

    // The socket filters, with every frame reaching the receiver.
    ASSERT_TRUE(send_all(frames));
    const std::set<uint32_t> by_ebpf = drain(with_ebpf), by_classic = drain(with_classic), all = drain(unfiltered);
    ASSERT_EQ(all.size(), frames.size()) << "frames lost on the veth pair";
    EXPECT_EQ(by_ebpf, by_classic) << filter;
    kept_somewhere += !by_classic.empty();
    dropped_somewhere += by_classic.size() < all.size();

    // The tc program on the sender's egress: what passes reaches the receiver.
    ebpf::ObjectOptions object;
    object.hook = ebpf::Hook::Tc;
    auto bytes = ebpf::write_object(tc_program->generated.program, object);
    ASSERT_TRUE(bytes.ok());
    std::ofstream(object_path, std::ios::binary).write(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    auto attached = run_process({"tc", "filter", "replace", "dev", "bpfcA", "egress", "pref", "1", "bpf", "da", "obj",
                                 object_path, "sec", "tc"});
    ASSERT_EQ(attached.exit_code, 0) << filter << ": " << attached.err;
    drain(unfiltered);
    ASSERT_TRUE(send_all(frames, true));
    const std::set<uint32_t> passed_tc = drain(unfiltered);
    std::set<uint32_t> accepted_at_egress;
    for (size_t i = 0; i < frames.size(); ++i) {
      ir::PacketMetadata outgoing;
      outgoing[ir::MetaKind::VlanTagPresent] = 0;
      outgoing[ir::MetaKind::VlanTci] = 0;
      // The kernel marks a packet PACKET_OUTGOING only in the copies it hands
      // to packet sockets; tc egress sees PACKET_HOST (the target warns).
      outgoing[ir::MetaKind::PacketType] = 0;
      outgoing[ir::MetaKind::Ifindex] = if_nametoindex("bpfcA");
      outgoing[ir::MetaKind::Protocol] = ETH_P_ALL;  // what a packet socket bound to ETH_P_ALL sends with
      const auto& bytes = frames[i].bytes;
      if (ir::interpret(*function, bytes, static_cast<uint32_t>(bytes.size()), outgoing) != 0) {
        accepted_at_egress.insert(kFirstId + static_cast<uint32_t>(i));
      }
    }
    EXPECT_EQ(passed_tc, accepted_at_egress) << "tc egress: " << filter;
    run_process({"tc", "filter", "del", "dev", "bpfcA", "egress"});

    // The tc program on the receiver's ingress, where the tag is metadata.
    attached = run_process({"tc", "filter", "replace", "dev", "bpfcB", "ingress", "pref", "1", "bpf", "da", "obj",
                            object_path, "sec", "tc"});
    ASSERT_EQ(attached.exit_code, 0) << filter << ": " << attached.err;
    const long drops_before = clsact_drops("bpfcB");
    ASSERT_TRUE(send_all(frames));
    drain(unfiltered);
    const long drops = clsact_drops("bpfcB") - drops_before;
    EXPECT_EQ(drops, static_cast<long>(all.size() - by_classic.size())) << "tc ingress: " << filter;
    run_process({"tc", "filter", "del", "dev", "bpfcB", "ingress"});
    for (int s : {with_ebpf, with_classic, unfiltered}) ::close(s);
    ++compared;
  }
  ::unlink(object_path.c_str());
  run_process({"ip", "link", "del", "bpfcA"});
  std::cout << "VLAN offload: " << filters.size() << " filters x " << frames.size()
            << " frames on a veth pair: socket (eBPF vs classic) and tc egress compared\n";
  EXPECT_EQ(compared, filters.size());
  EXPECT_GT(kept_somewhere, filters.size() / 2);
  EXPECT_GT(dropped_somewhere, filters.size() / 2);
}

}  // namespace
}  // namespace bpfc::difftest
