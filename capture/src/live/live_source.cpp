// The AF_PACKET capture source: see bpfc/capture/live.h for the contract,
// device.h, ring.h and frame.h for the parts.
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <string>

#include "bpfc/capture/live.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "cooked_program.h"
#include "device.h"
#include "frame.h"
#include "ring.h"

namespace bpfc::capture {
namespace {

using live::FrameView;
using Clock = std::chrono::steady_clock;

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

constexpr uint32_t kLinktypeEthernet = 1;

LiveError system_error(const std::string& what, int error_number) {
  return {LiveError::Kind::System, what + ": " + std::strerror(error_number)};
}

bool attach(int fd, const cbpf::Program& program) {
  static_assert(sizeof(cbpf::Insn) == sizeof(sock_filter));
  sock_fprog code{static_cast<unsigned short>(program.size()),
                  reinterpret_cast<sock_filter*>(const_cast<cbpf::Insn*>(program.data()))};
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &code, sizeof code) == 0;
}

const cbpf::Program kRejectAll = {cbpf::stmt(cbpf::RET | cbpf::K, 0)};
// Keeps every packet whole (the snaplen is applied in user space, after the
// user-space filter, which must see what the kernel's would have seen).
const cbpf::Program kAcceptAll = {cbpf::stmt(cbpf::RET | cbpf::K, 0xffffffffu)};

class AfPacketSource final : public LiveSource {
 public:
  AfPacketSource(live::Device device, const LiveOptions& options) : device_(std::move(device)), options_(options) {}
  ~AfPacketSource() override {
    if (fd_ >= 0) close(fd_);
  }

  std::optional<LiveError> start();

  bool next(Batch& batch) override;
  const std::optional<SavefileError>& error() const override { return error_; }
  const std::vector<SavefileError>& warnings() const override { return warnings_; }
  SavefileFormat format() const override { return SavefileFormat::Pcapng; }
  const std::vector<InterfaceInfo>& interfaces() const override { return interfaces_; }
  std::optional<uint64_t> size() const override { return std::nullopt; }
  uint64_t position() const override { return 0; }

  std::optional<LiveError> set_filter(LiveFilter filter, FilterPlacement& placement) override;
  std::optional<LiveError> accept_all() override;
  void request_stop() override { stop_requested_.store(true, std::memory_order_relaxed); }
  uint32_t linktype() const override { return device_.linktype; }
  uint32_t dlt() const override { return device_.dlt; }
  int ifindex() const override { return device_.ifindex; }
  std::optional<uint16_t> fanout_group() const override { return fanout_group_; }
  LiveStatistics statistics() override;

 private:
  void release_held_blocks();
  void read_block(uint8_t* block, bool filter_here, Batch& batch);
  bool keep_direction(const KernelPacketInfo& info) const;
  uint32_t run_userspace_filter(const FrameView& frame) const;
  // Packets of the next ring's worth of blocks may have passed the filter
  // that was there before: they are filtered in user space too.
  void filter_ring_in_user_space() { userspace_until_ = next_block_ + ring_.block_count() + 1; }
  bool wait_for_block(int timeout_ms);
  void read_kernel_statistics();
  std::optional<LiveError> join_fanout(const LiveOptions::FanoutJoin& join);

  live::Device device_;
  LiveOptions options_;
  int fd_ = -1;
  live::Ring ring_;
  uint64_t next_block_ = 0;  // the ring position read next
  uint64_t held_from_ = 0;   // blocks [held_from_, next_block_) belong to the caller's batch
  std::optional<SavefileError> error_;
  std::vector<SavefileError> warnings_;
  std::vector<InterfaceInfo> interfaces_;
  std::atomic<bool> stop_requested_{false};
  std::optional<Clock::time_point> stop_deadline_;  // set when a stop is first seen
  uint64_t stop_at_block_ = 0;  // the ring position after the last block read once stopping
  int loopback_ifindex_ = 0;
  bool direction_in_kernel_ = false;
  std::optional<uint16_t> fanout_group_;

