#include "hand_built_cbpf.h"

namespace bpfc::bench {
namespace {

namespace c = bpfc::cbpf;

constexpr uint32_t kIpv4Protocol = 23;  // byte offset in an untagged Ethernet frame
constexpr uint32_t kUdp = 17;

c::Insn ret(uint32_t k) { return c::stmt(c::RET | c::K, k); }

// UDP over IPv4 accepts at once; other frames go on to a load of
// ldxb 4*([k]&0xf) and are accepted only if it succeeds.
c::Program udp_or_header_length_at(uint32_t k) {
  return {
      c::stmt(c::LD | c::B | c::ABS, kIpv4Protocol),
      c::jump(c::JMP | c::JEQ | c::K, kUdp, 0, 1),
      ret(1),
      c::stmt(c::LDX | c::B | c::MSH, k),
      ret(1),
  };
}

}  // namespace

std::vector<HandBuiltProgram> hand_built_cbpf_programs() {
  return {
      {"ret_a", "ldb [23]; and #1; ret a (odd IPv4 protocol numbers accept)",
       {c::stmt(c::LD | c::B | c::ABS, kIpv4Protocol), c::stmt(c::ALU | c::AND | c::K, 1),
        c::stmt(c::RET | c::RET_A, 0)}},
      {"last_byte", "ld #len; sub #1; tax; ldb [x + 0]; ret a (the frame's last byte, loaded at its very end)",
       {c::stmt(c::LD | c::W | c::LEN, 0), c::stmt(c::ALU | c::SUB | c::K, 1), c::stmt(c::MISC | c::TAX, 0),
        c::stmt(c::LD | c::B | c::IND, 0), c::stmt(c::RET | c::RET_A, 0)}},
      {"ldx_len", "ldx #len; txa; jgt #100; short frames accept, long ones load one byte past the end",
       {c::stmt(c::LDX | c::W | c::LEN, 0), c::stmt(c::MISC | c::TXA, 0), c::jump(c::JMP | c::JGT | c::K, 100, 0, 2),
        c::stmt(c::LD | c::B | c::IND, 0), ret(1), ret(1)}},
      {"msh_in_frame", "udp, or ldxb 4*([14]&0xf) succeeds", udp_or_header_length_at(14)},
      {"msh_near_limit", "udp, or ldxb 4*([65000]&0xf) (past every frame)", udp_or_header_length_at(65000)},
      {"msh_far", "udp, or ldxb 4*([70000]&0xf) (beyond what the XDP verifier can prove)",
       udp_or_header_length_at(70000)},
  };
}

}  // namespace bpfc::bench
