#include "parse/ast_builder.h"

#include <algorithm>
#include <utility>
#include <variant>
#include <vector>

#include "PcapFilterLexer.h"
#include "parse/arith_precedence.h"
#include "parse/depth.h"
#include "parse/keywords.h"
#include "parse/literals.h"

namespace bpfc::parse_detail {
namespace {

using P = bpfc_grammar::PcapFilterParser;
using L = bpfc_grammar::PcapFilterLexer;

// libpcap's `qerr`: what terms that carry no qualifiers (`tcp`, relations,
// `vlan`...) leave behind for a following bare value.
ast::Qualifiers undefined_qualifiers() {
  ast::Qualifiers q;
  q.proto = ast::Proto::Undef;
  q.dir = ast::Dir::Undef;
  q.type = ast::AddrType::Undef;
  return q;
}

SourceSpan join(SourceSpan a, SourceSpan b) { return {std::min(a.begin, b.begin), std::max(a.end, b.end)}; }

// An expression together with the depth of its tree, so the depth limit can
// be checked as the tree grows instead of walking it afterwards.
struct Built {
  ast::ExprPtr expr;
  size_t depth = 1;
};

// Walks the parse tree in source order. `current_` plays the part of yacc's
// `$<blk>0.q`: the qualifiers a bare value (`b` in `host a or b`) takes. A
// `head id` term sets it, a term without qualifiers (`tcp`, `len > 1`, `vlan`)
// leaves it undefined, a parenthesized expression restores what it was at the
// `(`, and `not` and bare values leave it alone.
class AstBuilder {
 public:
  explicit AstBuilder(std::string_view text) : text_(text) {}

  ast::ExprPtr filter(P::FilterContext* ctx) {
    if (ctx->expr() == nullptr) return nullptr;
    current_ = undefined_qualifiers();
    return expr(ctx->expr()).expr;
  }

 private:
  std::string_view text_;
  ast::Qualifiers current_;

  // ---- Source helpers ----------------------------------------------------

  static SourceSpan span(const antlr4::Token* token) {
    return {static_cast<uint32_t>(token->getStartIndex()), static_cast<uint32_t>(token->getStopIndex() + 1)};
  }
  static SourceSpan span(antlr4::tree::TerminalNode* node) { return span(node->getSymbol()); }
  static SourceSpan span(antlr4::ParserRuleContext* ctx) {
    return {static_cast<uint32_t>(ctx->getStart()->getStartIndex()),
            static_cast<uint32_t>(ctx->getStop()->getStopIndex() + 1)};
  }
  std::string text(const antlr4::Token* token) const {
    const SourceSpan s = span(token);
    return std::string(text_.substr(s.begin, s.end - s.begin));
  }
  std::string text(antlr4::tree::TerminalNode* node) const { return text(node->getSymbol()); }

  // A name as the scanner hands it over: without the escaping backslash.
  ast::Name name(antlr4::tree::TerminalNode* node) const {
    std::string spelling = text(node);
    const bool escaped = !spelling.empty() && spelling[0] == '\\';
    if (escaped) spelling.erase(0, 1);
    return ast::Name{std::move(spelling), escaped};
  }

  // NUM tokens reaching the parser are valid: reject_bad_tokens retyped the rest.
  uint32_t number(antlr4::tree::TerminalNode* node) const {
    auto value = number_value(text(node));
    return std::holds_alternative<uint32_t>(value) ? std::get<uint32_t>(value) : 0;
  }

  static ast::ExprPtr make(ast::Node node, SourceSpan where) {
    return std::make_unique<ast::Expr>(ast::Expr{std::move(node), where});
  }

  static Built combine(size_t op_token, Built lhs, Built rhs) {
    const SourceSpan where = join(lhs.expr->span, rhs.expr->span);
    const size_t depth = checked_depth(1 + std::max(lhs.depth, rhs.depth), where);
    ast::Node node = op_token == L::AND ? ast::Node{ast::And{std::move(lhs.expr), std::move(rhs.expr)}}
                                        : ast::Node{ast::Or{std::move(lhs.expr), std::move(rhs.expr)}};
    return {make(std::move(node), where), depth};
  }