  std::optional<LiveFilter> filter_;
  bool filter_in_user_space_ = false;  // every packet
  bool rejecting_all_ = true;          // the kernel filter rejects everything
  uint64_t userspace_until_ = 0;       // blocks before this index are filtered in user space too

  LiveStatistics statistics_;
  std::optional<uint64_t> rx_dropped_at_start_;
};

std::optional<LiveError> AfPacketSource::start() {
  // Protocol 0: the socket receives nothing until it is bound below, after
  // it has a filter.
  fd_ = socket(AF_PACKET, (device_.cooked ? SOCK_DGRAM : SOCK_RAW) | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    const int error = errno;
    if (error == EPERM || error == EACCES) {
      return LiveError{LiveError::Kind::Permission,
                       device_.name + ": permission denied: capturing needs CAP_NET_RAW (run as root, or `setcap "
                                      "cap_net_raw,cap_net_admin=eip` on bpfc)"};
    }
    return system_error("cannot open a packet socket", error);
  }
  if (!attach(fd_, kRejectAll)) return system_error("cannot attach the initial filter", errno);
  const int version = TPACKET_V3;
  if (setsockopt(fd_, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) {
    return system_error("this kernel has no TPACKET_V3 rings", errno);
  }
  // Room in front of each packet for a VLAN tag put back in place.
  const unsigned reserve = live::kVlanTagBytes;
  if (setsockopt(fd_, SOL_PACKET, PACKET_RESERVE, &reserve, sizeof reserve) != 0) {
    return system_error("cannot reserve room in the ring's frames", errno);
  }
  RingOptions ring = options_.ring;
  if (options_.immediate) ring.retire_timeout_ms = 1;
  const uint32_t header_room = TPACKET_ALIGN(sizeof(tpacket3_hdr)) + sizeof(sockaddr_ll) + reserve + 32;
  if (auto error = ring_.create(fd_, ring, options_.snaplen, header_room)) return error;
  if (options_.direction == Direction::In) {
    const int one = 1;
    direction_in_kernel_ = setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) == 0;
  }
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ALL);
  address.sll_ifindex = device_.ifindex;
  if (bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    if (error == ENETDOWN) return LiveError{LiveError::Kind::DeviceDown, device_.name + ": the interface is down"};
    if (error == ENODEV) return LiveError{LiveError::Kind::NoSuchDevice, device_.name + ": no such interface"};
    return system_error("cannot bind to " + device_.name, error);
  }
  // Still rejecting everything: the ring is empty, and a packet the group
  // hands this socket before its real filter is in place is rejected too.
  if (options_.fanout) {
    if (auto error = join_fanout(*options_.fanout)) return error;
  }
  if (options_.promiscuous && device_.ifindex != 0) {
    packet_mreq membership{};
    membership.mr_ifindex = device_.ifindex;
    membership.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &membership, sizeof membership) != 0) {
      const int error = errno;
      if (error == EPERM || error == EACCES) {
        return LiveError{LiveError::Kind::Permission,
                         device_.name + ": permission denied: promiscuous mode needs CAP_NET_ADMIN (or use -p)"};
      }
      return system_error("cannot put " + device_.name + " into promiscuous mode", error);
    }
  }
  loopback_ifindex_ = static_cast<int>(if_nametoindex("lo"));
  rx_dropped_at_start_ = live::interface_rx_dropped(device_.name);
  InterfaceInfo info;
  info.linktype = device_.linktype;
  info.snaplen = options_.snaplen;
  info.ticks_per_second = 1000000000;
  info.nanosecond_file = true;
  info.name = device_.name;
  interfaces_.push_back(std::move(info));
  return std::nullopt;
}

