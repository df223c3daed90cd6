// `bpfc run --engine=ebpf|kernel` and `bpfc verify --target=ebpf`: the eBPF
// engines give the classic interpreter's values, objects run as their hook
// runs them, and bad objects or programs are clear errors with status 1.
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "bpfc/ebpf/object.h"
#include "bpfc/runtime/ebpf_kernel.h"
#include "cli_helpers.h"
#include "savefile_fixtures.h"

namespace bpfc::clitest {
namespace {

// Ethernet + IPv4 + UDP 1024 -> 53; then the same frame as TCP; then ARP.
const std::vector<std::string> kPackets = {
    "ffffffffffff00112233445508004500001c00000000401100000a0000010a0000020400003500080000",
    "ffffffffffff00112233445508004500002800000000400600000a0000010a000002040000500000000000000000500200000000",
    "ffffffffffff0011223344550806000108000604000100112233445500000000"};

std::vector<std::string> with_packets(std::vector<std::string> args) {
  args.insert(args.end(), kPackets.begin(), kPackets.end());
  return args;
}

bool kernel_available() { return !runtime::bpf_unavailable_reason(); }

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

TEST(EbpfRun, EnginesGiveTheInterpretersValues) {
  std::vector<std::string> engines = {"ebpf"};
  if (kernel_available()) engines.push_back("kernel");
  for (const std::string filter : {"udp port 53", "tcp or arp", "greater 50", "ip[9] = 6 and len > 40"}) {
    auto reference = bpfc(with_packets({"run", "-e", filter}));
    ASSERT_EQ(reference.exit_code, 0) << reference.err;
    EXPECT_EQ(lines_of(reference.out).size(), kPackets.size());
    for (const std::string& engine : engines) {
      auto r = bpfc(with_packets({"run", "--engine=" + engine, "-e", filter}));
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.out, reference.out) << engine << " '" << filter << "'";
    }
  }
  // --wirelen reaches `len` in the eBPF interpreter as in the classic one.
  auto wide = bpfc({"run", "--engine=ebpf", "--wirelen", "1500", "-e", "greater 1000", kPackets[0]});
  EXPECT_EQ(wide.out, "262144\n") << wide.err;
}

TEST(EbpfRun, ObjectsRunAsTheirHookRunsThem) {
  ScratchDir dir;
  const std::string object = dir.file("xdp.o");
  ASSERT_EQ(bpfc({"compile", "--target=ebpf", "--ebpf-hook=xdp", "-o", object, "udp port 53"}).exit_code, 0);
  std::vector<std::string> engines = {"ebpf"};
  if (kernel_available()) engines.push_back("kernel");
  for (const std::string& engine : engines) {
    auto r = bpfc(with_packets({"run", "--engine=" + engine, "-p", object}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "2\n1\n1\n") << engine;  // XDP_PASS, XDP_DROP, XDP_DROP
  }
}

TEST(EbpfVerify, ValidObjectsPassBpfcsRulesAndTheKernels) {
  ScratchDir dir;
  for (const std::string hook : {"socket", "xdp", "tc"}) {
    const std::string object = dir.file(hook + ".o");
    ASSERT_EQ(bpfc({"compile", "--target=ebpf", "--ebpf-hook=" + hook, "-o", object, "tcp port 80"}).exit_code, 0);
    auto r = bpfc({"verify", "--target=ebpf", object});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("valid under bpfc's eBPF rules"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(hook + " program 'filter'"), std::string::npos) << r.out;
    if (!kernel_available()) continue;
    auto k = bpfc({"verify", "--target=ebpf", "--kernel", object});
    EXPECT_EQ(k.exit_code, 0) << k.err;
    EXPECT_NE(k.out.find("the kernel's verifier accepts it"), std::string::npos) << k.out;
  }
}

TEST(EbpfVerify, BadObjectsAndProgramsAreClearErrors) {
  ScratchDir dir;
  const std::string good = dir.file("good.o");
  ASSERT_EQ(bpfc({"compile", "--target=ebpf", "--ebpf-hook=xdp", "-o", good, "tcp"}).exit_code, 0);
  const std::string bytes = read_file(good);
  // Truncated, and not an eBPF object at all.
  write_file(dir.file("truncated.o"), bytes.substr(0, bytes.size() / 2));
  for (const auto& [path, message] : std::vector<std::pair<std::string, std::string>>{
           {dir.file("truncated.o"), "truncated"}, {"/bin/true", "x86-64"}, {dir.file("missing.o"), "No such file"}}) {
    for (const std::vector<std::string>& args : {std::vector<std::string>{"verify", "--target=ebpf", path},
                                                  std::vector<std::string>{"run", "--engine=ebpf", "-p", path, "00"}}) {
      auto r = bpfc(args);
      EXPECT_EQ(r.exit_code, 1) << path << "\n" << r.err;
      EXPECT_TRUE(r.out.empty());
      EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    }
  }
  // A jump out of the program: bpfc's rules name the instruction.
  ebpf::ObjectOptions xdp;
  xdp.hook = ebpf::Hook::Xdp;
  auto jumps_out = ebpf::write_object({ebpf::mov64_imm(ebpf::R0, 2), ebpf::ja(5), ebpf::exit_insn()}, xdp);
  ASSERT_TRUE(jumps_out.ok());
  write_bytes(dir.file("jumps_out.o"), *jumps_out);
  auto r = bpfc({"verify", "--target=ebpf", dir.file("jumps_out.o")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("instruction 1"), std::string::npos) << r.err;
  // A read of the packet without a bounds check: bpfc's structural rules
  // pass it, the kernel's verifier refuses it and says why.
  auto unchecked = ebpf::write_object({ebpf::ldx_mem(ebpf::W, ebpf::R2, ebpf::R1, ebpf::xdp_md::kData),
                                       ebpf::ldx_mem(ebpf::B, ebpf::R0, ebpf::R2, 0), ebpf::exit_insn()},
                                      xdp);
  ASSERT_TRUE(unchecked.ok());
  write_bytes(dir.file("unchecked.o"), *unchecked);
  EXPECT_EQ(bpfc({"verify", "--target=ebpf", dir.file("unchecked.o")}).exit_code, 0);
  if (!kernel_available()) GTEST_SKIP() << "the kernel half needs bpf(): " << *runtime::bpf_unavailable_reason();
  auto k = bpfc({"verify", "--target=ebpf", "--kernel", dir.file("unchecked.o")});
  EXPECT_EQ(k.exit_code, 1);
  EXPECT_NE(k.err.find("the kernel's verifier refuses it"), std::string::npos) << k.err;
  EXPECT_NE(k.err.find("invalid access to packet"), std::string::npos) << k.err;
}

}  // namespace
}  // namespace bpfc::clitest
