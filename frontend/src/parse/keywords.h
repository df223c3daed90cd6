// What each keyword token means in the AST: protocol, direction and address
// qualifiers, relations, ATM and MTP keywords. Private to the parser.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "bpfc/frontend/ast.h"

namespace bpfc::parse_detail {

struct ProtoWord {
  ast::Proto proto;
  ast::LinkWord link_word;
};

// A `pname` token (with its text, which tells `ether` from `fddi`...).
ProtoWord proto_of(size_t token_type, std::string_view text);
ast::AddrType addr_type_of(size_t token_type);
ast::RelOp relop_of(size_t token_type);
ast::ByteOp byteop_of(size_t token_type);
ast::AtmKeyword atm_keyword_of(size_t token_type);
ast::MtpKeyword mtp_keyword_of(size_t token_type);

}  // namespace bpfc::parse_detail
