// A live capture's filter as the library tests give it: compiled in the
// Linux live context for the capture's link type, with the classic BPF
// interpreter as its user-space form.
#pragma once

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "bpfc/capture/live.h"
#include "bpfc/driver/compile.h"

namespace bpfc::livetest {

inline capture::LiveFilter live_filter(const std::string& expression, uint32_t dlt) {
  CompileOptions options;
  options.linktype = dlt;
  options.context = CompileContext::Linux;
  auto program = compile_cbpf(expression, options);
  EXPECT_TRUE(program.ok()) << expression;
  capture::LiveFilter filter;
  filter.expression = expression;
  if (!program.ok()) return filter;
  filter.program = *program;
  filter.userspace = capture::classic_userspace_filter(*program);
  return filter;
}

}  // namespace bpfc::livetest
