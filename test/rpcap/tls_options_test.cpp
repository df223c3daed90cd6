// rpcaps:// options without a network: pins (parsed, formatted, and the
// public-key hash compared with the openssl command line's), listen
// addresses with a scheme, and the command-line refusals.
#include <gtest/gtest.h>

#include "../support/process.h"
#include "bpfc/capture/rpcap/client.h"
#include "bpfc/capture/rpcap/tls.h"
#include "tls_certificates.h"

namespace rpcap = bpfc::capture::rpcap;
using bpfc::testsupport::run_process;

namespace {

const std::string kHex = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";

}  // namespace

TEST(RpcapTlsOptions, PinsParseWithOrWithoutColons) {
  auto bare = rpcap::parse_tls_pin(kHex);
  ASSERT_TRUE(bare.ok()) << bare.error().message;
  EXPECT_EQ((*bare)[0], 0x00);
  EXPECT_EQ((*bare)[1], 0x11);
  EXPECT_EQ((*bare)[31], 0xff);
  const std::string colons = rpcap::format_tls_pin(*bare);
  EXPECT_EQ(colons.substr(0, 9), "00:11:22:");
  auto again = rpcap::parse_tls_pin(colons);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, *bare);
}

TEST(RpcapTlsOptions, MalformedPinsAreRefused) {
  EXPECT_FALSE(rpcap::parse_tls_pin(kHex.substr(1)).ok());
  EXPECT_FALSE(rpcap::parse_tls_pin(kHex + "00").ok());
  EXPECT_FALSE(rpcap::parse_tls_pin("").ok());
  std::string not_hex = kHex;
  not_hex[5] = 'g';
  EXPECT_FALSE(rpcap::parse_tls_pin(not_hex).ok());
  std::string misplaced = rpcap::format_tls_pin(*rpcap::parse_tls_pin(kHex));
  std::swap(misplaced[2], misplaced[3]);  // "000:11..."
  EXPECT_FALSE(rpcap::parse_tls_pin(misplaced).ok());
  EXPECT_FALSE(rpcap::parse_tls_pin(":" + kHex).ok());
}

// The pin is SHA-256 over the DER SubjectPublicKeyInfo, as
// `openssl x509 -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256` computes it.
TEST(RpcapTlsOptions, CertificatePinIsTheSha256OfTheSubjectPublicKeyInfo) {
  std::string why;
  const auto& files = bpfc::rpcaptest::tls_files(why);
  ASSERT_TRUE(files) << why;
  auto pin = rpcap::certificate_file_pin(files->server_cert);
  ASSERT_TRUE(pin.ok()) << pin.error().message;
  auto expected = run_process({"sh", "-c",
                               "openssl x509 -in \"$1\" -pubkey -noout | openssl pkey -pubin -outform der | "
                               "openssl dgst -sha256 -r",
                               "sh", files->server_cert});
  ASSERT_EQ(expected.exit_code, 0) << expected.err;
  auto from_openssl = rpcap::parse_tls_pin(expected.out.substr(0, 64));
  ASSERT_TRUE(from_openssl.ok()) << expected.out;
  EXPECT_EQ(*pin, *from_openssl);
}

TEST(RpcapTlsOptions, ListenAddressesTakeAScheme) {
  auto tls = rpcap::parse_listen_address("rpcaps://127.0.0.1:2005");
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->host, "127.0.0.1");
  EXPECT_EQ(tls->port, 2005);
  auto plain = rpcap::parse_listen_address("rpcap://[::1]/");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "::1");
  EXPECT_EQ(plain->port, rpcap::kDefaultActivePort);
  EXPECT_FALSE(rpcap::parse_listen_address("rpcaps://127.0.0.1:2005/eth0").ok());
  EXPECT_FALSE(rpcap::parse_listen_address("127.0.0.1:2005").value().tls);
}

TEST(RpcapTlsOptions, CommandLineRefusesTlsFlagsThatCannotApply) {
  // TLS flags without rpcaps://.
  auto plain = run_process({BPFC_BINARY, "rpcap", "list", "rpcap://127.0.0.1:9/", "--pin", kHex});
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_NE(plain.err.find("--pin applies to TLS"), std::string::npos) << plain.err;
  auto local = run_process({BPFC_BINARY, "capture", "-i", "lo", "--insecure", "-c", "1"});
  EXPECT_EQ(local.exit_code, 2);
  EXPECT_NE(local.err.find("--insecure applies to TLS"), std::string::npos) << local.err;
  // Contradictions and malformed values, before any connection.
  auto both = run_process({BPFC_BINARY, "rpcap", "list", "rpcaps://127.0.0.1:9/", "--insecure", "--pin", kHex});
  EXPECT_EQ(both.exit_code, 2);
  auto bad_pin = run_process({BPFC_BINARY, "rpcap", "list", "rpcaps://127.0.0.1:9/", "--pin", "abc"});
  EXPECT_EQ(bad_pin.exit_code, 2);
  EXPECT_NE(bad_pin.err.find("64 hex digits"), std::string::npos) << bad_pin.err;
  auto half = run_process({BPFC_BINARY, "rpcap", "list", "rpcaps://127.0.0.1:9/", "--cert", "c.pem"});
  EXPECT_EQ(half.exit_code, 2);
  auto udp = run_process({BPFC_BINARY, "capture", "-i", "rpcaps://127.0.0.1:9/lo", "--udp", "--insecure"});
  EXPECT_EQ(udp.exit_code, 2);
  EXPECT_NE(udp.err.find("no TLS"), std::string::npos) << udp.err;
}
