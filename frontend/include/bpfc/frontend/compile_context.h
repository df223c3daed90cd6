// What a filter is compiled for. libpcap's code generator looks at the
// pcap_t it compiles for, and the same expression compiles to different
// programs for a handle from pcap_open_dead(), for a savefile being read and
// for a live Linux capture.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfc {

enum class CompileContext : uint8_t {
  // pcap_open_dead(): nothing known beyond the link type. DLT_NULL and
  // DLT_LOOP test this host's AF_INET6 (Linux's 10).
  Dead,
  // A savefile in this host's byte order (pcap_open_offline(), not
  // swapped). DLT_NULL and DLT_LOOP test the BSD AF_INET6 values 24, 28 and
  // 30 that the systems writing such captures use, as libpcap's offline code
  // does; for DLT_NULL in both byte orders, the file's first.
  Offline,
  // A savefile in the other byte order (pcap_is_swapped()).
  OfflineSwapped,
  // A live capture on a Linux packet socket: the filter may read the
  // kernel's packet metadata (ir::MetaKind, loaded as SKF_AD_* ancillary
  // data), so `inbound`, `outbound` and `ifindex` work on link types whose
  // header does not record them, and `vlan` on Ethernet also tests a tag the
  // kernel took off the packet, as libpcap's does.
  Linux,
};

inline constexpr std::array<std::string_view, 4> kCompileContextNames = {"dead", "offline", "offline-swapped",
                                                                         "linux"};

inline std::string_view compile_context_name(CompileContext context) {
  return kCompileContextNames[static_cast<size_t>(context)];
}

inline std::optional<CompileContext> compile_context_from_name(std::string_view name) {
  for (size_t i = 0; i < kCompileContextNames.size(); ++i) {
    if (kCompileContextNames[i] == name) return static_cast<CompileContext>(i);
  }
  return std::nullopt;
}

inline bool is_offline(CompileContext context) {
  return context == CompileContext::Offline || context == CompileContext::OfflineSwapped;
}

}  // namespace bpfc
