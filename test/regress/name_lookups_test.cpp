// Names are looked up once per compile: sema binds what it resolves and the
// libpcap-compatible lowering reads those bindings, so a resolver that
// answers differently on a second call (a round-robin DNS name, an edited
// hosts file) cannot make sema check one address and lowering compile
// another, and a slow resolver is paid once.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "bpfc/frontend/resolver.h"
#include "bpfc/driver/compile.h"

namespace bpfc {
namespace {

// Counts the questions asked of the fixture resolver, by kind and name.
class CountingResolver final : public NameResolver {
 public:
  CountingResolver() : files_(make_file_resolver(BPFC_TEST_DIR "/fixtures/names")) {}

  std::vector<Ipv4Addr> host_ipv4(std::string_view name) const override {
    count("host_ipv4", name);
    return files_->host_ipv4(name);
  }
  std::vector<Ipv6Addr> host_ipv6(std::string_view name) const override {
    count("host_ipv6", name);
    return files_->host_ipv6(name);
  }
  std::optional<MacAddr> ether(std::string_view name) const override {
    count("ether", name);
    return files_->ether(name);
  }
  std::optional<uint32_t> network(std::string_view name) const override {
    count("network", name);
    return files_->network(name);
  }
  std::optional<uint16_t> service(std::string_view name, std::string_view proto) const override {
    count("service/" + std::string(proto), name);
    return files_->service(name, proto);
  }
  std::optional<uint8_t> protocol(std::string_view name) const override {
    count("protocol", name);
    return files_->protocol(name);
  }

  const std::map<std::pair<std::string, std::string>, int>& questions() const { return questions_; }

 private:
  void count(const std::string& kind, std::string_view name) const { ++questions_[{kind, std::string(name)}]; }

  std::unique_ptr<NameResolver> files_;
  mutable std::map<std::pair<std::string, std::string>, int> questions_;
};

class NameLookupsTest : public ::testing::TestWithParam<std::tuple<const char*, int>> {};

TEST_P(NameLookupsTest, EachNameIsAskedOnce) {
  const auto [filter, opt_level] = GetParam();
  CountingResolver resolver;
  CompileOptions options;
  options.resolver = &resolver;
  options.opt_level = opt_level;
  auto compiled = compile_cbpf(filter, options);
  ASSERT_TRUE(compiled.ok()) << filter << ": " << compiled.error().message;
  ASSERT_FALSE(resolver.questions().empty()) << filter << " resolved no name";
  for (const auto& [question, times] : resolver.questions()) {
    EXPECT_EQ(times, 1) << filter << " at -O" << opt_level << ": " << question.first << " '" << question.second
                        << "' was asked " << times << " times";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Names, NameLookupsTest,
    ::testing::Combine(::testing::Values("host eth-ipv4-ipv6.host123.libpcap.test",
                                         "src host eth-ipv4x4-ipv6x2.host357.libpcap.test and tcp",
                                         "net net-10-20-0-0.libpcap.test", "tcp port http",
                                         "port domain or port ssh", "portrange echo-ssh",
                                         "ether host eth-ipv4-noipv6.host123.libpcap.test",
                                         "gateway eth-ipv4-noipv6.host123.libpcap.test", "ip proto ospf",
                                         "ip6 proto gre and host noeth-noipv4-ipv6.host123.libpcap.test"),
                       ::testing::Values(0, 2)));

}  // namespace
}  // namespace bpfc
