// Lexing the filter text into ANTLR tokens, plus the checks libpcap's scanner
// makes on the tokens themselves (number syntax and range, IPv6 and Ethernet
// address syntax) and a nesting check that keeps the recursive parts of the
// parser within a fixed stack budget. Private to the parser.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "antlr4-runtime.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::parse_detail {

// Feeds the filter to ANTLR one byte per character, so token indexes are byte
// offsets into the text and no input (invalid UTF-8, NUL bytes) can make the
// stream throw. The language is ASCII; other bytes lex as errors.
class ByteCharStream : public antlr4::ANTLRInputStream {
 public:
  explicit ByteCharStream(std::string_view text);
};

// The scanner's verdicts on individual tokens, by token index: tokens the
// scanner refuses are retyped to LEX_ERROR so that no grammar rule accepts
// them, and keep the scanner's message (if it has one) for the diagnostic.
// As in libpcap, the message is only reported if the parser gets as far as
// that token.
std::map<size_t, std::string> reject_bad_tokens(antlr4::CommonTokenStream& tokens);

// Rejects filters nested deeper than kMaxSyntaxDepth before parsing, so the
// recursive descent through parentheses stays within a fixed stack budget
// (runs of `not`/`!`/unary `-` count too: each is a level of the tree).
// libpcap itself gives up at a few thousand levels ("memory exhausted").
std::optional<Diagnostic> check_nesting(antlr4::CommonTokenStream& tokens, size_t text_size);

// The span of a token (an empty span at the end of the text for EOF).
SourceSpan token_span(const antlr4::Token* token, size_t text_size);

}  // namespace bpfc::parse_detail
