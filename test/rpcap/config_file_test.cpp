// bpfc-rpcapd's configuration file without a daemon: what format_config
// writes parses back to the same settings, the spellings libpcap's rpcapd
// reads are read, every malformed line is refused with the file and line
// named, the size bounds hold, and a file's settings replace only the
// command-line options they name.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include <fstream>

#include "../support/scratch_dir.h"
#include "bpfc/capture/rpcap/config_file.h"

namespace rpcap = bpfc::capture::rpcap;

namespace {

sockaddr_storage peer(const char* text) {
  sockaddr_storage address{};
  auto& v4 = reinterpret_cast<sockaddr_in&>(address);
  v4.sin_family = AF_INET;
  inet_pton(AF_INET, text, &v4.sin_addr);
  return address;
}

rpcap::RpcapdConfig parsed(const std::string& text) {
  auto config = rpcap::parse_config(text, "t.conf");
  EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message) << "\n" << text;
  return config.ok() ? *config : rpcap::RpcapdConfig{};
}

}  // namespace

TEST(RpcapdConfigFile, WrittenFilesParseBackTheSame) {
  rpcap::RpcapdConfig full;
  full.passive_clients = {"127.0.0.1", "::1", "192.0.2.10"};
  full.active_clients = {{"192.0.2.20", 2003}, {"2001:db8::7", 9999}};
  full.null_auth_permit = true;
  EXPECT_EQ(parsed(rpcap::format_config(full)), full);
  full.null_auth_permit = false;
  EXPECT_EQ(parsed(rpcap::format_config(full)), full);
  rpcap::RpcapdConfig empty;  // no settings, no NullAuthPermit line
  EXPECT_EQ(parsed(rpcap::format_config(empty)), empty);
  EXPECT_EQ(rpcap::format_config(empty).find("NullAuthPermit ="), std::string::npos);
  // The written lines are libpcap's: "Name = value", "HOST, PORT".
  const std::string text = rpcap::format_config(full);
  EXPECT_NE(text.find("\nPassiveClient = ::1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nActiveClient = 192.0.2.20, 2003\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nNullAuthPermit = NO\n"), std::string::npos) << text;
}

TEST(RpcapdConfigFile, ReadsTheSpellingsLibpcapReads) {
  const auto config = parsed(
      "   # indented comment\n"
      "\n"
      "PassiveClient=10.0.0.1\n"
      "\tPassiveClient \t=\t 10.0.0.2   # a comment after the value\n"
      "PassiveClient = fe80::1\r\n"
      "ActiveClient = 10.0.0.3,DEFAULT\n"
      "ActiveClient = ::1;2004\n"
      "ActiveClient = 10.0.0.4 2005#comment\n"
      "ActiveClient = 10.0.0.5,  2006\n"
      "NullAuthPermit = YES\n"
      "NullAuthPermit = NO\n"
      "PassiveClient = 10.0.0.6");  // no newline at the end
  EXPECT_EQ(config.passive_clients, (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "fe80::1", "10.0.0.6"}));
  EXPECT_EQ(config.active_clients, (std::vector<rpcap::ActiveClient>{
                                       {"10.0.0.3", 2003}, {"::1", 2004}, {"10.0.0.4", 2005}, {"10.0.0.5", 2006}}));
  EXPECT_EQ(config.null_auth_permit, false);  // the last line wins
  EXPECT_EQ(parsed(""), rpcap::RpcapdConfig{});
  EXPECT_EQ(parsed("# only\n\n  \n"), rpcap::RpcapdConfig{});
}

TEST(RpcapdConfigFile, MalformedLinesNameTheFileAndLine) {
  struct Case {
    std::string text;
    std::string expected;  // part of the message after "t.conf:"
  };
  const std::vector<Case> cases = {
      {"Foo = 1\n", "1: unknown parameter 'Foo'"},
      {"passiveclient = 10.0.0.1\n", "1: unknown parameter 'passiveclient'"},
      {"# c\n\nPassiveClient 10.0.0.1\n", "3: 'PassiveClient' has no '='"},
      {"PassiveClient =\n", "1: 'PassiveClient' has no value"},
      {"PassiveClient =   # nothing\n", "1: 'PassiveClient' has no value"},
      {"PassiveClient = host.example\n", "1: PassiveClient: 'host.example' is not a numeric"},
      {"PassiveClient = 10.0.0.1 10.0.0.2\n", "1: PassiveClient takes one address"},
      {"PassiveClient = 10.0.0.1,10.0.0.2\n", "1: PassiveClient takes one address per line"},
      {"PassiveClient = 10.0.0.256\n", "is not a numeric"},
      {"ActiveClient = 10.0.0.1\n", "1: ActiveClient '10.0.0.1' has no port"},
      {"ActiveClient = 10.0.0.1,\n", "has no port"},
      {"ActiveClient = , 2003\n", "1: ActiveClient has no address"},
      {"ActiveClient = 10.0.0.1, http\n", "port 'http' is not a number"},
      {"ActiveClient = 10.0.0.1, 0\n", "port '0'"},
      {"ActiveClient = 10.0.0.1, 65536\n", "port '65536'"},
      {"ActiveClient = 10.0.0.1 , 2003\n", "one address and one port"},
      {"ActiveClient = 10.0.0.1\t2003\n", "separate the address and the port"},
      {"ActiveClient = 10.0.0.1, 2003 extra\n", "one address and one port"},
      {"ActiveClient = probe.example, 2003\n", "'probe.example' is not a numeric"},
      {"NullAuthPermit = yes\n", "1: NullAuthPermit is YES or NO"},
      {"NullAuthPermit = YES NO\n", "NullAuthPermit takes one value"},
      {"= 10.0.0.1\n", "1: expected a parameter name"},
      {"1Passive = 10.0.0.1\n", "1: expected a parameter name"},
      {std::string("PassiveClient = 10.0.0.1\0\n", 26), "1: a NUL byte"},
      {"PassiveClient = 10.0.0.1\n" + std::string(2047, '#') + "\n", "2: longer than 2046 characters"},
  };
  for (const auto& c : cases) {
    auto config = rpcap::parse_config(c.text, "t.conf");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.error().message.rfind("t.conf:", 0), 0u) << config.error().message;
    EXPECT_NE(config.error().message.find(c.expected), std::string::npos)
        << "wanted '" << c.expected << "' in '" << config.error().message << "'";
  }
  // A line of exactly the longest length is read.
  EXPECT_TRUE(rpcap::parse_config("#" + std::string(2045, 'x') + "\n", "t.conf").ok());
}