std::optional<LiveError> AfPacketSource::join_fanout(const LiveOptions::FanoutJoin& join) {
  const uint32_t flags = join.defragment ? PACKET_FANOUT_FLAG_DEFRAG : 0;
  const auto request = [&](uint32_t group, uint32_t with) {
    const uint32_t argument = group | ((PACKET_FANOUT_HASH | with) << 16);
    return setsockopt(fd_, SOL_PACKET, PACKET_FANOUT, &argument, sizeof argument) == 0;
  };
  if (join.new_group) {
    // The kernel picks an id no group of this namespace has (Linux 4.4 and
    // later); the flag is only for the first member and is not kept.
    if (!request(0, flags | PACKET_FANOUT_FLAG_UNIQUEID)) {
      if (errno != EINVAL) return system_error("cannot create a PACKET_FANOUT group on " + device_.name, errno);
      // Older kernels: an id of this process's, tried until one is free.
      const uint32_t base = static_cast<uint32_t>(getpid()) * 131u;
      bool joined = false;
      for (uint32_t attempt = 0; attempt < 64 && !joined; ++attempt) {
        joined = request((base + attempt) & 0xffffu, flags);
      }
      if (!joined) return system_error("cannot create a PACKET_FANOUT group on " + device_.name, errno);
    }
    uint32_t value = 0;
    socklen_t length = sizeof value;
    if (getsockopt(fd_, SOL_PACKET, PACKET_FANOUT, &value, &length) != 0) {
      return system_error("cannot read the PACKET_FANOUT group's id", errno);
    }
    fanout_group_ = static_cast<uint16_t>(value & 0xffffu);
  } else {
    if (!request(join.group, flags)) {
      return system_error("cannot join PACKET_FANOUT group " + std::to_string(join.group) + " on " + device_.name,
                          errno);
    }
    fanout_group_ = join.group;
  }
  return std::nullopt;
}

std::optional<LiveError> AfPacketSource::set_filter(LiveFilter filter, FilterPlacement& placement) {
  placement = {};
  const bool was_rejecting_all = rejecting_all_;
  std::optional<std::string> reason;
  std::optional<cbpf::Program> kernel_program;
  if (filter.mode == KernelFilterMode::Off) {
    reason = "--kernel-filter=off";
  } else if (filter.mode == KernelFilterMode::Ebpf) {
    if (device_.cooked) {
      reason = "an eBPF filter cannot be attached to a cooked (any) socket: it would not see the LINUX_SLL2 header";
    } else if (filter.ebpf_program_fd < 0) {
      reason = "no eBPF program was loaded";
    } else if (setsockopt(fd_, SOL_SOCKET, SO_ATTACH_BPF, &filter.ebpf_program_fd, sizeof filter.ebpf_program_fd) ==
               0) {
      placement.in_kernel = true;
    } else {
      reason = std::string("SO_ATTACH_BPF failed: ") + std::strerror(errno);
    }
  } else {
    std::string why;
    kernel_program = device_.cooked ? live::kernel_program_for_sll2(filter.program, why) : filter.program;
    if (!kernel_program) {
      reason = why;
    } else if (auto refusal = runtime::validate_cbpf(*kernel_program, runtime::ValidationRules::LinuxKernel)) {
      reason = "the kernel refuses the program: " + refusal->describe();
    }
  }
  const bool userspace_possible = static_cast<bool>(filter.userspace);
  if (!reason && !placement.in_kernel) {
    if (attach(fd_, *kernel_program)) {
      placement.in_kernel = true;
    } else {
      reason = std::string("SO_ATTACH_FILTER failed: ") + std::strerror(errno);
    }
  }
  if (!placement.in_kernel) {
    if (!userspace_possible) {
      return LiveError{LiveError::Kind::System,
                       "the filter cannot run in the kernel (" + *reason + ") and has no user-space form"};
    }
    if (!attach(fd_, kAcceptAll)) return system_error("cannot replace the kernel filter", errno);
    placement.reason = reason;
  }
  rejecting_all_ = false;
  filter_in_user_space_ = !placement.in_kernel;
  if (!was_rejecting_all && placement.in_kernel) {
    if (!userspace_possible) {
      return LiveError{LiveError::Kind::System, "the filter cannot be changed on a running capture: it has no "
                                                "user-space form for the packets already in the ring"};
    }
    filter_ring_in_user_space();
  }
  interfaces_.front().filter = filter.expression;
  filter_ = std::move(filter);
  return std::nullopt;
}

