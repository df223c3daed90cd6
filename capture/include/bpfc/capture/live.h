// Live capture on Linux: a packet source over an AF_PACKET socket with a
// TPACKET_V3 memory-mapped receive ring, and the filter it runs in the
// kernel (classic BPF, SO_ATTACH_FILTER) or, where the kernel refuses the
// program, in user space.
//
// Packets are views into the ring, delivered a block at a time: nothing is
// copied on the way to a writer. A block goes back to the kernel at the next
// call to next(), so views stay valid exactly as the PacketSource contract
// says.
//
// No packet that fails the filter is ever delivered: the socket is created
// bound to no protocol (it receives nothing), gets a filter that rejects
// every packet before it is bound to the interface, and the real filter
// replaces that one in a single setsockopt. The kernel runs each packet's
// filter once, under one program or the other, so everything in the ring
// afterwards passed the real filter. Blocks that were already in the ring
// when a filter is changed on a running capture are filtered in user space.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bpfc/capture/packet.h"
#include "bpfc/capture/savefile.h"
#include "bpfc/cbpf/insn.h"

namespace bpfc::capture {

// The ring's shape (PACKET_RX_RING with TPACKET_V3). The defaults are
// measured: see the capture section of the README.
struct RingOptions {
  uint32_t block_bytes = 256u << 10; // a multiple of the page size
  uint32_t block_count = 32;         // 8 MiB in all
  uint32_t frame_bytes = 0;          // 0: derived from the snaplen (V3 packs packets; only a bound)
  uint32_t retire_timeout_ms = 10;   // a block that is not full is handed over after this long
};

enum class Direction : uint8_t { InOut, In, Out };
// What happens to a VLAN tag the kernel took off a frame (into its packet
// metadata): put back into the frame where it was, as libpcap does for
// Ethernet and LINUX_SLL (the frame as it was on the wire), or left out of
// the frame (only the metadata had it).
enum class VlanMode : uint8_t { Reinsert, Metadata };

struct LiveOptions {
  std::string device;              // an interface name, or "any"
  uint32_t snaplen = kMaxPacketBytes;
  bool promiscuous = true;
  // Hand each block over as soon as it holds a packet (1 ms block retire
  // timeout, the kernel's smallest, and small blocks), instead of when it is
  // full or the retire timeout has passed.
  bool immediate = false;
  Direction direction = Direction::InOut;
  VlanMode vlan = VlanMode::Reinsert;
  RingOptions ring;
  // Joins the socket to a PACKET_FANOUT group (hash) right after it is
  // bound, while its filter still rejects everything: see
  // bpfc/capture/fanout.h, which sets it.
  struct FanoutJoin {
    uint16_t group = 0;
    bool new_group = false;  // a group of its own, with an id the kernel picks (group then ignored)
    bool defragment = false; // PACKET_FANOUT_FLAG_DEFRAG (the same in every member)
  };
  std::optional<FanoutJoin> fanout;
  // How long next() waits for a block before it returns an empty batch.
  int wait_ms = 100;
};

// Why a capture could not start, by kind, for the caller's exit status and
// for tests.
struct LiveError {
  enum class Kind : uint8_t { NoSuchDevice, DeviceDown, Permission, RingTooLarge, LinkTypeNotCovered, System };
  Kind kind = Kind::System;
  std::string message;  // complete, e.g. "eth9: no such interface"
};

// 64-bit counters per cause, accumulated across reads (the kernel resets its
// own on every read).
struct LiveStatistics {
  uint64_t delivered = 0;            // packets handed to the caller
  uint64_t received_by_filter = 0;   // packets the kernel's filter accepted (with those it dropped)
  uint64_t dropped_ring_full = 0;    // accepted, but the ring had no room
  uint64_t ring_freezes = 0;         // times the ring was full and the kernel froze the queue
  uint64_t dropped_by_interface = 0; // the interface's rx_dropped since the capture started
  uint64_t filtered_in_user_space = 0;  // packets a user-space filter rejected
  // Packets a remote daemon sent that never arrived: the gaps in the
  // numbering of an RPCAP UDP data channel (0 for a local capture).
  uint64_t lost_in_transit = 0;
};

// The packet metadata a Linux socket filter reads (SKF_AD_*): what a
// user-space run of a Linux-context program must be given.
struct KernelPacketInfo {
  uint16_t protocol = 0;  // host order
  uint8_t packet_type = 0;
  uint32_t ifindex = 0;
  bool vlan_tag_present = false;
  uint16_t vlan_tci = 0;
};

// Classic BPF (SO_ATTACH_FILTER), an eBPF socket filter loaded by the caller
// (SO_ATTACH_BPF), or none (user space only).
enum class KernelFilterMode : uint8_t { Cbpf, Ebpf, Off };

// Runs a live capture's filter in user space on one packet, as the kernel
// would (the packet as its filter sees it, with that packet's metadata for
// programs that read SKF_AD_* fields): the snap length, 0 to reject. Called
// from every socket of a fanout group at once: it must be thread-safe.
using UserspaceFilter =
    std::function<uint32_t(std::span<const uint8_t> packet, uint32_t wirelen, const KernelPacketInfo& info)>;

// `program` run by the classic BPF interpreter, reading the packet's
// metadata for its SKF_AD_* loads as the kernel does: the user-space form a
// caller without a compiler has.
UserspaceFilter classic_userspace_filter(cbpf::Program program);

// A filter for a live capture, compiled by the caller for the capture's
// link type in the Linux live context (CompileContext::Linux). The capture
// itself runs no compiler: the user-space form comes from the caller (an
// exec engine, the IR interpreter, or the classic BPF interpreter).
struct LiveFilter {
  std::string expression;        // for pcapng's if_filter and messages
  cbpf::Program program;         // what goes into the kernel
  // The same filter in user space, for when the kernel cannot run it and
  // for the packets already in the ring when it replaces another; empty
  // when there is none (then such a change is refused).
  UserspaceFilter userspace;
  KernelFilterMode mode = KernelFilterMode::Cbpf;
  // Ebpf: the loaded socket-filter program of the same filter (borrowed:
  // the socket keeps its own reference once attached). Not for cooked
  // devices (any), whose kernel filter does not see the LINUX_SLL2 header.
  int ebpf_program_fd = -1;
};

// How a filter was installed.
struct FilterPlacement {
  bool in_kernel = false;
  // When not in the kernel although asked for: why, for one warning.
  std::optional<std::string> reason;
};

class LiveSource : public PacketSource {
 public:
  // Opens the device and its ring; the capture starts with a filter that
  // rejects everything until set_filter() or accept_all().
  static std::unique_ptr<LiveSource> open(const LiveOptions& options, LiveError& error);

