// What libpcap's yacc parser has already reduced when it meets a syntax (or
// scanner) error. Its semantic actions run as rules reduce, so a construct
// completed before the offending token has already gone through the code
// generator, and an error there ("port number 65536 greater than maximum
// 65535" in `port 65536 and`) is the one pcap_compile() reports instead of the
// syntax error.
//
// Which constructs have reduced follows from how the LR parser meets tokens:
//  - an operator (`and`, `or`, a comparison, an arithmetic operator, the `:`
//    of `proto[i:n]`) reduces its left operand before it is shifted, so the
//    text before an operator that precedes the offending token has reduced;
//  - a construct that the offending token directly follows has reduced too
//    (`ip proto 256 )`, `host 1.2.3.4.5 1`), except where the parser was
//    still deciding what it is: a lone protocol name that may qualify what
//    follows (`ether foo` is a plain syntax error; `ether )` is not), a lone
//    value at the start of the filter, a lone number that may begin an
//    arithmetic comparison, or a keyword waiting for its operand (`vlan (`).
// The reduced text gets its open parentheses closed, an unfinished
// `proto[` dropped (only the index inside has reduced), and an arithmetic
// expression left bare by a dropped comparison is completed to one (`= 0`),
// which adds nothing the code generator can refuse. This mirrors the
// decisions of libpcap's parser tables for the constructs tests exercise
// (test/diff/reject_order_test.cpp); it is not a second LR parser.
#include <string>
#include <vector>

#include "PcapFilterLexer.h"
#include "bpfc/frontend/parse.h"
#include "parse/antlr_caches.h"
#include "parse/tokens.h"

