#include "bpfc/driver/executable.h"

#include <utility>

#include "bpfc/ebpf/codegen.h"
#include "cbpf_target.h"

namespace bpfc {

Result<Compiled<std::unique_ptr<exec::Filter>>> compile_for_engine(std::string_view filter, const exec::Engine& engine,
                                                                   const CompileOptions& options,
                                                                   const exec::EngineSettings& settings) {
  if (engine.input == exec::EngineInput::Ir || engine.input == exec::EngineInput::ClassicAndIr) {
    auto function = compile_to_ir_with_notes(filter, options);
    if (!function) return function.errors();
    if (engine.input == exec::EngineInput::Ir) {
      auto made = engine.make_native(function->output, settings);
      if (!made) return made.errors();
      return Compiled<std::unique_ptr<exec::Filter>>{std::move(*made), std::move(function->notes)};
    }
    // The classic program from the same IR: one pass through the front end
    // and the optimizer, as compile_cbpf would make it.
    auto program = cbpf::generate_validated(function->output);
    if (!program) return program.errors();
    auto made = engine.make_tiered(*program, function->output, settings);
    if (!made) return made.errors();
    return Compiled<std::unique_ptr<exec::Filter>>{std::move(*made), std::move(function->notes)};
  }
  if (engine.input == exec::EngineInput::Classic) {
    auto program = compile_cbpf_with_notes(filter, options);
    if (!program) return program.errors();
    auto made = engine.make(program->output);
    if (!made) return made.errors();
    return Compiled<std::unique_ptr<exec::Filter>>{std::move(*made), std::move(program->notes)};
  }
  auto function = compile_to_ir_with_notes(filter, options);
  if (!function) return function.errors();
  ebpf::CodegenOptions codegen = ebpf::default_codegen_options(ebpf::Hook::Socket);
  codegen.protochain_depth = options.protochain_depth;
  // The engines run packets captured short of their wire length with
  // skb->len as the wire length (for `len`), which no sk_buff has; the
  // packet window's bounds checks read skb->len as the bytes present, the
  // legacy loads check the bytes themselves.
  codegen.window_limit = 0;
  auto program = ebpf::compile_for_hook(std::move(function->output), codegen);
  if (!program) return program.errors();
  auto made = engine.make_ebpf(program->generated.program);
  if (!made) return made.errors();
  std::vector<std::string> notes = std::move(function->notes);
  for (std::string& warning : program->warnings) notes.push_back(std::move(warning));
  return Compiled<std::unique_ptr<exec::Filter>>{std::move(*made), std::move(notes)};
}

}  // namespace bpfc
