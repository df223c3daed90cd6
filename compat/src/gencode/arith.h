// Arithmetic expressions, packet accesses (`proto[expr:size]`), relations,
// `len`, `less`, `greater` and `byte`, as libpcap's code generator builds
// them: every intermediate result goes through a scratch register, all the
// statements of a relation end up in one block, and the protocol checks an
// access needs are tested before that block.
#pragma once

#include <optional>

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

// A relational operator as a jump and whether its sense is reversed
// (`<=` is the reverse of `>`); none (a bare value) is `==`.
struct RelopJump {
  int jump;
  bool reversed;
};
RelopJump relop_jump(std::optional<ast::RelOp> op);

Fragment gen_relation(Codegen& cg, const ast::Relation& rel);
Fragment gen_less(Codegen& cg, uint32_t length);
Fragment gen_greater(Codegen& cg, uint32_t length);
Fragment gen_byteop(Codegen& cg, const ast::Byte& byte);

}  // namespace bpfc::lower
