#include "engine_option.h"

#include "bpfc/exec/engine.h"
#include "cli_status.h"

namespace bpfc::cli {

CLI::Option* add_engine_option(CLI::App& command, std::string& engine, exec::EngineSettings& settings,
                               std::string_view default_engine) {
  const exec::EngineRegistry& registry = exec::engines();
  std::string type_name;
  std::string names;
  std::string help = "What runs the compiled filter. The engines:";
  const auto& all = registry.all();
  for (size_t i = 0; i < all.size(); ++i) {
    type_name += (i == 0 ? "" : "|") + all[i].name;
    if (i > 0) names += i + 1 == all.size() ? " and " : ", ";
    names += all[i].name;
    help += "\n  " + all[i].name + (all[i].name == default_engine ? " (default)" : "") + ": " +
            all[i].description;
  }
  CLI::Option* option = command.add_option_function<std::string>(
      "--engine",
      [&engine, &registry, names](const std::string& name) {
        if (registry.find(name) == nullptr) {
          throw UsageError("unknown engine '" + name + "' (the engines are " + names +
                           "; bpfc filter --help describes them)");
        }
        engine = name;
      },
      help);
  option->type_name(type_name);
  option->default_str(std::string(default_engine));
  command.add_option("--jit-cache", settings.code_cache,
                     "(--engine=jit or auto) keep the native code LLVM makes in DIR (created if missing), so that "
                     "later runs of the same filter skip LLVM")
      ->type_name("DIR");
  return option;
}

}  // namespace bpfc::cli
