// BPFC_UNREACHABLE(what): marks a case the program's own invariants exclude
// (an opcode the lowering never builds, an enumerator a switch forgot). It
// aborts with the file, line and what was assumed, in every build type,
// instead of letting a default answer turn a compiler bug into a wrong
// verdict. Input a user can write is never unreachable: that is a
// Diagnostic.
#pragma once

namespace bpfc::detail {

[[noreturn]] void unreachable_failed(const char* file, int line, const char* what) noexcept;

}  // namespace bpfc::detail

#define BPFC_UNREACHABLE(what) ::bpfc::detail::unreachable_failed(__FILE__, __LINE__, what)
