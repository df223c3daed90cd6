// The target registry: what is registered, lookup by name, settings checks,
// and that compiling through a target gives what the direct API gives.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "bpfc/cbpf/format.h"
#include "bpfc/driver/compile.h"
#include "bpfc/driver/target.h"

namespace bpfc::driver {
namespace {

TEST(TargetRegistry, ListsTodaysTargetsInRegistrationOrder) {
  const TargetRegistry& registry = targets();
  ASSERT_GE(registry.all().size(), 2u);
  EXPECT_EQ(registry.all()[0].name, "cbpf");
  EXPECT_EQ(registry.all()[0].name, kDefaultTarget);
  EXPECT_NE(registry.find("ir"), nullptr);
  EXPECT_NE(registry.find("ebpf"), nullptr);
  EXPECT_EQ(registry.names().rfind("cbpf, ebpf, llvm, ir", 0), 0u) << registry.names();
}

TEST(TargetRegistry, EveryTargetDescribesItself) {
  std::set<std::string> names;
  for (const Target& target : targets().all()) {
    EXPECT_TRUE(names.insert(target.name).second) << "two targets named " << target.name;
    EXPECT_FALSE(target.description.empty()) << target.name;
    EXPECT_EQ(target.description.find('\n'), std::string::npos) << target.name << ": one line";
    EXPECT_FALSE(target.emits.empty()) << target.name;
    EXPECT_TRUE(static_cast<bool>(target.emit)) << target.name;
    for (const TargetOption& option : target.options) {
      // A free-form value (a name, a triple) says how --help shows it.
      EXPECT_FALSE(option.values.empty() && option.value_name.empty())
          << target.name << " " << option.name << " has neither a default nor a value name";
    }
  }
}

TEST(TargetRegistry, LookupIsByExactName) {
  const TargetRegistry& registry = targets();
  const Target* cbpf = registry.find("cbpf");
  ASSERT_NE(cbpf, nullptr);
  EXPECT_EQ(cbpf->name, "cbpf");
  EXPECT_EQ(registry.find("CBPF"), nullptr);
  EXPECT_EQ(registry.find("LLVM"), nullptr);
  EXPECT_EQ(registry.find("wasm"), nullptr);
  EXPECT_EQ(registry.find(""), nullptr);
}

TEST(TargetRegistry, WhatEachTargetEmits) {
  const Target& cbpf = *targets().find("cbpf");
  EXPECT_EQ(cbpf.emits, (std::vector<Emits>{Emits::TextListing, Emits::Json, Emits::ExecutableFilter}));
  const Target& ir = *targets().find("ir");
  EXPECT_EQ(ir.emits, std::vector<Emits>{Emits::TextListing});
  EXPECT_EQ(describe(Emits::BinaryObject), "binary object");
}

Target named(std::string name, std::string description) {
  Target target;
  target.name = std::move(name);
  target.description = std::move(description);
  return target;
}

TEST(TargetRegistry, AddRefusesASecondTargetOfTheSameName) {
  TargetRegistry registry;
  EXPECT_TRUE(registry.add(named("x", "first")));
  EXPECT_FALSE(registry.add(named("x", "second")));
  ASSERT_EQ(registry.all().size(), 1u);
  EXPECT_EQ(registry.find("x")->description, "first");
}

TEST(TargetSettings, UnknownOptionsAndValuesAreRefused) {
  const Target& cbpf = *targets().find("cbpf");
  EXPECT_EQ(cbpf.check_settings({{"format", "json"}}), std::nullopt);
  EXPECT_EQ(cbpf.check_settings({{"listing", "ddd"}}), std::nullopt);
  EXPECT_NE(cbpf.check_settings({{"format", "xml"}}), std::nullopt);
  EXPECT_NE(cbpf.check_settings({{"colour", "red"}}), std::nullopt);
  const Target& ir = *targets().find("ir");
  EXPECT_NE(ir.check_settings({{"format", "json"}}), std::nullopt);
  EXPECT_EQ(cbpf.setting({}, "format"), "text");  // the default is the first value
  EXPECT_EQ(cbpf.setting({{"format", "json"}}, "format"), "json");
}

TEST(CompileForTarget, GivesWhatTheDirectApiGives) {
  CompileOptions options;
  const std::string filter = "tcp port 80 or udp";
  auto program = compile_cbpf(filter, options);
  ASSERT_TRUE(program);
  auto listing = compile_for_target(filter, *targets().find("cbpf"), options);
  ASSERT_TRUE(listing) << listing.error().message;
  EXPECT_EQ(listing->output.bytes, cbpf::format_listing(*program));
  EXPECT_EQ(listing->output.instructions, program->size());
  auto json = compile_for_target(filter, *targets().find("cbpf"), options, {{"format", "json"}});
  ASSERT_TRUE(json);
  std::string expected_json = cbpf::format_json(*program);
  if (expected_json.back() != '\n') expected_json += '\n';
  EXPECT_EQ(json->output.bytes, expected_json);
  auto c_array = compile_for_target(filter, *targets().find("cbpf"), options, {{"listing", "dd"}});
  ASSERT_TRUE(c_array);
  EXPECT_EQ(c_array->output.bytes, cbpf::format_c_array(*program));

  auto function = compile_to_ir(filter, options);
  ASSERT_TRUE(function);
  auto ir_text = compile_for_target(filter, *targets().find("ir"), options);
  ASSERT_TRUE(ir_text);
  EXPECT_EQ(ir_text->output.bytes, ir::print(*function));
  EXPECT_EQ(ir_text->output.instructions, std::nullopt);
}

TEST(CompileForTarget, ErrorsAreTheCompilersAndTheSettings) {
  CompileOptions options;
  auto refused = compile_for_target("tcp and", *targets().find("cbpf"), options);
  ASSERT_FALSE(refused);
  auto direct = compile_cbpf("tcp and", options);
  ASSERT_FALSE(direct);
  EXPECT_EQ(refused.error().message, direct.error().message);
  EXPECT_EQ(refused.error().span, direct.error().span);
  auto bad_setting = compile_for_target("tcp", *targets().find("ir"), options, {{"listing", "dd"}});
  ASSERT_FALSE(bad_setting);
  EXPECT_NE(bad_setting.error().message.find("has no option 'listing'"), std::string::npos)
      << bad_setting.error().message;
}

TEST(CompileForTarget, TheCbpfTargetWarnsOfAProgramTheKernelRefuses) {
  CompileOptions options;
  auto looped = compile_for_target("ip6 protochain 6", *targets().find("cbpf"), options);
  ASSERT_TRUE(looped);
  ASSERT_EQ(looped->output.warnings.size(), 1u);
  EXPECT_NE(looped->output.warnings[0].find("the Linux kernel will refuse"), std::string::npos);
  auto plain = compile_for_target("tcp", *targets().find("cbpf"), options);
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->output.warnings.empty());
}

}  // namespace
}  // namespace bpfc::driver
