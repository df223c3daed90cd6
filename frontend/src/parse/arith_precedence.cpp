#include "parse/arith_precedence.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "parse/depth.h"

namespace bpfc::parse_detail {
namespace {

// yacc's precedence levels; nullopt for `%` and `^`, which have none.
constexpr int kUnaryMinusPrecedence = 6;

std::optional<int> precedence(ast::ArithOp op) {
  switch (op) {
    case ast::ArithOp::Or: return 1;
    case ast::ArithOp::And: return 2;
    case ast::ArithOp::Shl:
    case ast::ArithOp::Shr: return 3;
    case ast::ArithOp::Add:
    case ast::ArithOp::Sub: return 4;
    case ast::ArithOp::Mul:
    case ast::ArithOp::Div: return 5;
    case ast::ArithOp::Mod:
    case ast::ArithOp::Xor: return std::nullopt;
  }
  return std::nullopt;
}

// An operator waiting on the stack for its right operand to be complete.
struct Pending {
  bool unary = false;
  ast::ArithOp op = ast::ArithOp::Add;  // binary operators only
  SourceSpan minus_sign;                // unary minus only
  std::optional<int> precedence() const {
    return unary ? std::optional<int>(kUnaryMinusPrecedence) : parse_detail::precedence(op);
  }
};

// yacc, with rule `top` on the stack and operator `next` as lookahead:
// reduce when both have a precedence and the rule's is at least the token's
// (everything is left-associative); shift whenever either has none.
bool reduces_before(const Pending& top, ast::ArithOp next) {
  const std::optional<int> rule = top.precedence();
  const std::optional<int> token = precedence(next);
  return rule && token && *rule >= *token;
}

ast::ArithPtr boxed(ast::Arith a) { return std::make_unique<ast::Arith>(std::move(a)); }

class ShiftReduce {
 public:
  void shift_operand(ArithOperand operand) {
    for (SourceSpan minus : operand.minus_signs) operators_.push_back(Pending{true, ast::ArithOp::Add, minus});
    values_.push_back({std::move(operand.primary), operand.depth});
  }

  void shift_operator(ast::ArithOp op) {
    while (!operators_.empty() && reduces_before(operators_.back(), op)) reduce();
    operators_.push_back(Pending{false, op, {}});
  }

  BuiltArith finish() {
    while (!operators_.empty()) reduce();
    return std::move(values_.back());
  }

 private:
  std::vector<BuiltArith> values_;
  std::vector<Pending> operators_;

  void reduce() {
    const Pending top = operators_.back();
    operators_.pop_back();
    BuiltArith rhs = std::move(values_.back());
    values_.pop_back();
    if (top.unary) {
      const SourceSpan where{top.minus_sign.begin, rhs.arith.span.end};
      const size_t depth = checked_depth(rhs.depth + 1, where);
      values_.push_back({ast::Arith{ast::ArithNeg{boxed(std::move(rhs.arith))}, where}, depth});
      return;
    }
    BuiltArith lhs = std::move(values_.back());
    values_.pop_back();
    const SourceSpan where{lhs.arith.span.begin, rhs.arith.span.end};
    const size_t depth = checked_depth(1 + std::max(lhs.depth, rhs.depth), where);
    values_.push_back(
        {ast::Arith{ast::ArithBinary{top.op, boxed(std::move(lhs.arith)), boxed(std::move(rhs.arith))}, where},
         depth});
  }
};

}  // namespace

BuiltArith apply_precedence(std::vector<ArithOperand> operands, const std::vector<ast::ArithOp>& operators) {
  ShiftReduce parser;
  for (size_t i = 0; i < operands.size(); ++i) {
    if (i > 0) parser.shift_operator(operators[i - 1]);
    parser.shift_operand(std::move(operands[i]));
  }
  return parser.finish();
}

}  // namespace bpfc::parse_detail
