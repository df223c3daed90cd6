// Sending link-layer frames on a Linux interface through an AF_PACKET
// socket, as `bpfc replay` does with a savefile's packets. Two ways to hand
// frames to the kernel: a PACKET_TX_RING shared with it (one system call
// per batch, no per-packet copy out of user space beyond the ring) or
// sendmmsg(2) with a batch of frames per call.
//
// Frames are checked against the kernel's rules before they are queued
// (frame_fit): one that is longer than the interface's MTU plus its link
// header, or shorter than that header, is refused by the caller, never
// silently lost in the kernel.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace bpfc::capture {

enum class SendMethod { TxRing, Sendmmsg };

struct SenderError {
  enum class Kind {
    NoSuchInterface,
    InterfaceDown,      // administratively down, or up without carrier
    Permission,         // no CAP_NET_RAW
    UnsupportedDevice,  // a hardware type whose frames bpfc cannot label
    System,             // anything else: the message says what failed
  };
  Kind kind = Kind::System;
  std::string message;  // complete, names the interface
};

// What a frame sent on the interface looks like, and how large it may be.
struct SendInterface {
  std::string name;
  int index = 0;
  uint16_t hardware_type = 0;  // ARPHRD_*
  uint32_t linktype = 0;       // LINKTYPE_* of its frames (1: Ethernet, 101: raw IP)
  uint32_t mtu = 0;
  uint32_t header_bytes = 0;   // link-layer header, not counted in the MTU
};

// Describes `name` (no privilege needed). Fails for a missing interface, one
// that is down or has no carrier, or one whose hardware type has no link
// type bpfc sends.
std::optional<SendInterface> describe_send_interface(const std::string& name, SenderError& error);

// Whether a savefile of `linktype` holds frames the interface takes as they
// are (a raw-IP device also takes LINKTYPE_IPV4 and LINKTYPE_IPV6).
bool linktype_matches(const SendInterface& interface, uint32_t linktype);

enum class FrameFit { Fits, TooLong, TooShort };
// The kernel's length rules for an injected frame: at most MTU + link
// header (+ 4 for an 802.1Q-tagged frame on an Ethernet device), at least the
// link header.
FrameFit frame_fit(const SendInterface& interface, std::span<const uint8_t> frame);
// The longest frame that fits, tag included.
uint32_t largest_frame(const SendInterface& interface);

struct SenderOptions {
  SendMethod method = SendMethod::Sendmmsg;
  // TX ring: frames in the ring (rounded to whole blocks). sendmmsg: frames
  // per call.
  uint32_t ring_frames = 512;
  uint32_t batch_frames = 64;
};

struct SendCounters {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t system_calls = 0;
};

class PacketSender {
 public:
  virtual ~PacketSender() = default;
  // Queues a copy of `frame` (which must fit: frame_fit), sending earlier
  // frames as the queue fills. False after a send error (error()).
  virtual bool send(std::span<const uint8_t> frame) = 0;
  // Hands every queued frame to the kernel and waits until it took them.
  virtual bool flush() = 0;
  virtual const std::optional<SenderError>& error() const = 0;
  // Frames the kernel has taken (after flush(): every frame sent).
  virtual const SendCounters& counters() const = 0;
  virtual const SendInterface& interface() const = 0;
};

// Opens an AF_PACKET socket bound to the interface (it receives nothing).
// Null with `error` set when that is refused: CAP_NET_RAW missing, the
// ring cannot be set up.
std::unique_ptr<PacketSender> open_packet_sender(const SendInterface& interface, const SenderOptions& options,
                                                 SenderError& error);

}  // namespace bpfc::capture
