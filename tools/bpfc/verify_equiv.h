// `bpfc verify --equiv A B`: whether two programs (files or expressions)
// return the same value on every packet up to a length, decided with Z3; a
// counterexample packet is printed so that `bpfc run` can replay it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "compile_settings.h"

namespace bpfc::cli {

// Exit status when the solver could not decide (timeout, a loop in a program).
inline constexpr int kExitUndecided = 3;

struct EquivOptions {
  CompileSettings settings;  // for the sides that are expressions
  std::optional<int> opt_a, opt_b;
  uint32_t max_length = 128;
  uint32_t min_length = 0;
  uint32_t timeout_ms = 10000;
  bool verdict_only = false;
};

// Registers the options; each one needs `equiv` (the --equiv flag).
void add_equiv_options(CLI::App& command, EquivOptions& options, CLI::Option* equiv);

// Prints the verdict and returns 0 (equivalent), 1 (different, or an input
// refused), or kExitUndecided.
int run_equiv(const std::string& a, const std::string& b, const EquivOptions& options);

}  // namespace bpfc::cli
