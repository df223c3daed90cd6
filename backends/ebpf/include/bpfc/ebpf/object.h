// ELF relocatable objects holding one eBPF program, as clang -target bpf
// writes them: what libbpf's bpf_object__open_file(), `bpftool prog load` and
// `bpftool gen object` (libbpf's static linker) read. Written and read
// without libelf or libbpf.
//
// A written object (ELF64, little-endian, EM_BPF) has the sections
//   <program section>  the instructions (SHF_ALLOC | SHF_EXECINSTR)
//   license            the license string, NUL-terminated (not in func objects
//                      unless asked for: see ObjectOptions::license)
//   .BTF               the function's prototype (see below)
//   .BTF.ext           func_info tying the function to its BTF FUNC, and one
//                      line_info record with a line of source text
//   .symtab, .strtab   one STT_FUNC, STB_GLOBAL symbol for the function
// and no relocations: the program calls helpers only.
//
// BTF: socket and tc programs are `int NAME(struct __sk_buff *skb)`, XDP
// programs `int NAME(struct xdp_md *ctx)` (the context structures declared,
// not defined: the kernel defines them), and the func hook's function is
// `int NAME(const void *data, const void *data_end)`, a global function with
// BTF_FUNC_GLOBAL linkage, which libbpf's linker needs to resolve a caller's
// `extern int NAME(const void *, const void *);`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/ebpf/hook.h"
#include "bpfc/ebpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::ebpf {

// The license socket, xdp and tc objects declare unless told otherwise.
// Their programs call bpf_skb_load_bytes at most, which any license may;
// but the kernel lets only programs with a GPL-compatible license call the
// GPL-only helpers (bpf_probe_read_kernel, which --packet-access=probe
// uses, and the tracing helpers a user may add), and bpftool reports the
// program as "gpl_compatible". "Dual BSD/GPL" is GPL-compatible without
// making the filter GPL-only: it is compiled from the user's expression, so
// its terms are the user's to choose (libpcap's own output carries none).
inline constexpr std::string_view kDefaultLicense = "Dual BSD/GPL";

struct ObjectOptions {
  Hook hook = Hook::Socket;
  // How the program reads packets: for the func hook, --packet-access=skb
  // makes the function take the caller's struct __sk_buff.
  PacketAccess access = PacketAccess::Legacy;
  // The program's section; empty: section_name(hook) ("socket", "xdp", "tc",
  // ".text"). libbpf derives the program type from it ("xdp.frags", "tc/ingress"...).
  std::string section;
  // The function's symbol and BTF name: a C identifier.
  std::string function_name = "filter";
  // The license section's string. Unset: kDefaultLicense for socket, xdp
  // and tc programs, and no license section for the func hook: libbpf's
  // linker refuses to link objects whose license sections differ, and the
  // linked program's license is its caller's, which also decides whether
  // the filter may call GPL-only helpers.
  std::optional<std::string> license;
  // The source line BTF attaches to the first instruction, which
  // `bpftool prog dump xlated` and the verifier log print above the program
  // ("; tcp port 80"); empty: the function's C prototype. And the file name
  // bpftool's "linum" shows with it.
  std::string source_line;
  std::string source_file = "<bpfc>";
  // Func hook only: give the global symbol hidden visibility (STV_HIDDEN).
  // The kernel verifies a global function on its own, where pointer
  // arguments must point to something of known size: `const void *` packet
  // pointers are refused ("arg#0 reference type('UNKNOWN ') size cannot be
  // determined"). libbpf marks hidden global functions static before
  // loading, so the verifier checks the filter in its caller with the
  // caller's packet bounds; static linking still resolves the symbol.
  bool hidden = true;
};

// The function's C prototype, as the object's BTF describes it, without a
// semicolon: "int filter(struct __sk_buff *skb)"; for the func hook what a
// caller declares extern: "int filter(const void *data, const void *data_end)"
// (direct and probe access) or "int filter(struct __sk_buff *skb)" (skb).
std::string function_prototype(Hook hook, std::string_view function_name,
                               PacketAccess access = PacketAccess::Direct);

// The object's bytes, or an error for an empty program, a name that is not
// a C identifier, a section name, license or source text holding a NUL (or
// a newline, in the source line), or a program too large for the object.
Result<std::vector<uint8_t>> write_object(const Program& program, const ObjectOptions& options = {});

// One function found in an object.
struct ObjectFunction {
  std::string section;  // the section holding it ("socket", "xdp", ".text")
  std::string name;     // its symbol; the section name when the section has no function symbol
  Program program;
  // The section has relocations (map references, calls into other
  // sections), which the reader does not apply: the instructions are as
  // the compiler left them.
  bool has_relocations = false;
};

struct ObjectContents {
  std::vector<ObjectFunction> functions;  // in section order, then by offset
  std::string license;                    // empty without a "license" section
};

// Reads an ELF relocatable eBPF object: every function in an executable
// section, with its section and symbol names. Anything that is not such an
// object (truncated, not ELF, 32-bit, big-endian, another machine, sections,
// names or symbols out of range) is an error saying what is wrong; reading
// never trusts an offset or size from the file.
Result<ObjectContents> read_object(std::span<const uint8_t> bytes);

}  // namespace bpfc::ebpf
