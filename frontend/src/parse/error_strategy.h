// An ANTLR error strategy that stops at the first syntax error, like yacc:
// no recovery, no messages on the console. The offending token is carried
// out of the parser in a SyntaxErrorFound exception. Private to the parser.
#pragma once

#include <cstddef>
#include <exception>

#include "antlr4-runtime.h"

namespace bpfc::parse_detail {

struct SyntaxErrorFound {
  size_t token_index;  // index of the offending token in the token stream
};

class StopAtFirstError : public antlr4::DefaultErrorStrategy {
 public:
  void recover(antlr4::Parser* recognizer, std::exception_ptr e) override;
  antlr4::Token* recoverInline(antlr4::Parser* recognizer) override;
  // No single-token insertion/deletion: the error surfaces where the
  // grammar can no longer continue.
  void sync(antlr4::Parser* recognizer) override;
};

}  // namespace bpfc::parse_detail
