// Constants for values a pass creates, kept in the entry block: it dominates
// every block, and value numbering puts constants there anyway, so a pass
// that does the same leaves value numbering nothing to move next round.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "bpfc/ir/ir.h"

namespace bpfc::opt {

class EntryConstants {
 public:
  // Indexes the constants the entry block holds now.
  explicit EntryConstants(ir::Function& f);

  // The entry's constant k: an existing one, or a new one (created with
  // block 0, but not yet in the entry's instruction list).
  ir::ValueId get(uint32_t k);

  // Puts the new constants at the front of the entry block. Call it once the
  // pass is done rearranging the entry's instructions.
  void place();

 private:
  ir::Function& f_;
  std::unordered_map<uint32_t, ir::ValueId> by_value_;
  std::vector<ir::ValueId> created_;
};

}  // namespace bpfc::opt
