// Every message the two validators can produce, each once: the message says
// what is wrong without the instruction index; `index` names the instruction
// (none for problems of the whole program), and describe() puts the two
// together exactly once.
#include <gtest/gtest.h>

#include <set>

#include "bpfc/runtime/cbpf_vm.h"
#include "validation_message_cases.h"

namespace bpfc::runtime {
namespace {

using namespace cbpf;
using testing::every_message;
using testing::MessageCase;

const ValidationRules kKernel = ValidationRules::LinuxKernel;

TEST(ValidationMessages, EachSaysWhatOnceAndNamesItsInstructionOnce) {
  std::set<std::string> seen;
  for (const MessageCase& c : every_message()) {
    const auto error = validate_cbpf(c.program, c.rules);
    const char* rules = c.rules == kKernel ? "kernel" : "libpcap";
    ASSERT_TRUE(error) << rules << ": " << c.message;
    EXPECT_EQ(error->message, c.message) << rules;
    EXPECT_EQ(error->index, c.index) << rules << ": " << c.message;
    EXPECT_EQ(error->message.find("instruction " + std::to_string(c.index.value_or(0)) + ":"), std::string::npos);
    if (c.index) {
      EXPECT_EQ(error->describe(), "instruction " + std::to_string(*c.index) + ": " + c.message);
    } else {
      EXPECT_EQ(error->describe(), c.message);
    }
    seen.insert(std::string(rules) + ": " + c.message);
  }
  EXPECT_EQ(seen.size(), every_message().size()) << "a case is listed twice";
}

}  // namespace
}  // namespace bpfc::runtime
