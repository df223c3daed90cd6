// Compile targets: what the last stage of the pipeline turns the optimized IR
// into. Each target registers itself with the driver (a `bpfc_register_target`
// line in its folder's CMakeLists.txt names the function that adds it to the
// registry), so a new target needs its folder and that line, no edit here or in
// the CLI: `bpfc compile --target=NAME` and its --help list what is registered.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/driver/compile.h"
#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::driver {

// The kinds of output a target can give.
enum class Emits : uint8_t {
  TextListing,       // text for people (a listing, C source, decimal dump)
  Json,              // a JSON document for programs
  BinaryObject,      // bytes to load or link (an ELF object, raw instructions)
  ExecutableFilter,  // a program an exec engine runs on packets (bpfc filter)
};

// "text listing", "JSON", "binary object", "executable filter".
std::string_view describe(Emits kind);

// One option of a target, set on the command line as --NAME=VALUE where the
// CLI has such an option (today: --format, and -d/-dd/-ddd as "listing").
struct TargetOption {
  std::string name;
  std::string description;
  // The accepted values, the default first; empty for a value of the
  // caller's choosing (a name, a triple), which the target checks itself.
  std::vector<std::string> values;
  std::string value_name = "VALUE";  // for such values: how --help shows it
};

// The options the caller chose, by name; the others take their default.
using TargetSettings = std::map<std::string, std::string, std::less<>>;

// What a target gives for one compiled filter.
struct Emitted {
  std::string bytes;  // the output: text, or binary for Emits::BinaryObject
  // Things users should know about the output (e.g. that the Linux kernel
  // would refuse it), in words for people; callers show them as warnings.
  std::vector<std::string> warnings;
  std::optional<size_t> instructions;  // the program's size, where it has one
};

// One filter of several put into one output, with its name there.
struct NamedFunction {
  std::string name;
  ir::Function function;
};

struct Target {
  std::string name;         // as in --target=NAME: lowercase
  std::string description;  // one line for --help
  std::vector<Emits> emits;
  std::vector<TargetOption> options;
  // Turns the optimized IR into the output. `settings` holds only names from
  // `options`, with accepted values (check_settings has seen them).
  std::function<Result<Emitted>(const ir::Function&, const CompileOptions&, const TargetSettings&)> emit;
  // Targets whose output can hold several filters (an object with a table
  // of functions) also take them all at once, each with its name; null for
  // the others.
  std::function<Result<Emitted>(const std::vector<NamedFunction>&, const CompileOptions&, const TargetSettings&)>
      emit_named;

  const TargetOption* find_option(std::string_view option) const;
  // The chosen value of `option`, or its default.
  std::string setting(const TargetSettings& settings, std::string_view option) const;
  // nullopt when every setting names an option of this target with an
  // accepted value; otherwise what is wrong, in words for people.
  std::optional<std::string> check_settings(const TargetSettings& settings) const;
};

// The targets one program knows, in registration order.
class TargetRegistry {
 public:
  // False, and nothing added, when a target of that name is already there.
  [[nodiscard]] bool add(Target target);
  const Target* find(std::string_view name) const;
  const std::vector<Target>& all() const { return targets_; }
  // "cbpf, ir": every name, in order.
  std::string names() const;

 private:
  std::vector<Target> targets_;
};

// The registry of every target built into this program: built on the first
// call from the registrations, immutable afterwards (thread-safe).
const TargetRegistry& targets();

// The name of the default target: classic BPF.
inline constexpr std::string_view kDefaultTarget = "cbpf";

// The whole pipeline for `target`: compile_to_ir_with_notes, then the
// target's emit. The notes are the compilation's; the target's own remarks
// are in the output's warnings.
Result<Compiled<Emitted>> compile_for_target(std::string_view filter, const Target& target,
                                             const CompileOptions& options, const TargetSettings& settings = {});

}  // namespace bpfc::driver
