// Filter text -> AST. Syntax errors use libpcap's wording
// ("can't parse filter expression: syntax error") with a span at the
// offending token; lexical errors name the bad text.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "bpfc/frontend/ast.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc {

// parse_filter rejects filters whose syntax tree would be deeper than this
// ("can't parse filter expression: expression nested too deeply"), so passes
// over the AST may recurse on it without risking the stack. libpcap's own
// parser gives up at a few thousand levels of parentheses or `not`.
inline constexpr std::size_t kMaxSyntaxDepth = 1000;

Result<ast::Filter> parse_filter(std::string_view text);

// The part of the text that libpcap's parser has already reduced (and run its
// code generator on) when it stops at the syntax or scanner error that
// parse_filter(text) reported as `parse_error`, as a filter of its own; none
// when nothing before the error is complete. An error the checks or the
// lowering find in it is the one pcap_compile() reports instead of the
// syntax error.
std::optional<ast::Filter> parse_reduced_prefix(std::string_view text, const Diagnostic& parse_error);

}  // namespace bpfc
