// What a client may ask for: device names and filters. libpcap's rpcapd
// once passed the OPEN request's name to pcap_open(), which also opens
// savefiles and URLs (CVE-2019-15164: a client made the daemon connect out;
// CVE-2024-8006: a name led to a file path). Here only a plain interface
// name passes, and only filters the kernel itself would load.
#include <string>

#include "bpfc/capture/rpcap/server.h"
#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::capture::rpcap {

namespace {
constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1

bool name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_' || c == ':' || c == '@';
}
}  // namespace

std::optional<std::string> check_device_name(std::string_view device) {
  if (device.empty()) return "no device name was given";
  if (device.find("://") != std::string_view::npos) return "device names may not be URLs";
  if (device.find('/') != std::string_view::npos || device.find('\\') != std::string_view::npos) {
    return "device names may not be paths";
  }
  if (device.size() > kMaxInterfaceName) return "a device name has at most 15 bytes";
  if (device == "." || device == "..") return "not an interface name";
  for (char c : device) {
    if (!name_character(c)) return "device names are plain interface names (letters, digits and .-_:@)";
  }
  return std::nullopt;
}

std::optional<std::string> check_client_filter(const cbpf::Program& program) {
  if (program.empty()) return std::nullopt;
  if (program.size() > kServerMaxFilterInstructions) {
    return "the filter has " + std::to_string(program.size()) + " instructions, at most " +
           std::to_string(kServerMaxFilterInstructions) + " are accepted";
  }
  if (auto problem = runtime::validate_cbpf(program, runtime::ValidationRules::LinuxKernel)) {
    return "invalid filter: " + problem->describe();
  }
  return std::nullopt;
}

}  // namespace bpfc::capture::rpcap
