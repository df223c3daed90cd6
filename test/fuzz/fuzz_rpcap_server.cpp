// libFuzzer target: the daemon's message handling (ServerSession) on
// arbitrary bytes read as a client's control stream, with a capture backend
// that touches nothing. Every message is judged from its header before its
// payload is taken (as the daemon reads them), and the properties are: no
// crash, hang or sanitizer report; every reply is one well-formed RPCAP
// message of a server's type; after a reply that closes, nothing more is
// read; nothing but AUTH, CLOSE and ERROR gets an answer other than an error
// before authentication.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "bpfc/capture/rpcap/server.h"
#include "report_text.h"

namespace {

namespace rpcap = bpfc::capture::rpcap;

[[noreturn]] void violated(const char* what, std::span<const uint8_t> bytes) {
  std::fprintf(stderr, "rpcap server property violated: %s\n  bytes: %s\n", what, bpfc::fuzz::hex(bytes).c_str());
  std::abort();
}

class FakeBackend : public rpcap::CaptureBackend {
 public:
  bpfc::Result<std::vector<rpcap::RemoteInterface>> list_interfaces() override {
    rpcap::RemoteInterface lo;
    lo.name = "lo";
    lo.flags = 7;
    return std::vector<rpcap::RemoteInterface>{lo};
  }
  bpfc::Result<int32_t> open(const std::string& device) override {
    if (device != "lo" && device != "eth0") return bpfc::error(device + ": no such interface");
    return int32_t{1};
  }
  bpfc::Result<uint16_t> start(const rpcap::StartParameters& parameters) override {
    if (parameters.filter.size() > rpcap::kServerMaxFilterInstructions) std::abort();
    if (parameters.snaplen == 0 || parameters.snaplen > rpcap::kMaxSnaplen) std::abort();
    running_ = true;
    return uint16_t{40000};
  }
  std::optional<std::string> update_filter(const bpfc::cbpf::Program& program) override {
    if (!running_ || program.size() > rpcap::kServerMaxFilterInstructions) std::abort();
    return std::nullopt;
  }
  void set_sampling(rpcap::SamplingPayload) override {}
  rpcap::StatsPayload statistics() override { return {3, 0, 1, 2}; }
  bool capturing() override { return running_; }
  void end_capture() override { running_ = false; }

 private:
  bool running_ = false;
};

class FakeAuthenticator : public rpcap::Authenticator {
 public:
  bool check(const std::string& user, const std::string& password) override {
    return user == "user" && password == "secret";
  }
};

void check_reply(const std::vector<uint8_t>& reply, bool authenticated_before, std::span<const uint8_t> input) {
  auto frame = rpcap::next_frame(reply);
  if (!frame || !*frame || (*frame)->size != reply.size()) violated("a reply is not exactly one message", input);
  const uint8_t type = (*frame)->header.type;
  if (type != static_cast<uint8_t>(rpcap::MessageType::Error) && (type & rpcap::kReplyBit) == 0) {
    violated("a reply of a client's type", input);
  }
  if (!authenticated_before && type != static_cast<uint8_t>(rpcap::MessageType::Error) &&
      type != static_cast<uint8_t>(rpcap::MessageType::AuthReply)) {
    violated("an answer other than an error before authentication", input);
  }
  if (!rpcap::decode_message((*frame)->header, (*frame)->payload)) violated("a reply does not decode", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  // The first byte picks the policy: NULL authentication allowed or not.
  if (input.empty()) return 0;
  FakeBackend backend;
  FakeAuthenticator authenticator;
  rpcap::SessionPolicy policy;
  policy.allow_null_auth = (input[0] & 1) != 0;
  policy.authenticator = &authenticator;
  policy.auth_failure_delay = std::chrono::milliseconds(0);
  rpcap::ServerSession session(policy, backend);
  std::span<const uint8_t> rest = input.subspan(1);
  while (rest.size() >= rpcap::kHeaderSize) {
    const rpcap::Header header = rpcap::decode_header(rest.first<rpcap::kHeaderSize>());
    rest = rest.subspan(rpcap::kHeaderSize);
    if (auto refused = session.check(header)) {
      check_reply(refused->reply, session.authenticated(), input);
      if (!refused->close) violated("a refused header does not close the connection", input);
      break;
    }
    if (header.length > rpcap::ServerSession::payload_limit(header.type)) violated("an accepted length over the limit", input);
    if (rest.size() < header.length) break;  // the client stopped mid-message
    const bool authenticated_before = session.authenticated();
    rpcap::ServerSession::Outcome outcome = session.handle(header, rest.first(header.length));
    rest = rest.subspan(header.length);
    if (!outcome.reply.empty()) check_reply(outcome.reply, authenticated_before, input);
    if (outcome.close) break;
  }
  return 0;
}
