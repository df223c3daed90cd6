// An eBPF program read from an ELF object (what `bpfc compile --target=ebpf
// -o FILE.o`, clang -target bpf or bpftool write), for `bpfc run` and
// `bpfc verify --target=ebpf`.
#pragma once

#include <optional>
#include <string>

#include "bpfc/ebpf/hook.h"
#include "bpfc/ebpf/insn.h"

namespace bpfc::cli {

struct EbpfObjectInput {
  ebpf::Program program;
  ebpf::Hook hook = ebpf::Hook::Socket;  // from the program's section
  std::string section;
  std::string function;
  std::string license;
};

// The one program of the object at `path` ('-' is standard input), or
// nullopt after saying on stderr why not: unreadable, not an eBPF object
// (truncated, another machine...), no program or several, relocations
// bpfc does not apply, or a section naming no hook bpfc runs.
std::optional<EbpfObjectInput> read_ebpf_object(const std::string& path);

}  // namespace bpfc::cli
