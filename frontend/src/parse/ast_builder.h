// Parse tree -> AST, resolving qualifier inheritance the way libpcap's yacc
// grammar does. Private to the parser.
#pragma once

#include <string_view>

#include "PcapFilterParser.h"
#include "bpfc/frontend/ast.h"

namespace bpfc::parse_detail {

// Builds the AST of a successfully parsed filter; null for the empty filter.
// Throws SyntaxTreeTooDeep (parse/depth.h) if the tree would be too deep.
// `text` is the filter the parse tree's token offsets refer to.
ast::ExprPtr build_ast(bpfc_grammar::PcapFilterParser::FilterContext* tree, std::string_view text);

}  // namespace bpfc::parse_detail