  // Installs `filter` (kernel first, user space where the kernel refuses or
  // mode is Off). An error when user space cannot run it either.
  virtual std::optional<LiveError> set_filter(LiveFilter filter, FilterPlacement& placement) = 0;
  // No expression: every packet, cut to the snaplen in the kernel.
  virtual std::optional<LiveError> accept_all() = 0;

  // Asks next() to return false soon: after handing over what the kernel
  // retires within the retire timeout. Async-signal-safe.
  virtual void request_stop() = 0;

  virtual uint32_t linktype() const = 0;  // LINKTYPE_ value of the delivered frames
  virtual uint32_t dlt() const = 0;       // the DLT_ value filters are compiled for
  virtual int ifindex() const = 0;        // 0 for "any"
  // The PACKET_FANOUT group the socket joined (LiveOptions::fanout).
  virtual std::optional<uint16_t> fanout_group() const { return std::nullopt; }
  virtual LiveStatistics statistics() = 0;
};

// The LINKTYPE_ value a capture on `device` delivers, found without opening
// a socket (no privileges needed): the errors of LiveSource::open that are
// about the device (no such interface, down, link type not covered).
std::optional<uint32_t> device_linktype(const std::string& device, LiveError& error);

// Whether `program` reads kernel packet metadata (SKF_AD_* ancillary loads):
// then a user-space run needs each packet's KernelPacketInfo.
bool reads_kernel_metadata(const cbpf::Program& program);

// One entry of an interface listing (bpfc capture -D).
struct InterfaceListing {
  int index = 0;
  std::string name;
  std::optional<uint32_t> linktype;  // LINKTYPE_; nullopt when not covered
  uint32_t hardware_type = 0;        // ARPHRD_
  bool up = false, running = false, loopback = false;
  std::vector<std::string> addresses;  // IPv4 and IPv6, as text
};

std::vector<InterfaceListing> list_interfaces(std::string& error);

}  // namespace bpfc::capture
