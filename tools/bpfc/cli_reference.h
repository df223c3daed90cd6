// The command line as the CLI11 definitions describe it, for the documents
// generated from them (the man page, the bash completion): each visible
// command with its options, positionals and footer, so that the generated
// text says what `bpfc COMMAND --help` says.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace bpfc::cli {

struct OptionReference {
  std::vector<std::string> names;  // "-y", "--linktype"; a positional's name alone
  bool positional = false;
  bool takes_value = false;  // false for flags
  bool repeatable = false;   // several values or occurrences
  bool required = false;
  std::string type_name;     // as --help shows it: "TEXT:{text,json}", "UINT"
  std::vector<std::string> choices;  // the fixed set of values, when there is one
  std::string default_value;
  std::string description;

  bool has_name(const std::string& name) const;
};

struct CommandReference {
  std::string name;  // empty for the top-level command
  std::string description;
  std::string footer;  // examples and exit status
  std::vector<OptionReference> options;      // help and version flags included
  std::vector<OptionReference> positionals;
  std::vector<std::string> subcommands;      // the top-level command's visible ones
};

// `app` itself (the top level) and each of its visible subcommands, in the
// order they were added. Hidden subcommands (empty group) are left out.
std::vector<CommandReference> describe_commands(CLI::App& app);

}  // namespace bpfc::cli
