#include "parse/tokens.h"

#include <variant>

#include "PcapFilterLexer.h"
#include "parse/depth.h"
#include "parse/literals.h"

namespace bpfc::parse_detail {

using bpfc_grammar::PcapFilterLexer;

ByteCharStream::ByteCharStream(std::string_view text) {
  _data.reserve(text.size());
  for (char c : text) _data.push_back(static_cast<unsigned char>(c));
}

std::map<size_t, std::string> reject_bad_tokens(antlr4::CommonTokenStream& tokens) {
  std::map<size_t, std::string> messages;
  for (antlr4::Token* token : tokens.getTokens()) {
    // Only these token types get checked: the others' text is not needed.
    const size_t type = token->getType();
    if (type != PcapFilterLexer::NUM && type != PcapFilterLexer::HID6 && type != PcapFilterLexer::BAD_EID) continue;
    auto* writable = dynamic_cast<antlr4::WritableToken*>(token);
    if (writable == nullptr) continue;
    const std::string text = token->getText();
    switch (type) {
      case PcapFilterLexer::NUM:
        if (auto value = number_value(text); std::holds_alternative<std::string>(value)) {
          messages[token->getTokenIndex()] = std::get<std::string>(value);
          writable->setType(PcapFilterLexer::LEX_ERROR);
        }
        break;
      case PcapFilterLexer::HID6:
        if (!ipv6_value(text)) {
          messages[token->getTokenIndex()] = "invalid IPv6 address " + text;
          writable->setType(PcapFilterLexer::LEX_ERROR);
        }
        break;
      case PcapFilterLexer::BAD_EID:
        messages[token->getTokenIndex()] = "invalid Ethernet address " + text;
        writable->setType(PcapFilterLexer::LEX_ERROR);
        break;
      default:
        break;
    }
  }
  return messages;
}

std::optional<Diagnostic> check_nesting(antlr4::CommonTokenStream& tokens, size_t text_size) {
  size_t open_parens = 0;
  size_t prefix_run = 0;  // consecutive `not`/`!`/`-`
  for (antlr4::Token* token : tokens.getTokens()) {
    switch (token->getType()) {
      case PcapFilterLexer::LPAREN:
        ++open_parens;
        prefix_run = 0;
        break;
      case PcapFilterLexer::RPAREN:
        if (open_parens > 0) --open_parens;
        prefix_run = 0;
        break;
      case PcapFilterLexer::NOT:
      case PcapFilterLexer::MINUS:
        ++prefix_run;
        break;
      default:
        prefix_run = 0;
        break;
    }
    if (open_parens + prefix_run > kMaxSyntaxDepth) {
      return error_at(token_span(token, text_size), std::string(kTooDeepMessage));
    }
  }
  return std::nullopt;
}

SourceSpan token_span(const antlr4::Token* token, size_t text_size) {
  if (token->getType() == antlr4::Token::EOF) {
    const auto end = static_cast<uint32_t>(text_size);
    return {end, end};
  }
  return {static_cast<uint32_t>(token->getStartIndex()), static_cast<uint32_t>(token->getStopIndex() + 1)};
}

}  // namespace bpfc::parse_detail
