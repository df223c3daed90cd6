// The representative filter: a deep copy of the AST in which each run of
// like terms is cut down to kRepresentatives terms comparing with sentinels.
// Everything else is copied as is, spans included, so that diagnostics read
// exactly as for the original filter.
#include <string>

#include "lists/detail.h"
#include "lists/representatives.h"

namespace bpfc::lower::sets {

namespace {

ast::ArithPtr copy_arith_ptr(const ast::ArithPtr& a);

ast::Arith copy_arith(const ast::Arith& a) {
  ast::Arith out;
  out.span = a.span;
  out.node = std::visit(
      [](const auto& n) -> decltype(ast::Arith::node) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::PacketAccess>) {
          return ast::PacketAccess{n.proto, n.link_word, copy_arith_ptr(n.index), n.size};
        } else if constexpr (std::is_same_v<T, ast::ArithBinary>) {
          return ast::ArithBinary{n.op, copy_arith_ptr(n.lhs), copy_arith_ptr(n.rhs)};
        } else if constexpr (std::is_same_v<T, ast::ArithNeg>) {
          return ast::ArithNeg{copy_arith_ptr(n.operand)};
        } else {
          return n;
        }
      },
      a.node);
  return out;
}

ast::ArithPtr copy_arith_ptr(const ast::ArithPtr& a) {
  return a ? std::make_unique<ast::Arith>(copy_arith(*a)) : nullptr;
}

std::string dotted(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 0xff) + "." + std::to_string(a >> 8 & 0xff) +
         "." + std::to_string(a & 0xff);
}

// `term` (a list term, under a `not` when negated) comparing with `constant`.
ast::ExprPtr with_constant(const ast::Expr& term, uint32_t constant, bool negated) {
  const ast::Expr& inner = negated ? *std::get<ast::Not>(term.node).operand : term;
  ast::Qualified q = std::get<ast::Qualified>(inner.node);
  if (auto* v4 = std::get_if<ast::Ipv4>(&q.value)) {
    v4->value = constant;
    v4->text = dotted(constant);
  } else if (auto* prefix = std::get_if<ast::NetPrefix>(&q.value)) {
    auto& addr = std::get<ast::Ipv4>(prefix->addr);
    addr.value = constant;
    addr.text = dotted(constant);
  } else if (auto* netmask = std::get_if<ast::NetMask>(&q.value)) {
    netmask->addr.value = constant;
    netmask->addr.text = dotted(constant);
  } else if (auto* number = std::get_if<ast::Number>(&q.value)) {
    number->value = constant;
    number->text = std::to_string(constant);
  }
  auto result = std::make_unique<ast::Expr>(ast::Expr{std::move(q), inner.span});
  if (!negated) return result;
  return std::make_unique<ast::Expr>(ast::Expr{ast::Not{std::move(result)}, term.span});
}

class RepresentativeCopier {
 public:
  RepresentativeCopier(const ListRuns& runs, int choice) : runs_(runs), choice_(choice) {}

  // Recursion follows the AST's nesting, which the parser bounds
  // (kMaxSyntaxDepth); a chain of one operator is handled in a loop.
  ast::ExprPtr copy(const ast::Expr& e) {
    const bool is_or = std::holds_alternative<ast::Or>(e.node);
    if (is_or || std::holds_alternative<ast::And>(e.node)) return copy_chain(e, is_or);
    auto out = std::make_unique<ast::Expr>();
    out->span = e.span;
    out->node = std::visit(
        [&](const auto& n) -> ast::Node {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ast::Not>) {
            return ast::Not{n.operand ? copy(*n.operand) : nullptr};
          } else if constexpr (std::is_same_v<T, ast::Relation>) {
            return ast::Relation{n.op, copy_arith(n.lhs), copy_arith(n.rhs)};
          } else if constexpr (std::is_same_v<T, ast::And> || std::is_same_v<T, ast::Or>) {
            return ast::Not{};  // not reached: chains are copied above
          } else {
            return n;
          }
        },
        e.node);
    return out;
  }

 private:
  ast::ExprPtr copy_chain(const ast::Expr& e, bool is_or) {
    const std::vector<const ast::Expr*> operands = flatten(e, is_or);
    std::vector<ast::ExprPtr> copied;
    for (size_t i = 0; i < operands.size();) {
      auto run = runs_.run_at.find(operands[i]);
      if (run == runs_.run_at.end()) {
        copied.push_back(copy(*operands[i]));
        ++i;
        continue;
      }
      const ListRun& r = runs_.runs[run->second];
      for (uint32_t c : r.sentinels[choice_]) copied.push_back(with_constant(*operands[i], c, r.key.negated));
      i += r.length;
    }
    return join(copied, 0, copied.size(), is_or);
  }

  // Left-associative like the parser's output for short lists, balanced for
  // long ones (bounded depth); the lowering visits operands in order either
  // way, so the block program is the same.
  static ast::ExprPtr join(std::vector<ast::ExprPtr>& xs, size_t begin, size_t end, bool is_or) {
    constexpr size_t kLeftFolded = 64;
    auto combine = [is_or](ast::ExprPtr lhs, ast::ExprPtr rhs) {
      const SourceSpan span{lhs->span.begin, rhs->span.end};
      ast::Node node = is_or ? ast::Node{ast::Or{std::move(lhs), std::move(rhs)}}
                             : ast::Node{ast::And{std::move(lhs), std::move(rhs)}};
      return std::make_unique<ast::Expr>(ast::Expr{std::move(node), span});
    };
    if (end - begin > kLeftFolded) {
      const size_t middle = begin + (end - begin) / 2;
      ast::ExprPtr lhs = join(xs, begin, middle, is_or);
      return combine(std::move(lhs), join(xs, middle, end, is_or));
    }
    ast::ExprPtr result = std::move(xs[begin]);
    for (size_t i = begin + 1; i < end; ++i) result = combine(std::move(result), std::move(xs[i]));
    return result;
  }

  const ListRuns& runs_;
  int choice_;
};

}  // namespace

ast::Filter representative_filter(const ast::Filter& filter, const ListRuns& runs, int choice) {
  ast::Filter out;
  out.text = filter.text;
  if (filter.expr) out.expr = RepresentativeCopier(runs, choice).copy(*filter.expr);
  return out;
}

}  // namespace bpfc::lower::sets