std::optional<LiveError> AfPacketSource::accept_all() {
  if (!attach(fd_, kAcceptAll)) return system_error("cannot attach the kernel filter", errno);
  rejecting_all_ = false;
  filter_.reset();
  filter_in_user_space_ = false;
  return std::nullopt;
}

bool AfPacketSource::keep_direction(const KernelPacketInfo& info) const {
  if (info.packet_type == PACKET_OUTGOING) {
    // A packet sent on loopback is seen again as it comes in: keep one copy,
    // as libpcap does.
    if (static_cast<int>(info.ifindex) == loopback_ifindex_) return false;
    return options_.direction != Direction::In;
  }
  return options_.direction != Direction::Out;
}

uint32_t AfPacketSource::run_userspace_filter(const FrameView& frame) const {
  return filter_->userspace({frame.data, frame.caplen}, frame.wirelen, frame.info);
}

void AfPacketSource::read_block(uint8_t* block, bool filter_here, Batch& batch) {
  const uint32_t count = live::packets_in(block);
  auto* header = const_cast<tpacket3_hdr*>(live::first_packet(block));
  for (uint32_t i = 0; i < count; ++i) {
    FrameView frame;
    if (!live::kernel_view(header, device_.cooked, frame)) {
      if (!error_) error_ = SavefileError{"the ring left no room for a LINUX_SLL2 header", std::nullopt, false};
      header = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<uint8_t*>(header) + header->tp_next_offset);
      continue;
    }
    bool keep = keep_direction(frame.info);
    if (keep && filter_here && run_userspace_filter(frame) == 0) {
      keep = false;
      ++statistics_.filtered_in_user_space;
    }
    if (keep) {
      if (device_.cooked) frame.wirelen += live::kSll2HeaderBytes;
      if (options_.vlan == VlanMode::Reinsert && device_.linktype == kLinktypeEthernet) {
        live::reinsert_vlan_tag(header, frame);
      }
      Packet packet;
      packet.timestamp_ns = int64_t{header->tp_sec} * 1000000000 + header->tp_nsec;
      packet.caplen = std::min(frame.caplen, options_.snaplen);
      packet.wirelen = frame.wirelen;
      packet.linktype = device_.linktype;
      packet.data = frame.data;
      packet.raw = {frame.data, packet.caplen};
      batch.packets.push_back(packet);
    }
    header = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<uint8_t*>(header) + header->tp_next_offset);
  }
}

void AfPacketSource::release_held_blocks() {
  for (; held_from_ < next_block_; ++held_from_) ring_.release(held_from_);
}

bool AfPacketSource::wait_for_block(int timeout_ms) {
  pollfd waiting{fd_, POLLIN | POLLERR, 0};
  const int ready = poll(&waiting, 1, timeout_ms);
  if (ready < 0) return errno == EINTR;  // a signal: the caller looks at the stop request
  if (ready > 0 && (waiting.revents & POLLERR) != 0) {
    int socket_error = 0;
    socklen_t length = sizeof socket_error;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &socket_error, &length);
    if (socket_error == ENETDOWN) {
      error_ = SavefileError{device_.name + ": the interface went down", std::nullopt, false};
      return false;
    }
    if (socket_error != 0) {
      error_ = SavefileError{device_.name + ": " + std::strerror(socket_error), std::nullopt, false};
      return false;
    }
  }
  return true;
}

