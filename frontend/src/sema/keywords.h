// The keywords libpcap's compiler prints for qualifiers and special
// primitives in its messages ("'tcp' is not a valid qualifier for 'port'").
// A qualifier left at its default has no keyword; libpcap then prints a
// placeholder such as "<invalid type 0>", and so do we; libpcap's Q_UNDEF
// (ast's Undef, qualifiers inherited from a term that has none) is 255.
#pragma once

#include <string>

#include "bpfc/frontend/ast.h"

namespace bpfc::sema {

std::string proto_keyword(ast::Proto proto);
std::string dir_keyword(ast::Dir dir);
std::string type_keyword(ast::AddrType type);
std::string atm_keyword(ast::AtmKeyword keyword);
std::string mtp_keyword(ast::MtpKeyword keyword);

}  // namespace bpfc::sema