TEST(RpcapdConfigFile, BoundsHold) {
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += "ActiveClient = 10.0.0." + std::to_string(i + 1) + ", 2003\n";
  auto config = rpcap::parse_config(eleven, "t.conf");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("t.conf:11: more than 10 ActiveClient lines"), std::string::npos)
      << config.error().message;

  std::string big;
  while (big.size() <= rpcap::kConfigMaxFileBytes) big += "# padding padding padding padding padding padding\n";
  config = rpcap::parse_config(big, "big.conf");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("big.conf: larger than"), std::string::npos) << config.error().message;

  bpfc::testsupport::ScratchDir dir;
  std::ofstream(dir.file("big.conf"), std::ios::binary) << big;
  config = rpcap::load_config(dir.file("big.conf"));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("larger than"), std::string::npos) << config.error().message;

  config = rpcap::load_config(dir.file("absent.conf"));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find(dir.file("absent.conf") + ": cannot open"), std::string::npos)
      << config.error().message;
}

TEST(RpcapdConfigFile, SaveAndLoadThroughAFile) {
  bpfc::testsupport::ScratchDir dir;
  const auto config = rpcap::command_line_config(" 10.0.0.1, ::1,,10.0.0.2 ", {{"10.0.0.9", 2003}}, true);
  EXPECT_EQ(config.passive_clients, (std::vector<std::string>{"10.0.0.1", "::1", "10.0.0.2"}));
  EXPECT_EQ(config.null_auth_permit, true);
  ASSERT_EQ(rpcap::save_config(dir.file("a.conf"), config), std::nullopt);
  auto loaded = rpcap::load_config(dir.file("a.conf"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(*loaded, config);
  auto problem = rpcap::save_config(dir.file("no/such/dir/a.conf"), config);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find(dir.file("no/such/dir/a.conf") + ": cannot write"), std::string::npos) << *problem;
}

TEST(RpcapdConfigFile, AFileReplacesOnlyTheSettingsItHas) {
  rpcap::DaemonOptions base;
  base.allowed_hosts = *rpcap::HostList::parse("10.0.0.1");
  base.policy.allow_null_auth = true;
  base.active = {{"10.0.0.9", 2003}};
  base.port = 4242;

  auto only_null = rpcap::apply_config(base, parsed("NullAuthPermit = NO\n"));
  ASSERT_TRUE(only_null.ok());
  EXPECT_FALSE(only_null->policy.allow_null_auth);
  EXPECT_TRUE(only_null->allowed_hosts.allows(peer("10.0.0.1")));
  EXPECT_FALSE(only_null->allowed_hosts.allows(peer("10.0.0.2")));
  EXPECT_EQ(only_null->active, base.active);
  EXPECT_EQ(only_null->port, 4242);

  auto hosts = rpcap::apply_config(base, parsed("PassiveClient = 10.0.0.2\nActiveClient = 10.0.0.8, 2010\n"));
  ASSERT_TRUE(hosts.ok());
  EXPECT_TRUE(hosts->allowed_hosts.allows(peer("10.0.0.2")));
  EXPECT_FALSE(hosts->allowed_hosts.allows(peer("10.0.0.1")));
  EXPECT_TRUE(hosts->policy.allow_null_auth);  // -n stays
  EXPECT_EQ(hosts->active, (std::vector<rpcap::ActiveClient>{{"10.0.0.8", 2010}}));

  auto nothing = rpcap::apply_config(base, parsed("# empty\n"));
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->allowed_hosts.allows(peer("10.0.0.1")));
  EXPECT_FALSE(nothing->allowed_hosts.allows(peer("10.0.0.2")));
  EXPECT_TRUE(nothing->policy.allow_null_auth);
}

// -a's list, split as libpcap's rpcapd splits it.
TEST(RpcapdActiveList, PairsWithDefaultsAndRefusals) {
  auto clients = rpcap::parse_active_clients("10.0.0.1,2004;10.0.0.2 DEFAULT,::1");
  ASSERT_TRUE(clients.ok()) << clients.error().message;
  EXPECT_EQ(*clients, (std::vector<rpcap::ActiveClient>{{"10.0.0.1", 2004}, {"10.0.0.2", 2003}, {"::1", 2003}}));
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"", "expects HOST,PORT"},
      {"probe.example,2003", "'probe.example' is not a numeric address"},
      {"10.0.0.1,0", "port '0' of 10.0.0.1"},
      {"10.0.0.1,10.0.0.2", "port '10.0.0.2' of 10.0.0.1"},
  };
  for (const auto& [text, expected] : refused) {
    auto parsed = rpcap::parse_active_clients(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().message.find(expected), std::string::npos) << text << ": " << parsed.error().message;
  }
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += "10.0.0." + std::to_string(i + 1) + ",2003,";
  auto many = rpcap::parse_active_clients(eleven);
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.error().message.find("more than 10 clients"), std::string::npos) << many.error().message;
}
