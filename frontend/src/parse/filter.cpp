#include "bpfc/frontend/parse.h"

#include <exception>
#include <string>

#include "PcapFilterLexer.h"
#include "PcapFilterParser.h"
#include "parse/antlr_caches.h"
#include "parse/ast_builder.h"
#include "parse/depth.h"
#include "parse/error_strategy.h"
#include "parse/tokens.h"

namespace bpfc {

namespace {

constexpr std::string_view kSyntaxError = "can't parse filter expression: syntax error";

// What the scanner said about the token the parse stopped at, if anything;
// otherwise it is a plain syntax error.
Diagnostic parse_error_at(antlr4::CommonTokenStream& tokens, size_t token_index,
                          const std::map<size_t, std::string>& scanner_messages, size_t text_size) {
  const SourceSpan where = parse_detail::token_span(tokens.get(token_index), text_size);
  if (auto it = scanner_messages.find(token_index); it != scanner_messages.end()) {
    return error_at(where, it->second);
  }
  return error_at(where, std::string(kSyntaxError));
}

}  // namespace

Result<ast::Filter> parse_filter(std::string_view text) {
  parse_detail::PrivatePredictionCaches& caches = parse_detail::prediction_caches_for_this_thread();
  parse_detail::ByteCharStream chars(text);
  bpfc_grammar::PcapFilterLexer lexer(&chars);
  caches.install(lexer);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  bpfc_grammar::PcapFilterParser parser(&tokens);
  caches.install(parser);
  parser.removeErrorListeners();

  tokens.fill();
  const auto scanner_messages = parse_detail::reject_bad_tokens(tokens);
  if (auto too_deep = parse_detail::check_nesting(tokens, text.size())) return *too_deep;

  parser.setErrorHandler(std::make_shared<parse_detail::StopAtFirstError>());

  ast::Filter filter;
  filter.text = std::string(text);
  try {
    bpfc_grammar::PcapFilterParser::FilterContext* tree = parser.filter();
    filter.expr = parse_detail::build_ast(tree, text);
  } catch (const parse_detail::SyntaxErrorFound& found) {
    return parse_error_at(tokens, found.token_index, scanner_messages, text.size());
  } catch (const parse_detail::SyntaxTreeTooDeep& deep) {
    return error_at(deep.span, std::string(parse_detail::kTooDeepMessage));
  } catch (const std::exception& unexpected) {
    // The ANTLR runtime should not throw anything else; if it does, the
    // caller still gets a diagnostic rather than an exception.
    return error(std::string("can't parse filter expression: ") + unexpected.what());
  }
  return filter;
}

}  // namespace bpfc
