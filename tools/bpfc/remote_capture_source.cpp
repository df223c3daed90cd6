#include "remote_capture_source.h"

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <utility>
#include <vector>

#include "bpfc/driver/compile.h"
#include "cli_status.h"
#include "compile_settings.h"
#include "remote_credentials.h"
#include "standard_output.h"

namespace bpfc::cli {
namespace {

namespace rpcap = capture::rpcap;

// PCAP_IF_* flags of a FINDALLIF reply.
constexpr uint32_t kRemoteLoopback = 0x1;
constexpr uint32_t kRemoteUp = 0x2;
constexpr uint32_t kRemoteRunning = 0x4;

// A remote capture as the live source the capture run drives. The filter
// went to the daemon with STARTCAP: set_filter() and accept_all() have
// nothing left to do.
class RemoteLiveSource final : public capture::LiveSource {
 public:
  // The flag the remote capture polls: it must exist before the capture.
  const std::atomic<bool>* stop_flag() const { return &stop_; }
  void attach(std::unique_ptr<rpcap::RemoteCapture> capture) { capture_ = std::move(capture); }

  bool next(capture::Batch& batch) override { return capture_->next(batch); }
  const std::optional<capture::SavefileError>& error() const override { return capture_->error(); }
  const std::vector<capture::SavefileError>& warnings() const override { return capture_->warnings(); }
  capture::SavefileFormat format() const override { return capture_->format(); }
  const std::vector<capture::InterfaceInfo>& interfaces() const override { return capture_->interfaces(); }
  std::optional<uint64_t> size() const override { return std::nullopt; }
  uint64_t position() const override { return capture_->position(); }

  std::optional<capture::LiveError> set_filter(capture::LiveFilter, capture::FilterPlacement& placement) override {
    placement.in_kernel = false;
    return capture::LiveError{capture::LiveError::Kind::System, "the filter of a remote capture is set when it starts"};
  }
  std::optional<capture::LiveError> accept_all() override { return std::nullopt; }
  void request_stop() override { stop_.store(true); }
  uint32_t linktype() const override { return capture_->linktype(); }
  uint32_t dlt() const override { return capture_->dlt(); }
  int ifindex() const override { return 0; }

