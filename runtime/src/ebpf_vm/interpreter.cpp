// run_ebpf(): fetch, check, dispatch. Every executed instruction passes the
// validator's per-instruction rules first, so an unvalidated program faults
// where the validator would have refused it, instead of misbehaving.
#include "machine.h"
#include "opcodes.h"

namespace bpfc::runtime {

using namespace bpfc::ebpf;
using ebpf_vm::Fault;
using ebpf_vm::Kind;
using ebpf_vm::Machine;
using ebpf_vm::Value;

std::string EbpfFault::describe() const { return "instruction " + std::to_string(index) + ": " + message; }

namespace {

void enter(Machine& m, const EbpfContext& context) {
  m.context = &context;
  if (context.hook == Hook::Func) {
    m.regs[R1] = Value::pointer(Kind::Packet, 0);
    m.regs[R2] = Value::pointer(Kind::PacketEnd, 0);
  } else {
    m.regs[R1] = Value::pointer(Kind::Ctx, 0);
  }
  m.regs[R10] = Value::pointer(Kind::Stack, 0);
}

}  // namespace

EbpfRun run_ebpf(const Program& program, const EbpfContext& context, const EbpfLimits& limits) {
  Machine m;
  enter(m, context);
  EbpfRun run;
  const size_t n = program.size();
  size_t pc = 0;
  size_t previous = 0;  // the instruction executed last
  auto fail = [&](std::string message) {
    run.fault = EbpfFault{static_cast<uint32_t>(pc), std::move(message)};
    return run;
  };
  if (n == 0) return fail("the program is empty");
  for (;;) {
    if (pc >= n) {
      pc = previous;
      return fail("execution ran off the end of the program after this instruction");
    }
    if (run.executed_insns >= limits.max_executed_insns)
      return fail("the program executed " + std::to_string(run.executed_insns) +
                  " instructions without exiting (the limit)");
    ++run.executed_insns;
    previous = pc;
    const Insn& insn = program[pc];
    if (auto problem = ebpf_vm::instruction_problem(insn)) return fail(*problem);
    Fault fault;
    switch (op_class(insn.code)) {
      case ALU:
      case ALU64:
        fault = ebpf_vm::execute_alu(m, insn);
        break;
      case LDX:
        fault = ebpf_vm::execute_load(m, insn);
        break;
      case ST:
      case STX:
        fault = ebpf_vm::execute_store(m, insn);
        break;
      case LD:
        if (is_ld_imm64(insn)) {
          if (pc + 1 >= n) return fail("ld_imm64 is missing its second slot");
          const uint64_t high = static_cast<uint32_t>(program[pc + 1].imm);
          m.regs[insn.dst] = Value::scalar((high << 32) | static_cast<uint32_t>(insn.imm));
          pc += 2;
          continue;
        } else {
          bool exit_now = false;
          fault = ebpf_vm::execute_legacy_load(m, insn, exit_now);
          if (!fault && exit_now) {
            run.r0 = 0;
            return run;
          }
        }
        break;
      default: {  // JMP, JMP32
        const uint8_t op = op_jmp(insn.code);
        if (op == EXIT) {
          const Value r0 = m.regs[R0];
          if (r0.kind != Kind::Scalar) return fail("exit with r0 holding " + ebpf_vm::describe_kind(r0.kind));
          run.r0 = r0.bits;
          return run;
        }
        if (op == CALL) {
          fault = ebpf_vm::execute_call(m, insn);
          break;
        }
        bool taken = true;
        if (op != JA) fault = ebpf_vm::evaluate_condition(m, insn, taken);
        if (fault) return fail(*fault);
        if (taken) {
          const int64_t target = static_cast<int64_t>(pc) + 1 + insn.off;
          if (target < 0 || target >= static_cast<int64_t>(n))
            return fail("jump to " + std::to_string(target) + ", outside the program");
          pc = static_cast<size_t>(target);
          continue;
        }
        break;
      }
    }
    if (fault) return fail(*fault);
    ++pc;
  }
}

}  // namespace bpfc::runtime
