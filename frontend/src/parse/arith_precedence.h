// Builds an arithmetic tree from the flat operand/operator sequence the
// grammar produces, with the precedence libpcap's yacc parser applies:
//   |  <  &  <  << >>  <  + -  <  * /  <  unary -   (all left-associative)
// `%` and `^` have no declared precedence, so yacc resolves every conflict
// involving them by shifting: they take the nearest operand on their left
// (inside any unary minus before it) and the whole rest of the expression as
// their right operand: `1 + 2 % 3 + 4` is 1 + (2 % (3 + 4)) and `-2 % 3` is
// -(2 % 3). Private to the parser.
#pragma once

#include <cstddef>
#include <vector>

#include "bpfc/frontend/ast.h"

namespace bpfc::parse_detail {

struct ArithOperand {
  std::vector<SourceSpan> minus_signs;  // unary minus tokens before it, in order
  ast::Arith primary;                   // number, len, packet access, parenthesized
  size_t depth = 1;                     // depth of `primary`'s tree
};

struct BuiltArith {
  ast::Arith arith;
  size_t depth = 1;
};

// operators.size() + 1 == operands.size(). Throws SyntaxTreeTooDeep
// (parse/depth.h) if the tree would exceed the depth limit.
BuiltArith apply_precedence(std::vector<ArithOperand> operands, const std::vector<ast::ArithOp>& operators);

}  // namespace bpfc::parse_detail
