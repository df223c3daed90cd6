#include "ebpf_func_linker.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "../support/process.h"

namespace bpfc::difftest {
namespace {

// The callers, without headers: an XDP program that hands the frame's
// bounds to the linked filter() and turns its answer into an XDP action,
// and a socket filter that hands it the context.
constexpr const char* kXdpCallerSource = R"(
struct xdp_md {
  unsigned int data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex;
};
extern int filter(const void *data, const void *data_end);
__attribute__((section("xdp"), used)) int caller(struct xdp_md *ctx) {
  const void *data = (const void *)(long)ctx->data;
  const void *data_end = (const void *)(long)ctx->data_end;
  return filter(data, data_end) != 0 ? 2 /* XDP_PASS */ : 1 /* XDP_DROP */;
}
__attribute__((section("license"), used)) char LICENSE[] = "GPL";
)";

constexpr const char* kSocketCallerSource = R"(
struct __sk_buff;
extern int filter(struct __sk_buff *skb);
__attribute__((section("socket"), used)) int caller(struct __sk_buff *skb) {
  return filter(skb) != 0 ? 1 : 0;
}
__attribute__((section("license"), used)) char LICENSE[] = "GPL";
)";

// The verifier's log is kept to its end, where it says why it refused.
constexpr size_t kLogTail = 6000;

std::string errno_text(int negative_errno) { return std::strerror(-negative_errno); }

void write_bytes(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

LinkedFilter::~LinkedFilter() {
  if (object_ != nullptr) bpf_object__close(object_);  // closes the program's fd
}

LinkedFilter::LinkedFilter(LinkedFilter&& other) noexcept
    : socket_(other.socket_),
      object_(std::exchange(other.object_, nullptr)),
      fd_(std::exchange(other.fd_, -1)),
      failure_(std::move(other.failure_)) {}

LinkedFilter& LinkedFilter::operator=(LinkedFilter&& other) noexcept {
  if (this != &other) {
    socket_ = other.socket_;
    if (object_ != nullptr) bpf_object__close(object_);
    object_ = std::exchange(other.object_, nullptr);
    fd_ = std::exchange(other.fd_, -1);
    failure_ = std::move(other.failure_);
  }
  return *this;
}

std::optional<uint32_t> LinkedFilter::run(const uint8_t* bytes, uint32_t caplen) const {
  std::vector<uint8_t> frame;
  if (socket_) frame = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0xb5};  // a local experimental EtherType
  frame.insert(frame.end(), bytes, bytes + caplen);
  // The kernel copies the frame in; it does not write through data_in.
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_size_in = static_cast<__u32>(frame.size()),
              .repeat = 1);
  if (bpf_prog_test_run_opts(fd_, &opts) != 0) return std::nullopt;
  return opts.retval;
}

FuncCaller::FuncCaller(CallerKind kind) : kind_(kind), log_(1 << 20) {
  if (!testsupport::program_available("clang")) {
    unavailable_ = "clang is not installed to compile the func object's caller (clang -target bpf)";
    return;
  }
  const std::filesystem::path source = dir_ / "caller.c";
  std::ofstream(source) << (kind == CallerKind::XdpPacketBounds ? kXdpCallerSource : kSocketCallerSource);
  caller_ = dir_ / "caller.o";
  const auto compiled =
      testsupport::run_process({"clang", "-O2", "-g", "-target", "bpf", "-c", source.string(), "-o", caller_.string()});
  if (compiled.exit_code != 0) unavailable_ = "clang cannot compile the caller for -target bpf:\n" + compiled.err;
}

LinkedFilter FuncCaller::link_and_load(std::span<const uint8_t> func_object) {
  LinkedFilter linked;
  linked.socket_ = kind_ == CallerKind::SocketContext;
  const auto func_path = dir_ / "func.o";
  const auto linked_path = dir_ / "linked.o";
  write_bytes(func_path, func_object);

  bpf_linker* linker = bpf_linker__new(linked_path.c_str(), nullptr);
  if (linker == nullptr) {
    linked.failure_ = "bpf_linker__new: " + std::string(std::strerror(errno));
    return linked;
  }
  int err = bpf_linker__add_file(linker, caller_.c_str(), nullptr);
  if (err == 0) {
    err = bpf_linker__add_file(linker, func_path.c_str(), nullptr);
    if (err != 0) linked.failure_ = "libbpf's linker refused the func object: " + errno_text(err);
  } else {
    linked.failure_ = "libbpf's linker refused the caller: " + errno_text(err);
  }
  if (err == 0) {
    err = bpf_linker__finalize(linker);
    if (err != 0) linked.failure_ = "bpf_linker__finalize: " + errno_text(err);
  }
  bpf_linker__free(linker);
  if (err != 0) return linked;

  linked.object_ = bpf_object__open_file(linked_path.c_str(), nullptr);
  if (linked.object_ == nullptr) {
    linked.failure_ = "bpf_object__open_file on the linked object: " + std::string(std::strerror(errno));
    return linked;
  }
  bpf_program* program = bpf_object__find_program_by_name(linked.object_, "caller");
  if (program == nullptr) {
    linked.failure_ = "the linked object has no program 'caller'";
    return linked;
  }
  // libbpf loads without a log first and, on a refusal, again with the
  // verifier's log in this buffer.
  log_[0] = '\0';
  bpf_program__set_log_buf(program, log_.data(), log_.size());
  err = bpf_object__load(linked.object_);
  if (err != 0) {
    std::string log(log_.data());
    if (log.size() > kLogTail) log = "...\n" + log.substr(log.size() - kLogTail);
    linked.failure_ = "bpf_object__load: " + errno_text(err) + "\nverifier log:\n" + log;
    return linked;
  }
  linked.fd_ = bpf_program__fd(program);
  if (linked.fd_ < 0) linked.failure_ = "the loaded 'caller' has no file descriptor";
  return linked;
}

}  // namespace bpfc::difftest
