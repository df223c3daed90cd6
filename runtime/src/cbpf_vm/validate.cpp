// validate_cbpf(): picks the rule set; the messages both rule sets share.
#include <cstdio>

#include "validate_rules.h"

namespace bpfc::runtime {
namespace validation {

ValidationError invalid_at(uint32_t index, const std::string& what) { return ValidationError{index, what}; }

ValidationError invalid_program(const std::string& what) { return ValidationError{std::nullopt, what}; }

std::string hex(uint32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", value);
  return buf;
}

ValidationError empty_program() {
  return invalid_program("the program is empty (it needs at least a ret instruction)");
}

ValidationError scratch_slot_out_of_range(uint32_t index, uint32_t slot) {
  return invalid_at(index, "scratch memory slot M[" + std::to_string(slot) +
                               "] does not exist (the slots are M[0] to M[15])");
}

ValidationError division_by_zero_constant(uint32_t index, uint16_t code) {
  const bool modulus = cbpf::insn_op(code) == cbpf::MOD;
  return invalid_at(index, std::string(modulus ? "modulus" : "division") + " by the constant 0");
}

ValidationError jump_beyond_end(uint32_t index, uint64_t target, uint64_t length) {
  return invalid_at(index, "jump target " + std::to_string(target) +
                               " is beyond the end of the program (length " +
                               std::to_string(length) + ")");
}

ValidationError missing_final_ret(uint32_t index, uint16_t code) {
  return invalid_at(index, "the program must end with a ret instruction (the last one has opcode " +
                               hex(code) + ")");
}

}  // namespace validation

std::string ValidationError::describe() const {
  if (!index) return message;
  return "instruction " + std::to_string(*index) + ": " + message;
}

std::optional<ValidationError> validate_cbpf(const cbpf::Program& p, ValidationRules rules) {
  switch (rules) {
    case ValidationRules::LinuxKernel:
      return validation::validate_kernel_rules(p);
    case ValidationRules::Libpcap:
      break;
  }
  return validation::validate_libpcap_rules(p);
}

}  // namespace bpfc::runtime
