// A remote capture as a PacketSource: OPEN, the filter compiled for the
// remote link type, STARTCAP with the data channel, then PACKET messages as
// batches; UPDATEFILTER, SETSAMPLING and STATS on the control connection
// while the capture runs; ENDCAP and CLOSE at the end.
#include <sys/socket.h>

#include "bpfc/capture/linktype_map.h"
#include "bpfc/capture/rpcap/client.h"
#include "control_session.h"
#include "data_channel.h"

namespace bpfc::capture::rpcap {
namespace {

class RemoteCaptureImpl final : public RemoteCapture {
 public:
  RemoteCaptureImpl(ControlSession session, DataChannel data, const CaptureOptions& options, uint32_t dlt,
                    uint32_t snaplen, std::string name)
      : session_(std::move(session)), data_(std::move(data)), options_(options), dlt_(dlt), snaplen_(snaplen) {
    InterfaceInfo interface;
    interface.linktype = linktype_from_dlt(dlt);
    interface.snaplen = snaplen;
    interface.name = std::move(name);
    interfaces_.push_back(std::move(interface));
  }
  ~RemoteCaptureImpl() override { (void)close(); }

  bool next(Batch& batch) override {
    batch.clear();
    if (finished_) return false;
    auto status = data_.read(batch.packets, options_.batch_packets, options_.idle_timeout, options_.stop);
    if (!status) {
      error_ = SavefileError{status.error().message, std::nullopt};
      finished_ = true;
      return false;
    }
    if (*status == DataChannel::Status::Packets) return true;
    finished_ = true;
    if (*status == DataChannel::Status::Closed) error_ = SavefileError{"the daemon closed the data connection", std::nullopt};
    return false;
  }
  const std::optional<SavefileError>& error() const override { return error_; }
  const std::vector<SavefileError>& warnings() const override { return warnings_; }
  SavefileFormat format() const override { return SavefileFormat::Pcap; }
  const std::vector<InterfaceInfo>& interfaces() const override { return interfaces_; }
  std::optional<uint64_t> size() const override { return std::nullopt; }
  uint64_t position() const override { return data_.received(); }

  uint32_t dlt() const override { return dlt_; }
  RemoteFilterTarget filter_target() const override {
    return {dlt_, snaplen_, (session_.bpfc_capabilities() & kCapabilityLinuxSocketFilter) != 0};
  }
  uint32_t linktype() const override { return interfaces_[0].linktype; }
  uint32_t snaplen() const override { return snaplen_; }

  std::optional<Diagnostic> update_filter(const cbpf::Program& program) override {
    if (closed_) return bpfc::error("the capture is closed");
    auto reply = session_.request(Message{0, MessageType::UpdateFilterRequest, 0, FilterPayload{kFilterTypeBpf, program}},
                                  MessageType::UpdateFilterReply);
    if (!reply) return reply.error();
    return std::nullopt;
  }

  std::optional<Diagnostic> set_sampling(SamplingMethod method, uint32_t value) override {
    if (closed_) return bpfc::error("the capture is closed");
    auto reply = session_.request(
        Message{0, MessageType::SetSamplingRequest, 0, SamplingPayload{static_cast<uint8_t>(method), value}},
        MessageType::SetSamplingReply);
    if (!reply) return reply.error();
    return std::nullopt;
  }

  Result<RemoteStats> stats() override {
    if (closed_) return bpfc::error("the capture is closed");
    auto reply = session_.request(empty_message(0, MessageType::StatsRequest), MessageType::StatsReply);
    if (!reply) return reply.errors();
    RemoteStats stats;
    stats.daemon = std::get<StatsPayload>(reply->payload);
    stats.packets_received = data_.received();
    stats.packets_lost = data_.lost();
    stats.foreign_datagrams = data_.foreign_datagrams();
    return stats;
  }

  std::optional<Diagnostic> close() override {
    if (closed_) return std::nullopt;
    closed_ = true;
    auto ended = session_.request(empty_message(0, MessageType::EndCaptureRequest), MessageType::EndCaptureReply);
    data_.close();
    auto closing = session_.send(empty_message(0, MessageType::Close));
    if (!ended) return ended.error();
    return closing;
  }

