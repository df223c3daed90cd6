// The objects as their users meet them: libbpf opens them and finds each
// program with its type, the kernel's verifier loads them, `bpftool prog
// load` pins them, and `bpftool gen object` links the func object into a
// caller that clang compiled, which the kernel loads and runs.
#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstring>
#include <linux/bpf.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "bpfc/ebpf/object.h"
#include "sample_programs.h"

namespace bpfc::ebpf {
namespace {

using test::program_for;

constexpr Hook kProgramHooks[] = {Hook::Socket, Hook::Xdp, Hook::Tc};

int quiet_libbpf(enum libbpf_print_level, const char*, va_list) { return 0; }

std::filesystem::path write_object_file(const test::ScratchDir& dir, Hook hook) {
  ObjectOptions options;
  options.hook = hook;
  auto bytes = write_object(program_for(hook), options);
  if (!bytes.ok()) throw std::runtime_error(bytes.error().message);
  const auto path = dir / (std::string(name(hook)) + ".o");
  test::write_file(path, *bytes);
  return path;
}

// Why this process cannot load programs, or "" when it can: loads the
// smallest socket filter through bpf().
std::string bpf_unavailable() {
  const struct bpf_insn insns[] = {{0xb7, 0, 0, 0, 0}, {0x95, 0, 0, 0, 0}};
  const int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", insns, 2, nullptr);
  if (fd >= 0) {
    close(fd);
    return "";
  }
  return std::string("the bpf() syscall cannot load programs here: ") + strerror(errno);
}

struct ObjectCloser {
  void operator()(bpf_object* object) const { bpf_object__close(object); }
};
using ObjectPtr = std::unique_ptr<bpf_object, ObjectCloser>;

ObjectPtr open_object(const std::filesystem::path& path) {
  return ObjectPtr(bpf_object__open_file(path.c_str(), nullptr));
}

TEST(EbpfObjectLibbpf, OpensEachHooksProgramWithItsType) {
  libbpf_set_print(quiet_libbpf);
  test::ScratchDir dir;
  const bpf_prog_type types[] = {BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SCHED_CLS};
  for (size_t i = 0; i < std::size(kProgramHooks); ++i) {
    const Hook hook = kProgramHooks[i];
    SCOPED_TRACE(std::string(name(hook)));
    ObjectPtr object = open_object(write_object_file(dir, hook));
    ASSERT_TRUE(object) << "bpf_object__open_file: " << strerror(errno);
    bpf_program* program = bpf_object__find_program_by_name(object.get(), "filter");
    ASSERT_NE(program, nullptr);
    EXPECT_EQ(bpf_program__type(program), types[i]);
    EXPECT_EQ(bpf_program__type(program), program_type(hook));
    EXPECT_STREQ(bpf_program__section_name(program), std::string(section_name(hook)).c_str());
    ASSERT_EQ(bpf_program__insn_cnt(program), program_for(hook).size());
    const bpf_insn* insns = bpf_program__insns(program);
    const std::vector<uint8_t> expected = encode(program_for(hook));
    EXPECT_EQ(std::memcmp(insns, expected.data(), expected.size()), 0);
  }
}

TEST(EbpfObjectLibbpf, OpensTheFuncObjectWithAGlobalFunctionInBtf) {
  libbpf_set_print(quiet_libbpf);
  test::ScratchDir dir;
  ObjectPtr object = open_object(write_object_file(dir, Hook::Func));
  ASSERT_TRUE(object) << "bpf_object__open_file: " << strerror(errno);
  const btf* types = bpf_object__btf(object.get());
  ASSERT_NE(types, nullptr);
  const int id = btf__find_by_name_kind(types, "filter", BTF_KIND_FUNC);
  ASSERT_GT(id, 0);
  const btf_type* func = btf__type_by_id(types, id);
  EXPECT_EQ(btf_vlen(func), BTF_FUNC_GLOBAL);
  const btf_type* proto = btf__type_by_id(types, func->type);
  ASSERT_EQ(btf_vlen(proto), 2u);
  EXPECT_STREQ(btf__name_by_offset(types, btf_params(proto)[1].name_off), "data_end");
}

TEST(EbpfObjectLibbpf, KernelLoadsEachHooksObject) {
  libbpf_set_print(quiet_libbpf);
  if (const std::string why = bpf_unavailable(); !why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  for (Hook hook : kProgramHooks) {
    SCOPED_TRACE(std::string(name(hook)));
    ObjectPtr object = open_object(write_object_file(dir, hook));
    ASSERT_TRUE(object);
    ASSERT_EQ(bpf_object__load(object.get()), 0) << strerror(errno);
    bpf_program* program = bpf_object__find_program_by_name(object.get(), "filter");
    ASSERT_NE(program, nullptr);
    bpf_prog_info info{};
    uint32_t length = sizeof info;
    ASSERT_EQ(bpf_obj_get_info_by_fd(bpf_program__fd(program), &info, &length), 0);
    EXPECT_EQ(info.type, program_type(hook));
    EXPECT_STREQ(info.name, "filter");
    EXPECT_NE(info.btf_id, 0u) << "the kernel took the object's BTF";
  }
}

// Runs `commands` in a mount namespace of its own with a fresh bpffs on
// /sys/fs/bpf: pins never reach the machine's bpffs, and go with the namespace.
test::CommandResult in_private_bpffs(const std::string& commands) {
  return test::run_command("unshare --mount --propagation private sh -c 'mount -t bpf bpf /sys/fs/bpf && " + commands +
                           "'");
}

std::string skip_reason_for_bpftool() {
  if (!test::have_tool("bpftool")) return "bpftool is not installed";
  if (!test::have_tool("unshare")) return "unshare is not installed";
  if (std::string why = bpf_unavailable(); !why.empty()) return why;
  const auto probe = in_private_bpffs("true");
  if (probe.status != 0) return "cannot mount a private bpffs: " + probe.output;
  return "";
}

TEST(EbpfObjectLibbpf, BpftoolLoadsAndPinsEachHooksObject) {
  if (const std::string why = skip_reason_for_bpftool(); !why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  const char* types[] = {"socket_filter", "xdp", "sched_cls"};
  for (size_t i = 0; i < std::size(kProgramHooks); ++i) {
    const Hook hook = kProgramHooks[i];
    SCOPED_TRACE(std::string(name(hook)));
    const auto path = write_object_file(dir, hook);
    const std::string pin = "/sys/fs/bpf/bpfc_" + std::string(name(hook));
    const auto r = in_private_bpffs("bpftool prog load " + path.string() + " " + pin + " && bpftool -j prog show pinned " +
                                    pin + " && rm " + pin);
    ASSERT_EQ(r.status, 0) << r.output;
    // The kernel kept the BTF: bpftool names the function from its FUNC type
    // and shows the line_info text above the code.
    const auto dump = in_private_bpffs("bpftool prog load " + path.string() + " " + pin +
                                       " && bpftool prog dump xlated pinned " + pin + " && rm " + pin);
    ASSERT_EQ(dump.status, 0) << dump.output;
    const std::string context = hook == Hook::Xdp ? "xdp_md" : "__sk_buff";
    const std::string argument = hook == Hook::Xdp ? "ctx" : "skb";
    EXPECT_EQ(dump.output.rfind("int filter(struct " + context + " * " + argument + "):\n; int filter(struct " + context +
                                    " *" + argument + ")\n   0: ",
                                0),
              0u)
        << dump.output;
    // Nothing but the JSON line: libbpf and bpftool had nothing to warn about.
    const auto json = nlohmann::json::parse(r.output, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << r.output;
    EXPECT_EQ(json["type"], types[i]);
    EXPECT_EQ(json["name"], "filter");
  }
}

// A caller in C, without headers: an XDP program passing the frame's bounds
// to the func object's filter(), declared as function_prototype() says.
constexpr const char* kCaller = R"(
struct xdp_md { unsigned int data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex; };
__attribute__((section("xdp"), used)) int caller(struct xdp_md *ctx) {
  return filter((const void *)(long)ctx->data, (const void *)(long)ctx->data_end) ? 2 /* XDP_PASS */ : 1 /* XDP_DROP */;
}
__attribute__((section("license"), used)) char LICENSE[] = "GPL";
)";

TEST(EbpfObjectLibbpf, BpftoolLinksTheFuncObjectIntoACaller) {
  libbpf_set_print(quiet_libbpf);
  if (!test::have_tool("bpftool")) GTEST_SKIP() << "bpftool is not installed";
  if (!test::have_tool("clang")) GTEST_SKIP() << "clang is not installed to compile the caller";
  test::ScratchDir dir;
  const auto func = write_object_file(dir, Hook::Func);
  test::write_text(dir / "caller.c", "extern " + function_prototype(Hook::Func, "filter") + ";\n" + kCaller);
  const auto compiled = test::run_command("clang -O2 -g -target bpf -c " + test::quote(dir / "caller.c") + " -o " +
                                          test::quote(dir / "caller.o"));
  ASSERT_EQ(compiled.status, 0) << compiled.output;
  const auto linked = test::run_command("bpftool gen object " + test::quote(dir / "linked.o") + " " +
                                        test::quote(dir / "caller.o") + " " + test::quote(func));
  ASSERT_EQ(linked.status, 0) << linked.output;

  // bpfc's reader reads what clang and libbpf's linker wrote: the caller
  // with the relocation of its call, and both functions after linking.
  const auto read = [&](const std::string& file) {
    std::ifstream in(dir / file, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return read_object(bytes);
  };
  const auto caller = read("caller.o");
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  ASSERT_EQ(caller->functions.size(), 1u);
  EXPECT_EQ(caller->functions[0].section, "xdp");
  EXPECT_EQ(caller->functions[0].name, "caller");
  EXPECT_TRUE(caller->functions[0].has_relocations);
  EXPECT_EQ(caller->license, "GPL");
  const auto both = read("linked.o");
  ASSERT_TRUE(both.ok()) << both.error().message;
  ASSERT_EQ(both->functions.size(), 2u);
  const auto& linked_filter = both->functions[0].name == "filter" ? both->functions[0] : both->functions[1];
  EXPECT_EQ(linked_filter.name, "filter");
  EXPECT_EQ(linked_filter.section, ".text");
  EXPECT_EQ(linked_filter.program, program_for(Hook::Func));

  ObjectPtr object = open_object(dir / "linked.o");
  ASSERT_TRUE(object) << strerror(errno);
  bpf_program* program = bpf_object__find_program_by_name(object.get(), "caller");
  ASSERT_NE(program, nullptr);
  EXPECT_EQ(bpf_program__type(program), BPF_PROG_TYPE_XDP);
  if (const std::string why = bpf_unavailable(); !why.empty()) GTEST_SKIP() << why;
  ASSERT_EQ(bpf_object__load(object.get()), 0) << strerror(errno);

  // The linked filter decides: IPv4 passes, ARP and a runt frame drop.
  auto verdict = [&](std::vector<uint8_t> frame) {
    LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame.data(), .data_size_in = static_cast<uint32_t>(frame.size()),
                .repeat = 1);
    EXPECT_EQ(bpf_prog_test_run_opts(bpf_program__fd(program), &run), 0) << strerror(errno);
    return run.retval;
  };
  std::vector<uint8_t> ipv4(60, 0);
  ipv4[12] = 0x08;
  std::vector<uint8_t> arp = ipv4;
  arp[13] = 0x06;
  EXPECT_EQ(verdict(ipv4), static_cast<uint32_t>(kXdpPass));
  EXPECT_EQ(verdict(arp), static_cast<uint32_t>(kXdpDrop));
}

}  // namespace
}  // namespace bpfc::ebpf
