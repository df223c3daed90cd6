// SS7 signalling links (MTP2, MTP2 with pseudo-header, ERF): the MTP2 signal
// unit kinds (`fisu`, `lssu`, `msu` and the high-speed `h` forms) and the
// MTP3 routing-label fields (`sio`, `opc`, `dpc`, `sls` and `hsio`...).
#pragma once

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

Fragment gen_mtp(Codegen& cg, const ast::Mtp& mtp);

}  // namespace bpfc::lower
