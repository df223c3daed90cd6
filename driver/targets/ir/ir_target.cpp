#include "ir_target.h"

#include <cstdlib>

#include "bpfc/ir/ir.h"

namespace bpfc::driver {

void register_ir_target(TargetRegistry& registry) {
  Target target;
  target.name = "ir";
  target.description = "bpfc's SSA IR after the optimizer passes, in its text form";
  target.emits = {Emits::TextListing};
  target.emit = [](const ir::Function& function, const CompileOptions&, const TargetSettings&) -> Result<Emitted> {
    Emitted emitted;
    emitted.bytes = ir::print(function);
    return emitted;
  };
  // A second target of the same name is a build mistake, not a user's.
  if (!registry.add(std::move(target))) std::abort();
}

}  // namespace bpfc::driver
