// parse_filter keeps no shared state: parsing the same filters on several
// threads at once gives the same results as parsing them one by one.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "parse_test_support.h"

namespace bpfc::parsetest {
namespace {

TEST(ParseThreads, ConcurrentParsesAgreeWithSequentialOnes) {
  const std::vector<std::string> filters = {
      "host a or b and not c",   "tcp dst port ftp or ftp-data", "ip6 net fe80::/10 or 1:2:3:4:5:6",
      "1 + 2 % 3 + 4 = len",     "vpi (1 or 2) and lane",       "tcp or or udp",
      "ether[0:4] & 0xff != 0",  "09",                          "host (a or (b))",
      "type mgt subtype beacon", "not not not icmp",            "net 10.0.0.0 mask 255.0.0.0 or 11"};
  std::vector<std::string> expected;
  for (const auto& f : filters) expected.push_back(parsed(f));

  std::vector<std::vector<std::string>> results(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        for (const auto& f : filters) results[t].push_back(parsed(f));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& per_thread : results) {
    ASSERT_EQ(per_thread.size(), 50 * filters.size());
    for (size_t i = 0; i < per_thread.size(); ++i) EXPECT_EQ(per_thread[i], expected[i % filters.size()]);
  }
}

}  // namespace
}  // namespace bpfc::parsetest
