// The `ir` target: the SSA IR after the passes, as text.
#pragma once

#include "bpfc/driver/target.h"

namespace bpfc::driver {

void register_ir_target(TargetRegistry& registry);

}  // namespace bpfc::driver