  // The daemon's counters as tcpdump shows a remote capture's (ps_recv,
  // ps_drop, ps_ifdrop), and the packets it numbered that never came
  // (UDP); the last ones known when the daemon no longer answers.
  capture::LiveStatistics statistics() override {
    if (auto stats = capture_->stats()) {
      last_.received_by_filter = stats->daemon.interface_received;
      last_.dropped_ring_full = stats->daemon.kernel_dropped;
      last_.dropped_by_interface = stats->daemon.interface_dropped;
      last_.lost_in_transit = stats->packets_lost;
    }
    last_.delivered = capture_->position();
    return last_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::unique_ptr<rpcap::RemoteCapture> capture_;
  capture::LiveStatistics last_;
};

std::string address_text(const rpcap::SocketAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.kind == rpcap::SocketAddress::Kind::Inet) {
    inet_ntop(AF_INET, address.address.data(), text, sizeof text);
  } else if (address.kind == rpcap::SocketAddress::Kind::Inet6) {
    inet_ntop(AF_INET6, address.address.data(), text, sizeof text);
  }
  return text;
}

// Waits for the daemon when --rpcap-listen asks for active mode.
std::optional<rpcap::DaemonConnection> wait_for_daemon(const RemoteCaptureOptions& remote) {
  auto connection = rpcap::accept_daemon(*remote.listen, std::nullopt, nullptr, [&] {
    std::fprintf(stderr, "bpfc: waiting for a daemon to connect to %s port %u\n", remote.listen->host.c_str(),
                 remote.listen->port);
    std::fflush(stderr);
  });
  if (!connection) {
    report_failure(connection.error().message);
    return std::nullopt;
  }
  return std::move(*connection);
}

}  // namespace

CompileOptions remote_compile_options(const capture::rpcap::RemoteFilterTarget& target) {
  CompileOptions compile;
  compile.linktype = target.dlt;
  compile.snaplen = target.snaplen;
  if (target.linux_socket_filter) compile.context = CompileContext::Linux;
  return compile;
}

bool names_remote_capture(const std::string& device, const std::string& listen) {
  return !listen.empty() || rpcap::is_rpcap_url(device);
}

RemoteCaptureOptions remote_capture_options(const std::string& device, const std::string& listen,
                                            const std::string& user, bool udp, bool listing,
                                            const RemoteTlsFlags& tls) {
  RemoteCaptureOptions remote;
  remote.udp = udp;
  std::string where;
  if (!listen.empty()) {
    auto parsed = rpcap::parse_listen_address(listen);
    if (!parsed) throw UsageError("--rpcap-listen: " + parsed.error().message);
    if (rpcap::is_rpcap_url(device)) {
      throw UsageError("with --rpcap-listen the daemon connects to bpfc: -i names its device (e.g. -i eth0), "
                       "not an rpcap:// URL");
    }
    if (device.empty() && !listing) throw UsageError("--rpcap-listen needs -i DEVICE, the daemon's interface");
    remote.listen = *parsed;
    remote.device = device;
    remote.tls = remote_tls_options(tls, parsed->tls);
    where = "the daemon that connects to " + listen;
  } else {
    auto parsed = rpcap::parse_rpcap_url(device);
    if (!parsed) throw UsageError(parsed.error().message);
    if (!listing && parsed->device.empty()) {
      throw UsageError("'" + device + "' names no device: rpcap://HOST[:PORT]/DEVICE (-D rpcap://HOST/ lists them)");
    }
    if (listing && !parsed->device.empty()) {
      throw UsageError("-D lists a daemon's interfaces: rpcap://HOST[:PORT]/, without a device");
    }
    remote.address = *parsed;
    remote.device = parsed->device;
    remote.tls = remote_tls_options(tls, parsed->tls);
    where = parsed->host;
  }
  if (udp && ((remote.address && remote.address->tls) || (remote.listen && remote.listen->tls))) {
    throw UsageError("--udp: UDP data channels have no TLS; rpcaps:// receives the packets over TCP");
  }
  remote.credentials = remote_credentials(user, where);
  return remote;
}

std::optional<RemoteSource> open_remote_source(const RemoteCaptureOptions& remote, const RemoteFilterRequest& filter,
                                               uint32_t snaplen, bool promiscuous) {
  auto source = std::make_unique<RemoteLiveSource>();
  rpcap::CaptureOptions options;
  if (remote.credentials) options.connect.credentials = *remote.credentials;
  options.connect.tls = remote.tls;
  options.snaplen = std::min(snaplen, rpcap::kMaxSnaplen);
  options.promiscuous = promiscuous;
  options.udp = remote.udp;
  options.read_timeout_ms = remote.read_timeout_ms;
  options.stop = source->stop_flag();
  const SourceText source_text{filter.expression, filter.expression_file};
  bool compile_failed = false;
  rpcap::RemoteFilterCompiler compiler;
  if (!filter.expression.empty()) {
    compiler = [&](const rpcap::RemoteFilterTarget& target) -> Result<cbpf::Program> {
      CompileOptions compile = remote_compile_options(target);
      compile.opt_level = filter.opt_level;
      auto program = compile_cbpf_with_notes(filter.expression, compile);
      if (!program) {
        compile_failed = true;
        return program.errors();
      }
      report_compile_notes(program->notes, source_text);
      return std::move(program->output);
    };
  }
  Result<std::unique_ptr<rpcap::RemoteCapture>> started = bpfc::error("no capture");
  if (remote.listen) {
    auto connection = wait_for_daemon(remote);
    if (!connection) return std::nullopt;
    started = rpcap::RemoteCapture::start(std::move(*connection), remote.device, options, compiler);
  } else {
    started = rpcap::RemoteCapture::start(*remote.address, options, compiler);
  }
  if (!started) {
    if (compile_failed) {
      report_diagnostics(started.errors(), source_text);
    } else {
      report_failure(started.error().message);
    }
    return std::nullopt;
  }
  RemoteSource opened;
  opened.dlt = (*started)->dlt();
  opened.linktype = (*started)->linktype();
  opened.name = (*started)->interfaces().front().name;
  source->attach(std::move(*started));
  opened.source = std::move(source);
  return opened;
}

int print_remote_interface_listing(const RemoteCaptureOptions& remote) {
  rpcap::ConnectOptions connect;
  connect.credentials = remote.credentials;
  connect.tls = remote.tls;
  Result<std::vector<rpcap::RemoteInterface>> listing = bpfc::error("no listing");
  if (remote.listen) {
    auto connection = wait_for_daemon(remote);
    if (!connection) return kExitFailure;
    listing = rpcap::list_remote_interfaces(std::move(*connection), connect);
  } else {
    listing = rpcap::list_remote_interfaces(*remote.address, connect);
  }
  if (!listing) return report_failure(listing.error().message);
  std::string text;
  int index = 0;
  for (const rpcap::RemoteInterface& item : *listing) {
    std::string name = item.name;
    if (remote.address) {
      rpcap::RemoteAddress address = *remote.address;
      address.device = item.name;
      name = rpcap::format_rpcap_url(address);
    }
    // FINDALLIF tells no link type: that comes with OPEN.
    text += std::to_string(++index) + "." + name;
    if (!item.description.empty()) text += " (" + item.description + ")";
    std::string flags;
    auto add = [&flags](bool on, const char* word) {
      if (!on) return;
      if (!flags.empty()) flags += ", ";
      flags += word;
    };
    add(item.flags & kRemoteUp, "Up");
    add(item.flags & kRemoteRunning, "Running");
    add(item.flags & kRemoteLoopback, "Loopback");
    if (!flags.empty()) text += " [" + flags + "]";
    for (const rpcap::InterfaceAddress& address : item.addresses) {
      std::string shown = address_text(address.address);
      if (!shown.empty()) text += " " + shown;
    }
    text += "\n";
  }
  std::fputs(text.c_str(), stdout);
  return finish_standard_output(kExitOk);
}

}  // namespace bpfc::cli
