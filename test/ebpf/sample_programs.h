// Small hand-written programs, one per hook, that the kernel's verifier
// accepts: the objects under test carry them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <stdlib.h>
#include <sys/wait.h>
#include <cstdio>

#include "bpfc/ebpf/hook.h"
#include "bpfc/ebpf/insn.h"
#include "../support/scratch_dir.h"

namespace bpfc::ebpf::test {

// Socket: keep 262144 bytes of IPv4 frames (read with LD_ABS), drop others.
inline Program socket_program() {
  return {mov64_reg(R6, R1), ld_abs(H, 12), jmp_imm(JNE, R0, 0x800, 2), mov64_imm(R0, 262144), exit_insn(),
          mov64_imm(R0, 0), exit_insn()};
}

// XDP: pass IPv4 frames, drop the rest, with the bounds check the verifier
// wants before reading the EtherType from data + 12.
inline Program xdp_program() {
  return {ldx_mem(W, R2, R1, xdp_md::kData),
          ldx_mem(W, R3, R1, xdp_md::kDataEnd),
          mov64_reg(R4, R2),
          alu64_imm(ADD, R4, 14),
          mov64_imm(R0, kXdpDrop),
          jmp_reg(JGT, R4, R3, 3),
          ldx_mem(H, R5, R2, 12),
          jmp_imm(JNE, R5, 0x0008, 1),  // 0x0800 read little-endian
          mov64_imm(R0, kXdpPass),
          exit_insn()};
}

// tc: TC_ACT_OK for TCP over IPv4 (protocol byte at 23), TC_ACT_SHOT otherwise;
// reads skb->len from the context too.
inline Program tc_program() {
  return {mov64_reg(R6, R1), ldx_mem(W, R2, R1, skb::kLen), ld_abs(B, 23), jmp_imm(JEQ, R0, 6, 2),
          mov64_imm(R0, kTcActShot), exit_insn(), mov64_imm(R0, kTcActOk), exit_insn()};
}

// func: filter(data, data_end) != 0 for IPv4 frames.
inline Program func_program() {
  return {mov64_reg(R3, R1),
          alu64_imm(ADD, R3, 14),
          mov64_imm(R0, 0),
          jmp_reg(JGT, R3, R2, 4),
          ldx_mem(H, R4, R1, 12),
          to_be(R4, 16),
          jmp_imm(JNE, R4, 0x800, 1),
          mov64_imm(R0, 1),
          exit_insn()};
}

inline Program program_for(Hook hook) {
  switch (hook) {
    case Hook::Socket: return socket_program();
    case Hook::Xdp: return xdp_program();
    case Hook::Tc: return tc_program();
    case Hook::Func: return func_program();
  }
  return {};
}

using testsupport::ScratchDir;

inline void write_file(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

struct CommandResult {
  int status = -1;  // the shell's exit status, -1 when it could not run
  std::string output;  // stdout and stderr
};

// Runs `command` through /bin/sh with stderr joined to stdout.
inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline bool have_tool(const std::string& name) { return run_command("command -v " + name).status == 0; }

inline std::string quote(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

}  // namespace bpfc::ebpf::test