bool AfPacketSource::next(Batch& batch) {
  batch.clear();
  release_held_blocks();
  if (error_) return false;
  if (stop_requested_.load(std::memory_order_relaxed) && !stop_deadline_) {
    // Packets that arrived before the stop are in blocks the kernel retires
    // within the retire timeout: wait that long for them.
    const uint32_t timeout = options_.immediate ? 1 : options_.ring.retire_timeout_ms;
    stop_deadline_ = Clock::now() + std::chrono::milliseconds(timeout + 20);
    // They are in the blocks handed over already and the one being filled;
    // later blocks are not read, so that a busy interface cannot keep the
    // capture running.
    uint64_t ready = 0;
    while (ready < ring_.block_count() && ring_.ready_block(next_block_ + ready) != nullptr) ++ready;
    stop_at_block_ = next_block_ + ready + 1;
  }
  if (stop_deadline_ && next_block_ >= stop_at_block_) return false;
  uint8_t* block = ring_.ready_block(next_block_);
  if (block == nullptr) {
    int timeout = options_.wait_ms;
    if (stop_deadline_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*stop_deadline_ - Clock::now());
      if (left.count() <= 0) return false;
      timeout = static_cast<int>(std::min<int64_t>(left.count() + 1, timeout));
    }
    if (!wait_for_block(timeout)) return false;
    block = ring_.ready_block(next_block_);
    if (block == nullptr) return true;  // nothing yet: an empty batch
  }
  // Several ready blocks make one batch, up to a quarter of the ring, so
  // that the kernel always has room while the caller works.
  const uint32_t most = std::max<uint32_t>(1, ring_.block_count() / 4);
  for (uint32_t taken = 0; block != nullptr && taken < most && !(stop_deadline_ && next_block_ >= stop_at_block_);
       ++taken) {
    const bool filter_here = filter_in_user_space_ || next_block_ < userspace_until_;
    read_block(block, filter_here && filter_.has_value(), batch);
    ++next_block_;
    block = ring_.ready_block(next_block_);
  }
  statistics_.delivered += batch.packets.size();
  return true;
}

void AfPacketSource::read_kernel_statistics() {
  tpacket_stats_v3 kernel{};
  socklen_t length = sizeof kernel;
  if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &kernel, &length) != 0) return;
  // The kernel adds its drops into tp_packets, and resets both on every read.
  statistics_.received_by_filter += kernel.tp_packets;
  statistics_.dropped_ring_full += kernel.tp_drops;
  statistics_.ring_freezes += kernel.tp_freeze_q_cnt;
}

LiveStatistics AfPacketSource::statistics() {
  read_kernel_statistics();
  if (rx_dropped_at_start_) {
    if (auto now = live::interface_rx_dropped(device_.name); now && *now >= *rx_dropped_at_start_) {
      statistics_.dropped_by_interface = *now - *rx_dropped_at_start_;
    }
  }
  return statistics_;
}

}  // namespace

UserspaceFilter classic_userspace_filter(cbpf::Program program) {
  return [program = std::move(program)](std::span<const uint8_t> packet, uint32_t wirelen,
                                        const KernelPacketInfo& info) {
    runtime::LinuxAncillary ancillary;
    ancillary.protocol = info.protocol;
    ancillary.packet_type = info.packet_type;
    ancillary.ifindex = info.ifindex;
    ancillary.vlan_tci = info.vlan_tci;
    ancillary.vlan_tag_present = info.vlan_tag_present ? 1 : 0;
    return runtime::run_cbpf(program, packet, wirelen, ancillary);
  };
}

std::optional<uint32_t> device_linktype(const std::string& device, LiveError& error) {
  std::optional<live::Device> found = live::find_device(device, error);
  if (!found) return std::nullopt;
  return found->linktype;
}

std::unique_ptr<LiveSource> LiveSource::open(const LiveOptions& options, LiveError& error) {
  std::optional<live::Device> device = live::find_device(options.device, error);
  if (!device) return nullptr;
  auto source = std::make_unique<AfPacketSource>(std::move(*device), options);
  if (auto failure = source->start()) {
    error = std::move(*failure);
    return nullptr;
  }
  return source;
}

}  // namespace bpfc::capture
