// The code generator's state for one function: values' homes, block labels,
// and the emission of each IR operation and terminator.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "allocation.h"
#include "bpfc/ebpf/codegen.h"
#include "emitter.h"

namespace bpfc::ebpf::codegen {

// A source of a move or operand: a value's home or an immediate.
struct Operand {
  bool is_const = false;
  uint32_t imm = 0;
  Location at;
};

class Generator {
 public:
  Generator(const ir::Function& f, const CodegenOptions& options);
  Result<Generated> run();

 private:
  // Which values need a home; which are read only by bounds guards (caplen
  // and caplen - K, never materialized: guards compare packet pointers).
  void classify();
  // Which checked loads read the packet window, where it is filled, its
  // size and where it lies.
  void plan_window();
  void prologue();
  void fill_window();
  // A load the window does not hold, once a guard has proven it inside the
  // packet: a helper call copying it to a stack slot (skb, probe access).
  void emit_copied_load(ir::ValueId v, const ir::Inst& inst);
  // The helper call copying `size` bytes at packet offset r2 (skb) or
  // pointer r3 (probe) to the stack at r10 + `to`; a failure rejects.
  void copy_bytes(int16_t to, uint8_t size);
  std::optional<std::string> emit_block(ir::BlockId b);
  std::optional<std::string> emit_value(ir::ValueId v);
  std::optional<std::string> emit_load(ir::ValueId v, const ir::Inst& inst);
  void emit_window_load(ir::ValueId v, const ir::Inst& inst);
  // The big-endian value of `size` bytes at `base + off`, read in naturally
  // aligned pieces (the verifier refuses misaligned stack reads).
  void read_pieces(uint8_t dst, uint8_t base, int32_t off, uint8_t size, uint8_t scratch);
  std::optional<std::string> emit_binary(ir::ValueId v, const ir::Inst& inst);
  std::optional<std::string> emit_meta(ir::ValueId v, const ir::Inst& inst);
  std::optional<std::string> emit_protochain(ir::ValueId v, const ir::Inst& inst);
  void read_walk_bytes(uint32_t base, int16_t off_slot, int16_t header_slot);
  std::optional<std::string> emit_branch(ir::BlockId b, const ir::Terminator& term);
  bool emit_guard(const ir::Terminator& term, Label fail);
  void emit_ret(ir::ValueId v);
  void emit_edge(ir::BlockId from, ir::BlockId to);  // phi moves, then the jump (or fall-through)
  Label edge_label(ir::BlockId from, ir::BlockId to);
  void emit_stubs();

  Operand operand(ir::ValueId v) const;
  // A register holding `v`: its own, or `scratch` loaded from its slot or
  // immediate.
  uint8_t read(ir::ValueId v, uint8_t scratch);
  // The register to compute `v` into, and storing it home afterwards.
  uint8_t target(ir::ValueId v, uint8_t scratch) const;
  void store(ir::ValueId v, uint8_t from);
  void bounded_index(ir::ValueId v, uint32_t limit, Label fail);
  void reject_if(Insn jump);       // a conditional jump to the shared reject exit
  void always_reject();            // a jump to it the CFG check still sees as conditional
  void parallel_move(std::vector<std::pair<Location, Operand>> moves);
  // Spill slots lie below the packet window.
  int16_t slot_offset(uint16_t slot) const {
    return static_cast<int16_t>(-static_cast<int32_t>(window_region_) - 8 * (slot + 1));
  }

  const ir::Function& f_;
  CodegenOptions options_;
  bool direct_;
  // Legacy access with guards against the packet's length (in r7) and the
  // packet window: window_bytes_ bytes at r10 + window_base_ hold the
  // packet's first bytes (those the packet has), in a region of
  // window_region_ bytes right below r10.
  bool windowed_;
  uint32_t window_bytes_ = 0;
  int32_t window_base_ = 0;
  uint32_t window_region_ = 0;
  std::vector<bool> window_load_;
  std::vector<bool> window_fill_;  // the loads the window is filled before
  // The temporary slot a copied load or protochain step reads through (the
  // protochain walk keeps its state in the four below it).
  static constexpr uint16_t kCopySlot = 4;
  Emitter out_;
  Allocation alloc_;
  std::vector<bool> used_;
  std::vector<bool> guard_only_;   // caplen and caplen - K
  std::vector<uint32_t> bounds_;   // an upper bound of each value (value_ranges.h)
  std::vector<uint8_t> low_zeros_; // known low zero bits of each value
  std::vector<Label> block_label_;
  Label reject_;
  bool reject_used_ = false;
  ir::BlockId next_block_ = 0;     // the block emitted after the current one
  struct Stub {
    Label label;
    ir::BlockId from, to;
  };
  std::vector<Stub> stubs_;
  uint32_t temp_slot_base_ = 0;    // parallel moves' temporaries, above the allocation
  uint32_t temp_slots_used_ = 0;
  size_t guards_ = 0;
  size_t loop_work_ = 0;  // protochain loops' instructions times the steps they may take, weighted
};

}  // namespace bpfc::ebpf::codegen