  // Folds `t0 op1 t1 op2 t2 …` left-associatively, as yacc does. A long run
  // of one operator (`host a or host b or …`, thousands of terms in generated
  // filters) is built as a balanced tree instead of a left spine: `and`/`or`
  // are associative and every later stage visits operands in source order, so
  // the meaning, the evaluation order and the generated code are the same,
  // while the tree depth (bounded by kMaxSyntaxDepth) grows as log n.
  class Chain {
   public:
    void add(size_t op, Built operand) {
      if (run_.size() >= 2 && op != run_op_) flush();
      if (!run_.empty()) run_op_ = op;
      run_.push_back(std::move(operand));
    }
    Built finish() {
      flush();
      return run_.empty() ? Built{} : std::move(run_.front());
    }

   private:
    static constexpr size_t kLeftFoldedRun = 64;  // shorter runs keep yacc's exact shape

    void flush() {
      if (run_.size() < 2) return;
      Built folded = build(0, run_.size());
      run_.clear();
      run_.push_back(std::move(folded));
    }
    Built build(size_t begin, size_t end) {
      if (end - begin > kLeftFoldedRun) {
        const size_t middle = begin + (end - begin) / 2;
        Built lhs = build(begin, middle);
        return combine(run_op_, std::move(lhs), build(middle, end));
      }
      Built result = std::move(run_[begin]);
      for (size_t i = begin + 1; i < end; ++i) result = combine(run_op_, std::move(result), std::move(run_[i]));
      return result;
    }

    std::vector<Built> run_;
    size_t run_op_ = 0;
  };

  static Built negate(const std::vector<antlr4::tree::TerminalNode*>& nots, Built operand) {
    for (auto it = nots.rbegin(); it != nots.rend(); ++it) {
      const SourceSpan where = join(span(*it), operand.expr->span);
      const size_t depth = checked_depth(operand.depth + 1, where);
      operand = {make(ast::Not{std::move(operand.expr)}, where), depth};
    }
    return operand;
  }

  // ---- Boolean structure ---------------------------------------------------

  // expr: term ((and|or) (term|id))*, left-associative.
  Built expr(P::ExprContext* ctx) {
    Chain chain;
    size_t pending_op = 0;
    for (antlr4::tree::ParseTree* child : ctx->children) {
      if (auto* op = dynamic_cast<P::LogicalOpContext*>(child)) {
        pending_op = op->getStart()->getType();
        continue;
      }
      Built operand;
      if (auto* t = dynamic_cast<P::TermContext*>(child)) {
        operand = term(t);
      } else if (auto* i = dynamic_cast<P::IdContext*>(child)) {
        operand = id(i, current_, std::nullopt);
      } else {
        continue;
      }
      chain.add(pending_op, std::move(operand));
    }
    return chain.finish();
  }

  Built term(P::TermContext* ctx) { return negate(ctx->NOT(), rterm(ctx->rterm())); }

  Built rterm(P::RtermContext* ctx) {
    if (auto* c = dynamic_cast<P::QualifiedTermContext*>(ctx)) {
      const ast::Qualifiers q = head(c->head());
      current_ = q;
      return id(c->id(), q, span(c->head()));
    }
    if (auto* c = dynamic_cast<P::ParenTermContext*>(ctx)) {
      const ast::Qualifiers before = current_;
      Built inner = expr(c->expr());
      current_ = before;
      return inner;
    }
    // Every other term carries no qualifiers for what follows.
    Built built = unqualified_term(ctx);
    current_ = undefined_qualifiers();
    return built;
  }