 private:
  ControlSession session_;
  DataChannel data_;
  CaptureOptions options_;
  uint32_t dlt_;
  uint32_t snaplen_;
  std::vector<InterfaceInfo> interfaces_;
  std::optional<SavefileError> error_;
  std::vector<SavefileError> warnings_;
  bool finished_ = false;
  bool closed_ = false;
};

}  // namespace

namespace {

// OPEN, the filter, STARTCAP and the data connection, on an authenticated
// session. `active`: the daemon opened the control connection, and opens
// the TCP data connection too (to a port this client listens on).
Result<std::unique_ptr<RemoteCapture>> start_on(Result<ControlSession> session, const std::string& device,
                                                const std::string& name, bool active, const CaptureOptions& options,
                                                const RemoteFilterCompiler& compiler) {
  if (!session) return session.errors();
  auto opened = session->request(Message{0, MessageType::OpenRequest, 0, OpenRequestPayload{device}},
                                 MessageType::OpenReply);
  if (!opened) return opened.errors();
  int32_t remote_dlt = std::get<OpenReplyPayload>(opened->payload).linktype;
  if (remote_dlt < 0) return bpfc::error("the daemon reported link type " + std::to_string(remote_dlt));
  uint32_t dlt = static_cast<uint32_t>(remote_dlt);

  // No expression: accept everything, as libpcap's client does (and the
  // filter must have an instruction: libpcap's rpcapd refuses none).
  cbpf::Program program{cbpf::stmt(cbpf::RET | cbpf::K, options.snaplen)};
  if (compiler) {
    const bool linux_socket_filter = (session->bpfc_capabilities() & kCapabilityLinuxSocketFilter) != 0;
    auto compiled = compiler(RemoteFilterTarget{dlt, options.snaplen, linux_socket_filter});
    if (!compiled) return compiled.errors();
    program = std::move(*compiled);
  }
  if (program.empty() || program.size() > kMaxFilterInstructions) {
    return bpfc::error("the filter has " + std::to_string(program.size()) + " instructions (1 to " +
                       std::to_string(kMaxFilterInstructions) + " can be sent)");
  }

  auto peer = net::peer_of(session->socket());
  if (!peer) return peer.errors();
  StartCaptureRequestPayload start;
  start.snaplen = options.snaplen;
  start.read_timeout_ms = options.read_timeout_ms;
  start.flags = options.promiscuous ? kStartPromiscuous : 0;
  start.filter = FilterPayload{kFilterTypeBpf, std::move(program)};
  net::Socket udp;
  net::Socket listener;  // active mode over TCP: where the daemon connects
  if (options.udp) {
    auto bound = net::bind_udp_beside(session->socket());
    if (!bound) return bound.errors();
    auto port = net::local_port(*bound);
    if (!port) return port.errors();
    udp = std::move(*bound);
    start.flags |= kStartDatagram;
    start.data_port = *port;
  } else if (active) {
    auto listening = net::listen_tcp_beside(session->socket());
    if (!listening) return bpfc::error("data connection: " + listening.error().message);
    auto port = net::local_port(*listening);
    if (!port) return port.errors();
    listener = std::move(*listening);
    start.flags |= kStartServerOpen;
    start.data_port = *port;
  }
  auto started = session->request(Message{0, MessageType::StartCaptureRequest, 0, std::move(start)},
                                  MessageType::StartCaptureReply);
  if (!started) return started.errors();
  net::Socket data_socket;
  net::Connection data_connection;
  if (options.udp) {
    data_socket = std::move(udp);
  } else if (active) {
    // Only the daemon's address may connect: anyone else is turned away.
    auto accepted =
        net::accept_one(listener, options.connect.control_timeout, options.stop, peer->address_bytes);
    if (!accepted) return bpfc::error("data connection from the daemon: " + accepted.error().message);
    data_socket = std::move(*accepted);
  } else {
    uint16_t port = std::get<StartCaptureReplyPayload>(started->payload).data_port;
    if (port == 0) return bpfc::error("the daemon's STARTCAP reply gives no data port");
    auto connected = net::connect_tcp(peer->host, port, options.connect.control_timeout);
    if (!connected) return bpfc::error("data connection: " + connected.error().message);
    data_socket = std::move(*connected);
  }
  if (!options.udp) {
    auto secured = session->data_connection(std::move(data_socket), options.stop);
    if (!secured) return bpfc::error("data connection: " + secured.error().message);
    data_connection = std::move(*secured);
  }
  DataChannel data = options.udp ? DataChannel(std::move(data_socket), true, session->version(), linktype_from_dlt(dlt),
                                               peer->address_bytes)
                                 : DataChannel(std::move(data_connection), session->version(), linktype_from_dlt(dlt));
  return std::unique_ptr<RemoteCapture>(
      new RemoteCaptureImpl(std::move(*session), std::move(data), options, dlt, options.snaplen, name));
}

// libpcap refuses it too: it has no DTLS.
Diagnostic udp_with_tls() {
  return bpfc::error("UDP data channels have no TLS: rpcaps:// receives the packets over TCP (leave out --udp)");
}

Diagnostic invalid_snaplen(uint32_t snaplen) {
  return bpfc::error("invalid snaplen " + std::to_string(snaplen) + " (1 to " + std::to_string(kMaxSnaplen) + ")");
}

}  // namespace

Result<std::unique_ptr<RemoteCapture>> RemoteCapture::start(const RemoteAddress& address,
                                                            const CaptureOptions& options,
                                                            const RemoteFilterCompiler& compiler) {
  if (address.device.empty()) return bpfc::error("'" + format_rpcap_url(address) + "' names no device to capture on");
  if (options.snaplen == 0 || options.snaplen > kMaxSnaplen) return invalid_snaplen(options.snaplen);
  if (address.tls && options.udp) return udp_with_tls();
  return start_on(ControlSession::open(address, options.connect), address.device, format_rpcap_url(address), false,
                  options, compiler);
}

Result<std::unique_ptr<RemoteCapture>> RemoteCapture::start(DaemonConnection connection, const std::string& device,
                                                            const CaptureOptions& options,
                                                            const RemoteFilterCompiler& compiler) {
  if (device.empty()) return bpfc::error("no device to capture on was given for the daemon at " + connection.peer());
  if (device.find("://") != std::string::npos || device.size() > kMaxDeviceNameBytes) {
    return bpfc::error("'" + device + "': the device must be an interface name");
  }
  if (options.snaplen == 0 || options.snaplen > kMaxSnaplen) return invalid_snaplen(options.snaplen);
  if (connection.tls() && options.udp) return udp_with_tls();
  std::string name = format_rpcap_url(RemoteAddress{connection.host(), connection.port(), device, connection.tls()});
  return start_on(ControlSession::open(std::move(connection), options.connect), device, name, true, options,
                  compiler);
}

}  // namespace bpfc::capture::rpcap
