// `bpfc compile --target=ebpf`: the listing, -dd and JSON say the same
// program; -o FILE.o writes an object bpftool loads for each hook; options
// that do not fit the target or the hook are clear errors.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_helpers.h"
#include "savefile_fixtures.h"

namespace bpfc::clitest {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

TEST(EbpfCompile, ListingCArrayAndJsonDescribeOneProgram) {
  const std::string filter = "tcp port 80 and not net 10.0.0.0/8";
  for (const std::string hook : {"socket", "xdp", "tc", "func"}) {
    auto listing = bpfc({"compile", "--target=ebpf", "--ebpf-hook=" + hook, filter});
    auto array = bpfc({"compile", "--target=ebpf", "--ebpf-hook=" + hook, "-dd", filter});
    auto json = bpfc({"compile", "--target=ebpf", "--ebpf-hook=" + hook, "--format=json", filter});
    ASSERT_EQ(listing.exit_code, 0) << listing.err;
    ASSERT_EQ(array.exit_code, 0) << array.err;
    ASSERT_EQ(json.exit_code, 0) << json.err;
    const size_t instructions = lines_of(listing.out).size();  // no 64-bit immediates here
    EXPECT_GT(instructions, 10u) << hook;
    EXPECT_EQ(count(array.out, ".code = "), instructions) << hook;
    const auto parsed = nlohmann::json::parse(json.out);
    EXPECT_EQ(parsed["length"], instructions) << hook;
    EXPECT_EQ(parsed["hook"], hook);
    EXPECT_NE(listing.out.find("exit"), std::string::npos);
  }
  // Socket filters that read three fields or more copy the packet's first
  // bytes to the stack and read them there (with legacy loads, a call
  // each, without the window or for fewer fields); XDP reads the packet
  // directly.
  const std::string windowed = bpfc({"compile", "--target=ebpf", "tcp port 80"}).out;
  EXPECT_NE(windowed.find("call bpf_skb_load_bytes#26"), std::string::npos) << windowed;
  EXPECT_NE(windowed.find("*(u16 *)(r10 -"), std::string::npos) << windowed;
  EXPECT_EQ(windowed.find("skb["), std::string::npos) << windowed;
  const std::string legacy = bpfc({"compile", "--target=ebpf", "--ebpf-window=off", "tcp port 80"}).out;
  EXPECT_NE(legacy.find("skb[12]"), std::string::npos) << legacy;
  EXPECT_EQ(legacy.find("call"), std::string::npos) << legacy;
  const std::string shallow = bpfc({"compile", "--target=ebpf", "tcp"}).out;
  EXPECT_NE(shallow.find("skb[12]"), std::string::npos) << shallow;
  EXPECT_EQ(shallow.find("call"), std::string::npos) << shallow;
  // Unprivileged loaders may not read the stack at a run-time offset: the
  // ports behind an IPv4 header of any length stay legacy loads.
  const std::string unprivileged = bpfc({"compile", "--target=ebpf", "--ebpf-loader=unprivileged", "tcp port 80"}).out;
  EXPECT_NE(unprivileged.find("skb[r"), std::string::npos) << unprivileged;
  const std::string privileged = bpfc({"compile", "--target=ebpf", "tcp port 80"}).out;
  EXPECT_EQ(privileged.find("skb[r"), std::string::npos) << privileged;
  EXPECT_NE(bpfc({"compile", "--target=ebpf", "--ebpf-hook=xdp", "tcp"}).out.find("(r6 +12)"), std::string::npos);
}

TEST(EbpfCompile, ObjectsLoadWithBpftool) {
  if (geteuid() != 0) GTEST_SKIP() << "loading programs needs root";
  if (!testsupport::program_available("bpftool") || !testsupport::program_available("unshare")) {
    GTEST_SKIP() << "bpftool or unshare is not installed";
  }
  ScratchDir dir;
  for (const std::string hook : {"socket", "xdp", "tc"}) {
    const std::string object = dir.file(hook + ".o");
    auto compiled = bpfc({"compile", "--target=ebpf", "--ebpf-hook=" + hook, "-o", object,
                          "vlan and ip6 and tcp or udp port 53 or ip6 protochain 17"});
    ASSERT_EQ(compiled.exit_code, 0) << compiled.err;
    EXPECT_TRUE(compiled.out.empty());
    // A bpffs of its own, in a mount namespace of its own: nothing stays pinned.
    auto loaded = testsupport::run_process(
        {"unshare", "--mount", "--propagation", "private", "sh", "-c",
         "mount -t bpf bpf /sys/fs/bpf && bpftool prog load \"$1\" /sys/fs/bpf/filter && bpftool prog show pinned "
         "/sys/fs/bpf/filter",
         "sh", object});
    if (loaded.exit_code != 0 && loaded.err.find("mount") != std::string::npos) {
      GTEST_SKIP() << "cannot mount a private bpffs: " << loaded.err;
    }
    ASSERT_EQ(loaded.exit_code, 0) << hook << ": " << loaded.err;
    EXPECT_NE(loaded.out.find(hook == "socket" ? "socket_filter" : hook == "tc" ? "sched_cls" : "xdp"),
              std::string::npos)
        << loaded.out;
  }
}

// The func hook as its users take it: the header in their C program, built
// with clang -target bpf, linked with the object by bpftool, loaded, run.
// A func object as its users take it: `udp port 53` compiled for the func
// hook (with `access` options), its header, a caller including it built by
// clang, the two linked by `bpftool gen object`, loaded into a private bpffs
// and run with `bpftool prog run` on a DNS frame, then a web frame.
struct LinkedRun {
  std::string skip;     // why this machine cannot run it
  std::string failure;  // what went wrong
  std::string header;
  std::string output;   // bpftool's, for the DNS frame then the web one
};

LinkedRun link_and_run_func(const std::vector<std::string>& access, const std::string& caller_source) {
  LinkedRun result;
  if (geteuid() != 0) return result.skip = "loading programs needs root", result;
  for (const char* tool : {"bpftool", "unshare", "clang"}) {
    if (!testsupport::program_available(tool)) return result.skip = std::string(tool) + " is not installed", result;
  }
  ScratchDir dir;
  std::vector<std::string> header_args = {"compile", "--target=ebpf", "--ebpf-hook=func"};
  header_args.insert(header_args.end(), access.begin(), access.end());
  std::vector<std::string> object_args = header_args;
  header_args.insert(header_args.end(), {"--format=header", "udp port 53"});
  object_args.insert(object_args.end(), {"-o", dir.file("filter.o"), "udp port 53"});
  auto header = bpfc(header_args);
  auto object = bpfc(object_args);
  if (header.exit_code != 0 || object.exit_code != 0) return result.failure = header.err + object.err, result;
  result.header = header.out;
  write_file(dir.file("filter.h"), header.out);
  write_file(dir.file("caller.c"), caller_source);
  auto built = testsupport::run_process({"clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                                         "-c", dir.file("caller.c"), "-o", dir.file("caller.o")});
  if (built.exit_code != 0) return result.failure = built.err, result;
  // UDP to port 53, then TCP to port 80.
  write_file(dir.file("dns.bin"), std::string("\xff\xff\xff\xff\xff\xff\x00\x11\x22\x33\x44\x55\x08\x00"
                                              "\x45\x00\x00\x1c\x00\x00\x00\x00\x40\x11\x00\x00\x0a\x00\x00\x01"
                                              "\x0a\x00\x00\x02\x04\x00\x00\x35\x00\x08\x00\x00", 42));
  write_file(dir.file("web.bin"), std::string("\xff\xff\xff\xff\xff\xff\x00\x11\x22\x33\x44\x55\x08\x00"
                                              "\x45\x00\x00\x1c\x00\x00\x00\x00\x40\x06\x00\x00\x0a\x00\x00\x01"
                                              "\x0a\x00\x00\x02\x04\x00\x00\x50\x00\x08\x00\x00", 42));
  auto run = testsupport::run_process(
      {"unshare", "--mount", "--propagation", "private", "sh", "-c",
       "cd \"$1\" && bpftool gen object linked.o caller.o filter.o && mount -t bpf bpf /sys/fs/bpf && "
       "bpftool prog load linked.o /sys/fs/bpf/caller && bpftool prog run pinned /sys/fs/bpf/caller data_in dns.bin "
       "&& bpftool prog run pinned /sys/fs/bpf/caller data_in web.bin",
       "sh", dir.path()});
  if (run.exit_code != 0 && run.err.find("mount") != std::string::npos) {
    return result.skip = "cannot mount a private bpffs: " + run.err, result;
  }
  if (run.exit_code != 0) return result.failure = run.err, result;
  result.output = run.out;
  return result;
}

// bpftool's return value for the DNS frame comes before the web frame's.
void expect_returns_in_order(const std::string& output, int dns, int web) {
  const size_t first = output.find("Return value: " + std::to_string(dns));
  const size_t second = output.find("Return value: " + std::to_string(web));
  EXPECT_NE(first, std::string::npos) << output;
  EXPECT_NE(second, std::string::npos) << output;
  EXPECT_LT(first, second) << output;
}

TEST(EbpfCompile, FuncHeaderAndObjectLinkIntoACaller) {
  const LinkedRun run = link_and_run_func({}, "#include <linux/bpf.h>\n"
                                              "#include \"filter.h\"\n"
                                              "__attribute__((section(\"xdp\"), used)) int caller(struct xdp_md *ctx) {\n"
                                              "  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;\n"
                                              "  return filter(data, data_end) ? XDP_PASS : XDP_DROP;\n"
                                              "}\n"
                                              "char _license[] __attribute__((section(\"license\"), used)) = \"GPL\";\n");
  if (!run.skip.empty()) GTEST_SKIP() << run.skip;
  ASSERT_TRUE(run.failure.empty()) << run.failure;
  expect_returns_in_order(run.output, 2, 1);  // XDP_PASS for the DNS packet, XDP_DROP for the web one
}

// --packet-access=skb: filter(struct __sk_buff *skb), declared by the
// header and called from a tc program with its context.
TEST(EbpfCompile, FuncWithSkbAccessLinksIntoATcCaller) {
  const LinkedRun run = link_and_run_func({"--packet-access=skb"},
                                          "#include <linux/bpf.h>\n"
                                          "#include <linux/pkt_cls.h>\n"
                                          "#include \"filter.h\"\n"
                                          "__attribute__((section(\"tc\"), used)) int caller(struct __sk_buff *skb) {\n"
                                          "  return filter(skb) ? TC_ACT_OK : TC_ACT_SHOT;\n"
                                          "}\n"
                                          "char _license[] __attribute__((section(\"license\"), used)) = \"GPL\";\n");
  if (!run.skip.empty()) GTEST_SKIP() << run.skip;
  ASSERT_TRUE(run.failure.empty()) << run.failure;
  EXPECT_NE(run.header.find("int filter(struct __sk_buff *skb);"), std::string::npos) << run.header;
  expect_returns_in_order(run.output, 0, 2);  // TC_ACT_OK for the DNS packet, TC_ACT_SHOT for the web one
}

TEST(EbpfCompile, OptionsThatDoNotFitAreClearErrors) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"compile", "--ebpf-hook=xdp", "tcp"}, 2, "bpfc: --ebpf-hook does not apply to --target=cbpf"},
      {{"compile", "--target=ebpf", "--ebpf-hook=kprobe", "tcp"}, 2, "target ebpf takes ebpf-hook socket, xdp, tc, func"},
      {{"compile", "--target=ebpf", "--ebpf-accept=pass", "tcp"}, 1,
       "bpfc: --ebpf-accept applies to the xdp and tc hooks"},
      {{"compile", "--target=ebpf", "--ebpf-hook=tc", "--ebpf-reject=drop", "tcp"}, 1,
       "bpfc: --ebpf-reject=drop is not a tc action (ok or shot)"},
      {{"compile", "--target=ebpf", "--packet-access=direct", "tcp"}, 1,
       "bpfc: the socket hook cannot read packets with --packet-access=direct (it reads them with legacy or skb "
       "access)"},
      {{"compile", "--target=ebpf", "--ebpf-hook=xdp", "--packet-access=probe", "tcp"}, 1,
       "bpfc: the xdp hook cannot read packets with --packet-access=probe (it reads them with direct access)"},
      {{"compile", "--target=ebpf", "--ebpf-hook=func", "--packet-access=probe", "--context=linux", "inbound"}, 1,
       "bpfc: the func hook with probe packet access has no kernel packet metadata"},
      {{"compile", "--target=ebpf", "--ebpf-hook=xdp", "--context=linux", "inbound"}, 1,
       "bpfc: the xdp hook with direct packet access has no kernel packet metadata"},
      {{"compile", "--target=ebpf", "-ddd", "tcp"}, 2, "target ebpf takes listing d, dd, not 'ddd'"},
      {{"compile", "--target=ebpf", "--format=header", "tcp"}, 1,
       "bpfc: --format=header declares the func hook's function; add --ebpf-hook=func"},
  };
  for (const Case& c : cases) {
    auto r = bpfc(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
}

TEST(EbpfCompile, XdpActionsFollowTheOptions) {
  auto normal = bpfc({"compile", "--target=ebpf", "--ebpf-hook=xdp", "udp"});
  auto inverted = bpfc({"compile", "--target=ebpf", "--ebpf-hook=xdp", "--ebpf-accept=drop", "--ebpf-reject=pass", "udp"});
  ASSERT_EQ(normal.exit_code, 0) << normal.err;
  ASSERT_EQ(inverted.exit_code, 0) << inverted.err;
  // XDP_PASS is 2, XDP_DROP 1: the two programs swap them.
  EXPECT_EQ(count(normal.out, "w0 = 2\n"), count(inverted.out, "w0 = 1\n"));
  EXPECT_EQ(count(normal.out, "w0 = 1\n"), count(inverted.out, "w0 = 2\n"));
  EXPECT_GT(count(normal.out, "w0 = 2\n"), 0u);
}

TEST(EbpfCompile, XdpFiltersOnVlanTagsNameTheEthtoolSetting) {
  for (const std::string filter : {"vlan 10", "vlan and ip6 and tcp", "ether proto 0x8100"}) {
    auto r = bpfc({"compile", "--target=ebpf", "--ebpf-hook=xdp", filter});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("ethtool -K DEV rxvlan off"), std::string::npos) << filter << ": " << r.err;
  }
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--ebpf-hook=xdp", "tcp port 80"},
                                              std::vector<std::string>{"--ebpf-hook=socket", "vlan 10"}}) {
    std::vector<std::string> command = {"compile", "--target=ebpf"};
    command.insert(command.end(), args.begin(), args.end());
    auto r = bpfc(command);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
}

TEST(EbpfCompile, ProtochainIsABoundedLoopWithItsWarning) {
  auto r = bpfc({"compile", "--target=ebpf", "--ebpf-hook=xdp", "ip6 protochain 6"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(lines_of(r.out).size(), 150u) << "a loop, not 64 unrolled steps";
  EXPECT_NE(r.out.find("goto pc-"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("protochain follows at most 64 IPv6 extension headers"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace bpfc::clitest