  Built unqualified_term(P::RtermContext* ctx) {
    const SourceSpan where = span(ctx);
    if (auto* c = dynamic_cast<P::ProtoTermContext*>(ctx)) {
      ast::Qualifiers q;
      const ProtoWord word = pname(c->pname());
      q.proto = word.proto;
      q.link_word = word.link_word;
      q.span = where;
      return {make(ast::ProtoOnly{q}, where)};
    }
    if (auto* c = dynamic_cast<P::RelationTermContext*>(ctx)) {
      BuiltArith lhs = arith(c->arth(0));
      BuiltArith rhs = arith(c->arth(1));
      const size_t depth = checked_depth(1 + std::max(lhs.depth, rhs.depth), where);
      const ast::RelOp op = relop_of(c->relop()->getStart()->getType());
      return {make(ast::Relation{op, std::move(lhs.arith), std::move(rhs.arith)}, where), depth};
    }
    if (auto* c = dynamic_cast<P::OtherTermContext*>(ctx)) return {make(other(c->other()), where)};
    if (auto* c = dynamic_cast<P::AtmTypeTermContext*>(ctx)) {
      return {make(ast::Atm{atm_keyword_of(c->getStart()->getType()), std::nullopt, std::nullopt}, where)};
    }
    if (auto* c = dynamic_cast<P::AtmMultiTypeTermContext*>(ctx)) {
      return {make(ast::Atm{atm_keyword_of(c->getStart()->getType()), std::nullopt, std::nullopt}, where)};
    }
    if (auto* c = dynamic_cast<P::Mtp2TypeTermContext*>(ctx)) {
      return {make(ast::Mtp{mtp_keyword_of(c->getStart()->getType()), std::nullopt, std::nullopt}, where)};
    }
    if (auto* c = dynamic_cast<P::AtmFieldTermContext*>(ctx)) {
      const ast::AtmKeyword keyword = atm_keyword_of(c->atmfield()->getStart()->getType());
      return field_values(c, c->atmvalue(), [keyword](std::optional<ast::RelOp> op, uint32_t value) {
        return ast::Node{ast::Atm{keyword, op, value}};
      });
    }
    // The grammar's last kind of term.
    auto* c = dynamic_cast<P::Mtp3FieldTermContext*>(ctx);
    const ast::MtpKeyword keyword = mtp_keyword_of(c->mtp3field()->getStart()->getType());
    return field_values(c, c->mtp3value(), [keyword](std::optional<ast::RelOp> op, uint32_t value) {
      return ast::Node{ast::Mtp{keyword, op, value}};
    });
  }

  // `vpi 5`, `vpi > 5`, `vpi (5 or 6 or 7)`; likewise the MTP3 fields.
  // atmvalue and mtp3value have the same shape: NUM | relop NUM | ( NUM (or NUM)* ).
  template <typename MakeNode>
  Built field_values(antlr4::ParserRuleContext* term, antlr4::ParserRuleContext* value, MakeNode make_node) {
    std::optional<ast::RelOp> op;
    Built result;
    for (antlr4::tree::ParseTree* child : value->children) {
      if (auto* relation = dynamic_cast<P::RelopContext*>(child)) {
        op = relop_of(relation->getStart()->getType());
        continue;
      }
      auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child);
      if (terminal == nullptr || terminal->getSymbol()->getType() != L::NUM) continue;
      const bool single = value->children.size() <= 2;
      const SourceSpan where = single ? span(term) : span(terminal);
      Built element{make(make_node(op, number(terminal)), where)};
      result = result.expr ? combine(L::OR, std::move(result), std::move(element)) : std::move(element);
    }
    return result;
  }

  // ---- Qualifiers and values ---------------------------------------------

  ProtoWord pname(P::PnameContext* ctx) const {
    const antlr4::Token* token = ctx->getStart();
    return proto_of(token->getType(), text(token));
  }

  ast::Qualifiers head(P::HeadContext* ctx) const {
    ast::Qualifiers q;
    if (ctx->pname() != nullptr) {
      const ProtoWord word = pname(ctx->pname());
      q.proto = word.proto;
      q.link_word = word.link_word;
    }
    if (ctx->dqual() != nullptr) q.dir = dqual(ctx->dqual());
    if (ctx->aqual() != nullptr) q.type = addr_type_of(ctx->aqual()->getStart()->getType());
    if (ctx->PROTO() != nullptr) q.type = ast::AddrType::Proto;
    if (ctx->PROTOCHAIN() != nullptr) q.type = ast::AddrType::Protochain;
    if (ctx->GATEWAY() != nullptr) q.type = ast::AddrType::Gateway;
    q.span = span(ctx);
    return q;
  }

  static ast::Dir dqual(P::DqualContext* ctx) {
    const bool both_words = ctx->children.size() == 3;
    switch (ctx->getStart()->getType()) {
      case L::SRC:
      case L::DST:
        if (!both_words) return ctx->SRC() != nullptr ? ast::Dir::Src : ast::Dir::Dst;
        return ctx->OR() != nullptr ? ast::Dir::SrcOrDst : ast::Dir::SrcAndDst;
      case L::ADDR1: return ast::Dir::Addr1;
      case L::ADDR2: return ast::Dir::Addr2;
      case L::ADDR3: return ast::Dir::Addr3;
      case L::ADDR4: return ast::Dir::Addr4;
      case L::RA: return ast::Dir::Ra;
      default: return ast::Dir::Ta;
    }
  }

