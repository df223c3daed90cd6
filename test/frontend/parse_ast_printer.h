// A compact, one-line rendering of the AST for parser tests, so a test can
// state the whole tree it expects:
//   "host a or b"  ->  (or {-/-/host a} ^{-/-/host b})
// Qualified values are {proto/dir/type value}; `^` marks inherited
// qualifiers, `-` a default qualifier and `?` libpcap's undefined one.
#pragma once

#include <string>

#include "bpfc/frontend/ast.h"

namespace bpfc::parsetest {

std::string render(const ast::Expr& expr);
std::string render(const ast::Arith& arith);
std::string render(const ast::Value& value);

}  // namespace bpfc::parsetest
