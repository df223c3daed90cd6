// bpfc capture on a remote device: -i rpcap://HOST[:PORT]/DEVICE from a
// daemon that listens (passive mode), or -i DEVICE of a daemon that connects
// to --rpcap-listen HOST:PORT (active mode, libpcap's rpcapd -a). The remote
// capture is driven as a LiveSource, so that writing, printing, -c,
// rotation and the statistics are the local capture's. The expression is
// compiled for the link type the daemon's OPEN reply gives and runs in the
// daemon.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bpfc/capture/live.h"
#include "bpfc/capture/rpcap/client.h"
#include "bpfc/driver/compile.h"
#include "remote_tls_options.h"

namespace bpfc::cli {

struct RemoteCaptureOptions {
  std::optional<capture::rpcap::RemoteAddress> address;  // passive: the daemon listens
  std::optional<capture::rpcap::ListenAddress> listen;   // active: --rpcap-listen
  std::string device;                                    // the daemon's interface
  std::optional<capture::rpcap::Credentials> credentials;  // --auth
  bool udp = false;                                      // --udp: the UDP data channel
  capture::rpcap::TlsClientOptions tls;                  // rpcaps://: --ca, --pin, ...
  // The daemon's read timeout (--block-timeout): how long its capture may
  // hold packets before it sends them. libpcap's rpcapd on Linux makes it
  // its ring's block timeout. tcpdump's 1000 ms makes a remote capture lag;
  // 100 ms keeps it interactive without waking the daemon all the time.
  uint32_t read_timeout_ms = 100;
};

// How a filter for a remote capture is compiled: for the remote link type
// and snaplen; in the Linux live context when the daemon runs filters as
// Linux socket filters (bpfc-rpcapd says so), so that inbound, outbound,
// ifindex and VLAN tags the kernel took off work remotely as they do
// locally; in libpcap's generic context otherwise (libpcap's daemon).
CompileOptions remote_compile_options(const capture::rpcap::RemoteFilterTarget& target);

// Whether -i DEVICE (or -D's argument) and --rpcap-listen ask for a remote
// capture: an rpcap:// or rpcaps:// device, or any --rpcap-listen.
bool names_remote_capture(const std::string& device, const std::string& listen);

// The remote capture -i/--rpcap-listen/--auth/--udp and the TLS flags
// describe; `listing`: for -D, where the URL names no device. Throws
// UsageError for malformed values; asks for the password (--auth) here,
// before anything is sent.
RemoteCaptureOptions remote_capture_options(const std::string& device, const std::string& listen,
                                            const std::string& user, bool udp, bool listing,
                                            const RemoteTlsFlags& tls);

struct RemoteSource {
  std::unique_ptr<capture::LiveSource> source;
  uint32_t dlt = 0;       // the remote device's DLT_
  uint32_t linktype = 0;  // its LINKTYPE_ (savefiles)
  std::string name;       // rpcap://HOST:PORT/DEVICE
};

// What the filter of a remote capture is made of.
struct RemoteFilterRequest {
  std::string expression;  // empty: every packet
  std::optional<std::string> expression_file;  // -F, for diagnostics
  int opt_level = 2;
};

// Connects (or waits for the daemon), authenticates, opens the device,
// compiles the expression for its link type as libpcap's client does (the
// context of pcap_compile() on a handle that is not a local live one) and
// starts the capture. Reports failures on stderr and returns nullopt.
std::optional<RemoteSource> open_remote_source(const RemoteCaptureOptions& remote, const RemoteFilterRequest& filter,
                                               uint32_t snaplen, bool promiscuous);

// bpfc capture -D rpcap://HOST[:PORT]/ (or -D --rpcap-listen HOST:PORT): the
// daemon's interfaces as -D lists local ones, each named by the URL that
// -i takes. Returns the exit status.
int print_remote_interface_listing(const RemoteCaptureOptions& remote);

}  // namespace bpfc::cli