  // A bare value or a (possibly negated, parenthesized) list of them, all
  // with qualifiers `q`. `head_span` is set when `q` was written right
  // before this id (`host a`), unset when it is inherited (`... or a`).
  Built id(P::IdContext* ctx, const ast::Qualifiers& q, std::optional<SourceSpan> head_span) {
    const std::vector<antlr4::tree::TerminalNode*> nots = ctx->NOT();
    // With nothing between the qualifiers and a single value, the primitive
    // spans both (`host a`); otherwise each value spans itself.
    const bool plain = nots.empty() && ctx->idAtom()->pid() == nullptr;
    return negate(nots, id_atom(ctx->idAtom(), q, head_span, plain));
  }

  Built id_atom(P::IdAtomContext* ctx, const ast::Qualifiers& q, std::optional<SourceSpan> head_span,
                bool plain) {
    if (ctx->nidAtom() != nullptr) return qualified(q, head_span, value(ctx->nidAtom()), span(ctx), plain);
    if (ctx->pnum() != nullptr) {
      antlr4::tree::TerminalNode* num = innermost_number(ctx->pnum());
      return qualified(q, head_span, ast::Number{number(num), text(num)}, span(num), plain);
    }
    return pid(ctx->pid(), q, head_span);
  }

  // pid: the inside of `( ... )` in an id: values joined by and/or.
  Built pid(P::PidContext* ctx, const ast::Qualifiers& q, std::optional<SourceSpan> head_span) {
    Chain chain;
    size_t pending_op = 0;
    antlr4::tree::TerminalNode* pending_not = nullptr;
    for (antlr4::tree::ParseTree* child : ctx->children) {
      Built operand;
      if (auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
        if (terminal->getSymbol()->getType() == L::NOT) pending_not = terminal;
        continue;
      }
      if (auto* op = dynamic_cast<P::LogicalOpContext*>(child)) {
        pending_op = op->getStart()->getType();
        continue;
      }
      if (auto* i = dynamic_cast<P::IdContext*>(child)) {
        operand = id(i, q, head_span);
      } else if (auto* n = dynamic_cast<P::NidAtomContext*>(child)) {
        operand = qualified(q, head_span, value(n), span(n), false);
      } else if (auto* p = dynamic_cast<P::PnumContext*>(child)) {
        antlr4::tree::TerminalNode* num = innermost_number(p);
        operand = qualified(q, head_span, ast::Number{number(num), text(num)}, span(num), false);
      } else {
        continue;
      }
      if (pending_not != nullptr) {
        operand = negate({pending_not}, std::move(operand));
        pending_not = nullptr;
      }
      chain.add(pending_op, std::move(operand));
    }
    return chain.finish();
  }

  static antlr4::tree::TerminalNode* innermost_number(P::PnumContext* ctx) {
    while (ctx->NUM() == nullptr) ctx = ctx->pnum();
    return ctx->NUM();
  }

  static Built qualified(const ast::Qualifiers& q, std::optional<SourceSpan> head_span, ast::Value value,
                         SourceSpan value_span, bool plain) {
    ast::Qualified primitive{q, std::move(value), value_span, !head_span.has_value()};
    if (!head_span) primitive.q.span = {};
    const SourceSpan where = head_span && plain ? join(*head_span, value_span) : value_span;
    return {make(std::move(primitive), where)};
  }

  ast::Value value(P::NidAtomContext* ctx) const {
    if (auto* c = dynamic_cast<P::NameValueContext*>(ctx)) return name(c->ID());
    if (auto* c = dynamic_cast<P::Ipv4PrefixValueContext*>(ctx)) {
      return ast::NetPrefix{ipv4(c->HID()), number(c->NUM())};
    }
    if (auto* c = dynamic_cast<P::Ipv4MaskValueContext*>(ctx)) return ast::NetMask{ipv4(c->HID(0)), ipv4(c->HID(1))};
    if (auto* c = dynamic_cast<P::Ipv4ValueContext*>(ctx)) return ipv4(c->HID());
    if (auto* c = dynamic_cast<P::Ipv6PrefixValueContext*>(ctx)) {
      return ast::NetPrefix{ipv6(c->HID6()), number(c->NUM())};
    }
    if (auto* c = dynamic_cast<P::Ipv6ValueContext*>(ctx)) return ipv6(c->HID6());
    if (auto* c = dynamic_cast<P::MacValueContext*>(ctx)) {
      ast::Mac mac;
      mac.text = text(c->EID());
      mac.bytes = mac48_value(mac.text).value_or(std::array<uint8_t, 6>{});
      return mac;
    }
    auto* c = dynamic_cast<P::ArcnetValueContext*>(ctx);
    ast::Mac8 mac8;
    mac8.text = text(c->AID());
    mac8.address = mac8_value(mac8.text).value_or(0);
    return mac8;
  }

