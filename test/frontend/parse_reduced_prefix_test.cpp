// parse_reduced_prefix(): the part of a filter that libpcap's parser has
// reduced (and generated code for) when it stops at a syntax or scanner
// error. The messages that follow from it are checked against libpcap in
// test/diff/reject_order_test.cpp.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "bpfc/frontend/parse.h"

namespace bpfc {
namespace {

// The reduced text, or "(none)".
std::string reduced(const std::string& text) {
  Result<ast::Filter> parsed = parse_filter(text);
  if (parsed) return "(parses)";
  std::optional<ast::Filter> prefix = parse_reduced_prefix(text, parsed.error());
  return prefix ? prefix->text : "(none)";
}

TEST(ParseReducedPrefix, WhatAnOperatorReducedBeforeIt) {
  EXPECT_EQ(reduced("port 65536 and"), "port 65536");
  EXPECT_EQ(reduced("port 65536 or )"), "port 65536");
  EXPECT_EQ(reduced("tcp and port 65536 and host"), "tcp and port 65536");
  EXPECT_EQ(reduced("ip[0] / 0 ="), "ip[0] / 0 = 0");
  EXPECT_EQ(reduced("ip[0] / 0 + ip["), "ip[0] / 0 = 0");
  EXPECT_EQ(reduced("tcp && 2 == and"), "tcp && 2 = 0");  // a number, not a host
}

TEST(ParseReducedPrefix, TheConstructRightBeforeTheError) {
  EXPECT_EQ(reduced("ip proto 256 1"), "ip proto 256");
  EXPECT_EQ(reduced("host a b"), "host a");
  EXPECT_EQ(reduced("ether )"), "ether");
  EXPECT_EQ(reduced("tcp and foo 1"), "tcp and foo");
  EXPECT_EQ(reduced("port 65536 and 99999999999"), "port 65536");
  EXPECT_EQ(reduced("wlan type 16777216 subtype ="), "wlan type 16777216");
  EXPECT_EQ(reduced("tcp and (port 1 or 65536"), "tcp and (port 1 or 65536)");
  EXPECT_EQ(reduced("sio (73 or 4096 1"), "sio (73 or 4096)");
}

TEST(ParseReducedPrefix, ParenthesesClosedAndUnfinishedLoadsDropped) {
  EXPECT_EQ(reduced("(tcp or port 65536"), "(tcp or port 65536)");
  EXPECT_EQ(reduced("ip[1 / 0"), "   1 / 0 = 0");
}

TEST(ParseReducedPrefix, NothingTheParserStillHadToDecide) {
  EXPECT_EQ(reduced("ether foo"), "(none)");  // `ether` might qualify what follows
  EXPECT_EQ(reduced("vlan ("), "(none)");     // `(` opens vlan's number
  EXPECT_EQ(reduced("65536 )"), "(none)");    // a lone value at the start
  EXPECT_EQ(reduced("lane and 4096 multicast"), "lane");  // 4096 may begin a comparison
  EXPECT_EQ(reduced("tcp or or udp"), "tcp");
  EXPECT_EQ(reduced("host"), "(none)");
  EXPECT_EQ(reduced("ether subtype"), "(none)");  // `subtype` reduces only `type T`
  EXPECT_EQ(reduced("not"), "(none)");
  EXPECT_EQ(reduced(")"), "(none)");
}

}  // namespace
}  // namespace bpfc
