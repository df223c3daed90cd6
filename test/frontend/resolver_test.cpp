// The file resolver reads the fixture directory and the file formats the way
// the C library's "files" databases do. Nothing here touches the network.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "bpfc/frontend/resolver.h"

namespace bpfc {
namespace {

const std::string kFixtures = std::string(BPFC_TEST_DIR) + "/fixtures/names";

Ipv6Addr ipv6(std::initializer_list<uint8_t> bytes) {
  Ipv6Addr out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

TEST(FileResolver, HostsGiveEveryAddressInFileOrder) {
  auto resolver = make_file_resolver(kFixtures);
  EXPECT_EQ(resolver->host_ipv4("noeth-ipv4-noipv6.host123.libpcap.test"), std::vector<Ipv4Addr>{0x0a141e28});
  EXPECT_TRUE(resolver->host_ipv6("noeth-ipv4-noipv6.host123.libpcap.test").empty());
  EXPECT_EQ(resolver->host_ipv4("eth-ipv4x4-noipv6.host357.libpcap.test"),
            (std::vector<Ipv4Addr>{0xc0a8f301, 0xc0a8f204, 0xc0a8f402, 0xc0a8f103}));
  auto v6 = resolver->host_ipv6("eth-noipv4-ipv6x2.host357.libpcap.test");
  ASSERT_EQ(v6.size(), 2u);
  EXPECT_EQ(v6[0], ipv6({0xfd, 0x00, 0xa1, 0xb2, 0xc3, 0xd4, 0, 0, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0, 0x12, 0x78}));
}

TEST(FileResolver, HostEtherAndNetworkNamesIgnoreCase) {
  auto resolver = make_file_resolver(kFixtures);
  EXPECT_EQ(resolver->host_ipv4("NOETH-IPV4-NOIPV6.HOST123.LIBPCAP.TEST").size(), 1u);
  auto mac = resolver->ether("ETH-NOIPV4-NOIPV6.host123.libpcap.test");
  ASSERT_TRUE(mac);
  EXPECT_EQ(*mac, (MacAddr{0xaa, 0x00, 0x04, 0x00, 0x14, 0x0e}));
  EXPECT_EQ(resolver->network("NET-10-20-0-0.libpcap.test"), 0x0a140000u);
}

TEST(FileResolver, UnknownNamesResolveNothing) {
  auto resolver = make_file_resolver(kFixtures);
  EXPECT_TRUE(resolver->host_ipv4("host.invalid.").empty());
  EXPECT_TRUE(resolver->host_ipv6("host.invalid.").empty());
  EXPECT_EQ(resolver->ether("noeth-ipv4-noipv6.host123.libpcap.test"), std::nullopt);
  EXPECT_EQ(resolver->network("host.invalid."), std::nullopt);
  EXPECT_EQ(resolver->service("nosuchport", "tcp"), std::nullopt);
  EXPECT_EQ(resolver->protocol("nosuchprotocol"), std::nullopt);
}

TEST(FileResolver, ServicesMatchNameOrAliasPerProtocol) {
  auto resolver = make_file_resolver(kFixtures);
  EXPECT_EQ(resolver->service("smtp", "tcp"), 25);
  EXPECT_EQ(resolver->service("mail", "tcp"), 25);  // alias
  EXPECT_EQ(resolver->service("smtp", "udp"), std::nullopt);
  EXPECT_EQ(resolver->service("bootps", "udp"), 67);
  EXPECT_EQ(resolver->service("bootps", "tcp"), std::nullopt);
  EXPECT_EQ(resolver->service("domain", "tcp"), 53);
  EXPECT_EQ(resolver->service("domain", "udp"), 53);
  EXPECT_EQ(resolver->service("SMTP", "tcp"), std::nullopt);  // exact, like getservbyname()
}

TEST(FileResolver, ProtocolsMatchNameOrAlias) {
  auto resolver = make_file_resolver(kFixtures);
  EXPECT_EQ(resolver->protocol("tcp"), 6);
  EXPECT_EQ(resolver->protocol("TCP"), 6);  // the alias in protocols(5)
  EXPECT_EQ(resolver->protocol("udp"), 17);
  EXPECT_EQ(resolver->protocol("ipv6-icmp"), 58);
  EXPECT_EQ(resolver->protocol("Tcp"), std::nullopt);
}

TEST(FileResolver, MissingDirectoryResolvesNothing) {
  auto resolver = make_file_resolver(kFixtures + "/no-such-directory");
  EXPECT_TRUE(resolver->host_ipv4("noeth-ipv4-noipv6.host123.libpcap.test").empty());
  EXPECT_EQ(resolver->service("smtp", "tcp"), std::nullopt);
}

TEST(FileResolver, FormatsSkipCommentsBlankAndMalformedLines) {
  auto dir = std::filesystem::temp_directory_path() / ("bpfc-resolver-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "hosts") << "# comment\n\n  10.0.0.1\tone uno # trailing\nnot-an-address two\n::1 one\n";
  std::ofstream(dir / "ethers") << "0:1:2:3:4:5 box\n00:01:02:03:04 short\n";
  std::ofstream(dir / "networks") << "tennet 10 ten\nbadnet 300.1\nzero 0\n";
  std::ofstream(dir / "services") << "svc 1234/tcp alias1 alias2\nbad 99999/tcp\nsvc 4321/udp\n";
  std::ofstream(dir / "protocols") << "proto9 9 P9\nbig 300 BIG\n";
  auto resolver = make_file_resolver(dir.string());
  EXPECT_EQ(resolver->host_ipv4("UNO"), std::vector<Ipv4Addr>{0x0a000001});
  EXPECT_EQ(resolver->host_ipv6("one").size(), 1u);
  EXPECT_TRUE(resolver->host_ipv4("two").empty());
  EXPECT_EQ(resolver->ether("box"), (MacAddr{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(resolver->ether("short"), std::nullopt);
  EXPECT_EQ(resolver->network("ten"), 10u);
  EXPECT_EQ(resolver->network("badnet"), std::nullopt);
  EXPECT_EQ(resolver->network("zero"), 0u);
  EXPECT_EQ(resolver->service("alias2", "tcp"), 1234);
  EXPECT_EQ(resolver->service("svc", "udp"), 4321);
  EXPECT_EQ(resolver->service("bad", "tcp"), std::nullopt);
  EXPECT_EQ(resolver->protocol("P9"), 9);
  EXPECT_EQ(resolver->protocol("big"), std::nullopt);
  std::filesystem::remove_all(dir);
}

TEST(FileResolver, NetworkNumbersAreReadLikeInetNetwork) {
  auto dir = std::filesystem::temp_directory_path() / ("bpfc-networks-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "networks") << "a 10.20\nb 0x0a.024.3\nc 192.168.1.0\nd 1.2.3.4.5\n";
  auto resolver = make_file_resolver(dir.string());
  EXPECT_EQ(resolver->network("a"), 0x0a14u);
  EXPECT_EQ(resolver->network("b"), 0x0a1403u);
  EXPECT_EQ(resolver->network("c"), 0xc0a80100u);
  EXPECT_EQ(resolver->network("d"), std::nullopt);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bpfc
