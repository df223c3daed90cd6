// FINDALLIF: the daemon's interfaces.
#include "bpfc/capture/rpcap/client.h"
#include "control_session.h"

namespace bpfc::capture::rpcap {

namespace {

Result<std::vector<RemoteInterface>> list_on(Result<ControlSession> session) {
  if (!session) return session.errors();
  auto reply = session->request(empty_message(0, MessageType::FindAllInterfacesRequest),
                                MessageType::FindAllInterfacesReply);
  if (!reply) return reply.errors();
  std::vector<RemoteInterface> interfaces = std::get<InterfaceListPayload>(reply->payload).interfaces;
  // A courtesy to the daemon: it ends the session at once instead of at EOF.
  (void)session->send(empty_message(0, MessageType::Close));
  return interfaces;
}

}  // namespace

Result<std::vector<RemoteInterface>> list_remote_interfaces(const RemoteAddress& address,
                                                            const ConnectOptions& options) {
  return list_on(ControlSession::open(address, options));
}

Result<std::vector<RemoteInterface>> list_remote_interfaces(DaemonConnection connection,
                                                            const ConnectOptions& options) {
  return list_on(ControlSession::open(std::move(connection), options));
}

}  // namespace bpfc::capture::rpcap
