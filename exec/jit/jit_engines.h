// The engines that run native code: `jit` (LLVM compiles the filter before
// the first packet) and `auto` (bpfc's interpreter runs at once while LLVM
// compiles on another thread; the filter switches over when the code is
// ready).
#pragma once

#include "bpfc/exec/engine.h"

namespace bpfc::exec {

Engine jit_engine();
Engine auto_engine();

}  // namespace bpfc::exec