  ast::Ipv4 ipv4(antlr4::tree::TerminalNode* node) const {
    ast::Ipv4 address;
    address.text = text(node);
    const auto dotted = dotted_ipv4_value(address.text);
    address.value = dotted ? dotted->value : 0;
    address.components = dotted ? dotted->components : 0;
    return address;
  }

  // HID6 tokens reaching the parser are valid: reject_bad_tokens retyped the rest.
  ast::Ipv6 ipv6(antlr4::tree::TerminalNode* node) const {
    ast::Ipv6 address;
    address.text = text(node);
    address.bytes = ipv6_value(address.text).value_or(std::array<uint8_t, 16>{});
    return address;
  }

  // ---- Keyword primitives --------------------------------------------------

  std::optional<uint32_t> optional_number(P::PnumContext* ctx) const {
    if (ctx == nullptr) return std::nullopt;
    return number(innermost_number(ctx));
  }

  ast::Node other(P::OtherContext* ctx) {
    if (auto* c = dynamic_cast<P::BroadcastContext*>(ctx)) {
      const ProtoWord word = c->pname() ? pname(c->pname()) : ProtoWord{ast::Proto::Default, ast::LinkWord::None};
      return ast::Broadcast{word.proto, word.link_word};
    }
    if (auto* c = dynamic_cast<P::MulticastContext*>(ctx)) {
      const ProtoWord word = c->pname() ? pname(c->pname()) : ProtoWord{ast::Proto::Default, ast::LinkWord::None};
      return ast::Multicast{word.proto, word.link_word};
    }
    if (auto* c = dynamic_cast<P::LessContext*>(ctx)) return ast::Less{number(c->NUM())};
    if (auto* c = dynamic_cast<P::GreaterContext*>(ctx)) return ast::Greater{number(c->NUM())};
    if (auto* c = dynamic_cast<P::ByteCompareContext*>(ctx)) {
      return ast::Byte{byteop_of(c->byteop()->getStart()->getType()), number(c->NUM(0)), number(c->NUM(1))};
    }
    if (dynamic_cast<P::InboundContext*>(ctx) != nullptr) return ast::Inbound{};
    if (dynamic_cast<P::OutboundContext*>(ctx) != nullptr) return ast::Outbound{};
    if (auto* c = dynamic_cast<P::IfindexContext*>(ctx)) return ast::Ifindex{number(c->NUM())};
    if (auto* c = dynamic_cast<P::VlanContext*>(ctx)) return ast::Vlan{optional_number(c->pnum())};
    if (auto* c = dynamic_cast<P::MplsContext*>(ctx)) return ast::Mpls{optional_number(c->pnum())};
    if (dynamic_cast<P::PppoedContext*>(ctx) != nullptr) return ast::Pppoed{};
    if (auto* c = dynamic_cast<P::PppoesContext*>(ctx)) return ast::Pppoes{optional_number(c->pnum())};
    if (auto* c = dynamic_cast<P::GeneveContext*>(ctx)) return ast::Geneve{optional_number(c->pnum())};
    if (auto* c = dynamic_cast<P::VxlanContext*>(ctx)) return ast::Vxlan{optional_number(c->pnum())};
    if (auto* c = dynamic_cast<P::PflogContext*>(ctx)) return pflog(c->pfvar());
    if (auto* c = dynamic_cast<P::WlanContext*>(ctx)) return wlan(c->p80211());
    auto* c = dynamic_cast<P::LlcContext*>(ctx);
    if (c->ID() != nullptr) return ast::Llc{name(c->ID()).text};
    // `rnr` is also a pflog keyword; libpcap's grammar takes it here as the LLC
    // S-frame subtype, whichever of its spellings (`rnr`, `rulenum`) was used.
    if (c->PF_RNR() != nullptr) return ast::Llc{std::string("rnr")};
    return ast::Llc{};
  }

