// The two rule sets behind validate_cbpf(), and the wording they share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::runtime::validation {

// libpcap's bpf_validate(), check for check.
std::optional<ValidationError> validate_libpcap_rules(const cbpf::Program& p);

// Linux's bpf_check_classic() + check_load_and_stores() (net/core/filter.c),
// i.e. what setsockopt(SO_ATTACH_FILTER) accepts.
std::optional<ValidationError> validate_kernel_rules(const cbpf::Program& p);

// A problem with instruction `index`; `what` does not repeat the index.
ValidationError invalid_at(uint32_t index, const std::string& what);
// A problem with the program as a whole.
ValidationError invalid_program(const std::string& what);

std::string hex(uint32_t value);  // "0x1c"

// Messages both rule sets use.
ValidationError empty_program();
ValidationError scratch_slot_out_of_range(uint32_t index, uint32_t slot);
ValidationError division_by_zero_constant(uint32_t index, uint16_t code);
ValidationError jump_beyond_end(uint32_t index, uint64_t target, uint64_t length);
ValidationError missing_final_ret(uint32_t index, uint16_t code);

}  // namespace bpfc::runtime::validation
