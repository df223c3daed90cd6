// Reads the textual form produced by ir::print() back into a Function, so
// tests can be written as IR text.
#pragma once

#include <string_view>

#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::ir {

Result<Function> parse(std::string_view text);

}  // namespace bpfc::ir
