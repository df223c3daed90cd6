// libFuzzer target: the RPCAP message decoder on arbitrary bytes, read as a
// stream of messages (what a daemon reads from a client's control
// connection, or a client from a data connection). It must never crash,
// hang, trip the sanitizers or allocate beyond the per-type bounds, and
// every message it decodes must be one it can send: encoding it succeeds,
// is no longer than what came in, and decodes to a message that encodes to
// the same bytes again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "bpfc/capture/rpcap/protocol.h"
#include "report_text.h"

namespace {

namespace rpcap = bpfc::capture::rpcap;

[[noreturn]] void violated(const char* what, std::span<const uint8_t> message) {
  std::fprintf(stderr, "rpcap property violated: %s\n  message: %s\n", what, bpfc::fuzz::hex(message).c_str());
  std::abort();
}

void check_message(const rpcap::Frame& frame, std::span<const uint8_t> bytes) {
  auto decoded = rpcap::decode_message(frame.header, frame.payload);
  if (!decoded) return;  // refused: an error value is the right answer
  auto encoded = rpcap::encode_message(*decoded);
  if (!encoded) violated("a decoded message cannot be encoded", bytes);
  if (encoded->size() > bytes.size()) violated("the encoding is longer than the input", bytes);
  auto frame_again = rpcap::next_frame(*encoded);
  if (!frame_again || !*frame_again || (*frame_again)->size != encoded->size()) {
    violated("an encoded message does not frame as one message", bytes);
  }
  auto again = rpcap::decode_message((*frame_again)->header, (*frame_again)->payload);
  if (!again) violated("an encoded message does not decode", bytes);
  auto encoded_again = rpcap::encode_message(*again);
  if (!encoded_again || *encoded_again != *encoded) violated("decode and encode are not stable", bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> rest(data, size);
  while (!rest.empty()) {
    auto frame = rpcap::next_frame(rest);
    if (!frame || !*frame) break;  // a refused header, or a message cut short
    const rpcap::Frame& f = **frame;
    if (f.size > rest.size() || f.payload.size() != f.header.length) violated("a frame overruns its input", rest);
    check_message(f, rest.first(f.size));
    rest = rest.subspan(f.size);
  }
  return 0;
}