  ast::Node pflog(P::PfvarContext* ctx) const {
    ast::Pflog result{};
    switch (ctx->getStart()->getType()) {
      case L::PF_IFNAME: result.field = ast::PflogField::Ifname; break;
      case L::PF_RSET: result.field = ast::PflogField::Ruleset; break;
      case L::PF_RNR: result.field = ast::PflogField::Rulenum; break;
      case L::PF_SRNR: result.field = ast::PflogField::Subrulenum; break;
      case L::PF_REASON: result.field = ast::PflogField::Reason; break;
      default: result.field = ast::PflogField::Action; break;
    }
    if (ctx->NUM() != nullptr) {
      result.text = text(ctx->NUM());
      result.number = number(ctx->NUM());
    } else {
      result.text = name(ctx->ID()).text;
    }
    return result;
  }

  std::variant<uint32_t, std::string> wlan_value(P::WlanValueContext* ctx) const {
    if (ctx->NUM() != nullptr) return number(ctx->NUM());
    return name(ctx->ID()).text;
  }

  ast::Node wlan(P::P80211Context* ctx) const {
    if (auto* c = dynamic_cast<P::WlanTypeContext*>(ctx)) {
      if (c->SUBTYPE() == nullptr) return ast::Wlan{ast::WlanField::Type, wlan_value(c->wlanValue(0)), std::nullopt};
      return ast::Wlan{ast::WlanField::TypeSubtype, wlan_value(c->wlanValue(0)), wlan_value(c->wlanValue(1))};
    }
    if (auto* c = dynamic_cast<P::WlanSubtypeContext*>(ctx)) {
      return ast::Wlan{ast::WlanField::Subtype, name(c->ID()).text, std::nullopt};
    }
    auto* c = dynamic_cast<P::WlanDirContext*>(ctx);
    return ast::Wlan{ast::WlanField::Dir, wlan_value(c->wlanValue()), std::nullopt};
  }

  // ---- Arithmetic ------------------------------------------------------------

  BuiltArith arith(P::ArthContext* ctx) {
    std::vector<ArithOperand> operands;
    for (P::ArthOperandContext* operand : ctx->arthOperand()) {
      ArithOperand built;
      for (antlr4::tree::TerminalNode* minus : operand->MINUS()) built.minus_signs.push_back(span(minus));
      BuiltArith primary = arith_primary(operand->arthPrimary());
      built.primary = std::move(primary.arith);
      built.depth = primary.depth;
      operands.push_back(std::move(built));
    }
    std::vector<ast::ArithOp> operators;
    for (P::ArthOperatorContext* op : ctx->arthOperator()) operators.push_back(arith_op(op->getStart()->getType()));
    return apply_precedence(std::move(operands), operators);
  }

  BuiltArith arith_primary(P::ArthPrimaryContext* ctx) {
    const SourceSpan where = span(ctx);
    if (auto* c = dynamic_cast<P::PacketAccessContext*>(ctx)) {
      BuiltArith index = arith(c->arth());
      const ProtoWord word = pname(c->pname());
      ast::PacketAccess access;
      access.proto = word.proto;
      access.link_word = word.link_word;
      access.index = std::make_unique<ast::Arith>(std::move(index.arith));
      access.size = c->NUM() != nullptr ? number(c->NUM()) : 1;
      const size_t depth = checked_depth(index.depth + 1, where);
      return {ast::Arith{std::move(access), where}, depth};
    }
    if (auto* c = dynamic_cast<P::ParenArthContext*>(ctx)) return arith(c->arth());
    if (dynamic_cast<P::LengthContext*>(ctx) != nullptr) return {ast::Arith{ast::ArithLen{}, where}};
    auto* c = dynamic_cast<P::NumberContext*>(ctx);
    return {ast::Arith{ast::ArithNumber{number(c->NUM())}, where}};
  }

  static ast::ArithOp arith_op(size_t token_type) {
    switch (token_type) {
      case L::PLUS: return ast::ArithOp::Add;
      case L::MINUS: return ast::ArithOp::Sub;
      case L::STAR: return ast::ArithOp::Mul;
      case L::SLASH: return ast::ArithOp::Div;
      case L::PERCENT: return ast::ArithOp::Mod;
      case L::AMP: return ast::ArithOp::And;
      case L::PIPE: return ast::ArithOp::Or;
      case L::CARET: return ast::ArithOp::Xor;
      case L::LSH: return ast::ArithOp::Shl;
      default: return ast::ArithOp::Shr;
    }
  }
};

}  // namespace

ast::ExprPtr build_ast(P::FilterContext* tree, std::string_view text) { return AstBuilder(text).filter(tree); }

}  // namespace bpfc::parse_detail
