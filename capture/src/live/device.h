// What a capture device is to a packet socket: its index, how its frames
// come (with their link-layer header, or cooked), and the link type they
// are written and filtered as. "any" is every interface, cooked, with
// LINUX_SLL2 headers built in user space.
#pragma once

#include <optional>
#include <string>

#include "bpfc/capture/live.h"

namespace bpfc::capture::live {

struct Device {
  std::string name;
  int ifindex = 0;          // 0: any
  bool cooked = false;      // SOCK_DGRAM: the frame starts at the network header
  uint32_t hardware_type = 0;  // ARPHRD_
  uint32_t linktype = 0;    // LINKTYPE_
  uint32_t dlt = 0;         // DLT_
};

// The LINKTYPE_ of an ARPHRD_ hardware type captured with its own header;
// nullopt when bpfc does not cover it.
std::optional<uint32_t> linktype_of_hardware(uint32_t hardware_type);

// Looks the device up and checks that it is up. Errors: NoSuchDevice,
// DeviceDown, LinkTypeNotCovered, System.
std::optional<Device> find_device(const std::string& name, LiveError& error);

// The interface's rx_dropped counter (sysfs), when it has one.
std::optional<uint64_t> interface_rx_dropped(const std::string& name);

}  // namespace bpfc::capture::live