namespace bpfc {

namespace {

using bpfc_grammar::PcapFilterLexer;
using Tokens = std::vector<const antlr4::Token*>;

// Comparisons, arithmetic operators and the `:` of `proto[index:size]`:
// their left operand is an arithmetic expression.
bool is_arithmetic_operator(size_t type) {
  switch (type) {
    case PcapFilterLexer::EQ:
    case PcapFilterLexer::NEQ:
    case PcapFilterLexer::LT:
    case PcapFilterLexer::GT:
    case PcapFilterLexer::LEQ:
    case PcapFilterLexer::GEQ:
    case PcapFilterLexer::PLUS:
    case PcapFilterLexer::MINUS:
    case PcapFilterLexer::STAR:
    case PcapFilterLexer::SLASH:
    case PcapFilterLexer::PERCENT:
    case PcapFilterLexer::AMP:
    case PcapFilterLexer::PIPE:
    case PcapFilterLexer::CARET:
    case PcapFilterLexer::LSH:
    case PcapFilterLexer::RSH:
    case PcapFilterLexer::COLON:
      return true;
    default:
      return false;
  }
}

// Binary operators (and the `:` of `proto[index:size]`, the `subtype` after
// `type T`): the parser reduces their left operand before shifting them.
bool reduces_left_side(const Tokens& tokens, size_t i) {
  switch (tokens[i]->getType()) {
    case PcapFilterLexer::AND:
    case PcapFilterLexer::OR:
      return true;
    case PcapFilterLexer::SUBTYPE:
      return i >= 2 && tokens[i - 2]->getType() == PcapFilterLexer::TYPE;
    default:
      return is_arithmetic_operator(tokens[i]->getType());
  }
}

// Tokens that start a new term: what follows them is an expression of its own.
bool starts_term(size_t type) {
  return type == PcapFilterLexer::AND || type == PcapFilterLexer::OR || type == PcapFilterLexer::NOT ||
         type == PcapFilterLexer::LPAREN;
}

// Values: an address (or number) that may stand for a whole term.
bool is_value(size_t type) {
  switch (type) {
    case PcapFilterLexer::NUM:
    case PcapFilterLexer::ID:
    case PcapFilterLexer::HID:
    case PcapFilterLexer::HID6:
    case PcapFilterLexer::EID:
    case PcapFilterLexer::AID:
      return true;
    default:
      return false;
  }
}

// Whether tokens[i] is inside the parenthesized value list of a keyword
// (`sio (1 or 2)`, `vlan (1)`) rather than a parenthesized expression.
bool in_value_list(const Tokens& tokens, size_t i) {
  size_t depth = 0;
  while (i > 0) {
    --i;
    const size_t type = tokens[i]->getType();
    if (type == PcapFilterLexer::RPAREN) {
      ++depth;
    } else if (type == PcapFilterLexer::LPAREN) {
      if (depth == 0) return i > 0 && !starts_term(tokens[i - 1]->getType());
      --depth;
    }
  }
  return false;
}

// Tokens after which the parser still waits for an operand.
bool awaits_operand(const Tokens& tokens, size_t i) {
  const size_t type = tokens[i]->getType();
  return type == PcapFilterLexer::NOT || type == PcapFilterLexer::LPAREN || reduces_left_side(tokens, i);
}

// A protocol name: alone it is a test for the protocol, but it may also
// qualify what follows (`ether host ...`), and the parser decides which only
// on a token that fits one of the two.
bool is_protocol_name(size_t type) {
  switch (type) {
    case PcapFilterLexer::LINK:
    case PcapFilterLexer::IP:
    case PcapFilterLexer::ARP:
    case PcapFilterLexer::RARP:
    case PcapFilterLexer::SCTP:
    case PcapFilterLexer::TCP:
    case PcapFilterLexer::UDP:
    case PcapFilterLexer::ICMP:
    case PcapFilterLexer::IGMP:
    case PcapFilterLexer::IGRP:
    case PcapFilterLexer::PIM:
    case PcapFilterLexer::VRRP:
    case PcapFilterLexer::CARP:
    case PcapFilterLexer::ATALK:
    case PcapFilterLexer::AARP:
    case PcapFilterLexer::DECNET:
    case PcapFilterLexer::LAT:
    case PcapFilterLexer::SCA:
    case PcapFilterLexer::MOPDL:
    case PcapFilterLexer::MOPRC:
    case PcapFilterLexer::IPV6:
    case PcapFilterLexer::ICMPV6:
    case PcapFilterLexer::AH:
    case PcapFilterLexer::ESP:
    case PcapFilterLexer::ISO:
    case PcapFilterLexer::ESIS:
    case PcapFilterLexer::ISIS:
    case PcapFilterLexer::L1:
    case PcapFilterLexer::L2:
    case PcapFilterLexer::IIH:
    case PcapFilterLexer::LSP:
    case PcapFilterLexer::SNP:
    case PcapFilterLexer::PSNP:
    case PcapFilterLexer::CSNP:
    case PcapFilterLexer::CLNP:
    case PcapFilterLexer::STP:
    case PcapFilterLexer::IPX:
    case PcapFilterLexer::NETBEUI:
    case PcapFilterLexer::RADIO:
      return true;
    default:
      return false;
  }
}

// The first `count` tokens as a filter of their own, if they are a whole
// construct once their parentheses are closed. Inside an unfinished
// `proto[...]` only the index has reduced, not the load: the `proto[` is
// blanked out (keeping every offset, so spans still point into the text).
std::optional<ast::Filter> parse_completed(std::string_view text, const Tokens& tokens, size_t count) {
  // Before a comparison, an arithmetic operator or the `:` of `proto[i:n]`
  // the parser reduced an arithmetic operand (`2` in `tcp && 2 ==` is a
  // number, not a host): only a comparison completes it.
  const bool arithmetic = count < tokens.size() && is_arithmetic_operator(tokens[count]->getType());
  if (count == 0) return std::nullopt;
  std::string reduced(text.substr(0, tokens[count - 1]->getStopIndex() + 1));
  size_t open_parens = 0;
  std::vector<size_t> open_brackets;  // token indexes of unclosed `[`
  for (size_t i = 0; i < count; ++i) {
    switch (tokens[i]->getType()) {
      case PcapFilterLexer::LPAREN:
        ++open_parens;
        break;
      case PcapFilterLexer::RPAREN:
        if (open_parens == 0) return std::nullopt;
        --open_parens;
        break;
      case PcapFilterLexer::LBRACKET:
        open_brackets.push_back(i);
        break;
      case PcapFilterLexer::RBRACKET:
        if (open_brackets.empty()) return std::nullopt;
        open_brackets.pop_back();
        break;
      default:
        break;
    }
  }
  for (size_t bracket : open_brackets) {
    const size_t from = tokens[bracket > 0 ? bracket - 1 : bracket]->getStartIndex();
    const size_t to = tokens[bracket]->getStopIndex() + 1;
    reduced.replace(from, to - from, to - from, ' ');
  }
  const std::string closers(open_parens, ')');
  if (!arithmetic) {
    if (Result<ast::Filter> parsed = parse_filter(reduced + closers)) return std::move(*parsed);
  }
  if (Result<ast::Filter> parsed = parse_filter(reduced + " = 0" + closers)) return std::move(*parsed);
  return std::nullopt;
}

// How many operators back from the offending token to look for a reduced
// construct: enough for any construct, and it keeps the work on a long
// erroneous filter linear.
constexpr int kMaxCutBacks = 8;

}  // namespace

std::optional<ast::Filter> parse_reduced_prefix(std::string_view text, const Diagnostic& parse_error) {
  if (!parse_error.span || parse_error.span->begin > text.size()) return std::nullopt;
  const size_t stop = parse_error.span->begin;

  parse_detail::PrivatePredictionCaches& caches = parse_detail::prediction_caches_for_this_thread();
  parse_detail::ByteCharStream chars(text);
  PcapFilterLexer lexer(&chars);
  caches.install(lexer);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream stream(&lexer);
  stream.fill();
  Tokens tokens;
  size_t offending = antlr4::Token::EOF;
  for (const antlr4::Token* token : stream.getTokens()) {
    if (token->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    if (token->getType() == antlr4::Token::EOF || token->getStartIndex() >= stop) {
      offending = token->getType();
      break;
    }
    tokens.push_back(token);
  }

  // The construct just before the offending token, and the operators
  // waiting after it.
  size_t end = tokens.size();
  while (end > 0 && awaits_operand(tokens, end - 1)) --end;
  bool tail_reduced = false;
  if (end < tokens.size()) {
    tail_reduced = reduces_left_side(tokens, end);
  } else {
    size_t start = end;
    while (start > 0 && !starts_term(tokens[start - 1]->getType())) --start;
    if (end - start == 1) {
      // A term of one token: a protocol name reduces on a `)`, which can
      // only end a term. A lone value reduces when it continues the
      // qualifiers of an earlier term (`tcp and foo`), not at the start of
      // the filter.
      const size_t type = tokens[start]->getType();
      if (is_protocol_name(type)) {
        tail_reduced = offending == PcapFilterLexer::RPAREN;
      } else if (is_value(type)) {
        size_t before = start;
        while (before > 0 && (tokens[before - 1]->getType() == PcapFilterLexer::NOT ||
                              tokens[before - 1]->getType() == PcapFilterLexer::LPAREN)) {
          --before;
        }
        // A number there may still begin an arithmetic comparison, unless
        // what ends the text or a `)` ends it, or it is in a keyword's list
        // (`sio (73 or 74`).
        tail_reduced = before > 0 && (type != PcapFilterLexer::NUM || offending == PcapFilterLexer::RPAREN ||
                                      offending == static_cast<size_t>(antlr4::Token::EOF) ||
                                      in_value_list(tokens, start));
      } else {
        tail_reduced = true;
      }
    } else {
      tail_reduced = end > start;
    }
  }
  if (tail_reduced) {
    if (std::optional<ast::Filter> filter = parse_completed(text, tokens, end)) return filter;
  }
  // Otherwise what precedes an earlier operator.
  for (int cut = 0; cut < kMaxCutBacks; ++cut) {
    do {
      if (end == 0) return std::nullopt;
      --end;
    } while (!reduces_left_side(tokens, end));
    if (std::optional<ast::Filter> filter = parse_completed(text, tokens, end)) return filter;
  }
  return std::nullopt;
}

}  // namespace bpfc
