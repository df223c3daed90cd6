// The parser against libpcap's (Debian's 1.10.3, the test oracle): on
// random expressions, libpcap's syntax errors must be ours and what libpcap
// compiles must parse. libpcap also runs gencode while it parses, so when it
// stops on a semantic error (unknown name, bad qualifier...) it has not seen
// the rest of the text and the comparison says nothing.
//
// Hermetic: the only name used is `localhost` (in /etc/hosts), and the test
// first moves into an empty network namespace when it may, so no query can
// leave the machine whatever libpcap does with a name.
#include <pcap/pcap.h>
#include <sched.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "parse_test_support.h"

namespace bpfc::parsetest {
namespace {

enum class Verdict { Accepted, SyntaxError, LexicalError, OtherError };

const char* name(Verdict v) {
  switch (v) {
    case Verdict::Accepted: return "accepted";
    case Verdict::SyntaxError: return "syntax error";
    case Verdict::LexicalError: return "lexical error";
    case Verdict::OtherError: return "other error";
  }
  return "?";
}

bool is_lexical_message(const std::string& message) {
  // 1.10.3 words some of them differently ("bogus ethernet address").
  for (const char* prefix : {"bogus IPv6 address ", "invalid IPv6 address ", "bogus ethernet address ",
                             "invalid Ethernet address "}) {
    if (message.rfind(prefix, 0) == 0) return true;
  }
  return message.find("overflows 32 bits") != std::string::npos ||
         message.find("contains non-") != std::string::npos;
}

Verdict libpcap_verdict(const std::string& text, std::string& message) {
  pcap_t* handle = pcap_open_dead(DLT_EN10MB, 262144);
  bpf_program program;
  const int status = pcap_compile(handle, &program, text.c_str(), 0, PCAP_NETMASK_UNKNOWN);
  Verdict verdict = Verdict::Accepted;
  if (status == 0) {
    pcap_freecode(&program);
  } else {
    message = pcap_geterr(handle);
    if (message == "can't parse filter expression: syntax error") verdict = Verdict::SyntaxError;
    else if (is_lexical_message(message)) verdict = Verdict::LexicalError;
    else verdict = Verdict::OtherError;
  }
  pcap_close(handle);
  return verdict;
}

Verdict our_verdict(const std::string& text, std::string& message) {
  Result<ast::Filter> result = parse_filter(text);
  if (result) return Verdict::Accepted;
  message = result.error().message;
  if (message == "can't parse filter expression: syntax error") return Verdict::SyntaxError;
  if (is_lexical_message(message)) return Verdict::LexicalError;
  return Verdict::OtherError;
}

// Whether our verdict is consistent with libpcap's.
bool consistent(Verdict libpcap, Verdict ours) {
  switch (libpcap) {
    case Verdict::Accepted: return ours == Verdict::Accepted;
    case Verdict::SyntaxError: return ours == Verdict::SyntaxError;
    case Verdict::LexicalError: return ours == Verdict::LexicalError;
    // libpcap stopped early on a semantic error: it has not seen the rest,
    // where we may find nothing wrong, or a syntax or lexical error.
    case Verdict::OtherError: return true;
  }
  return false;
}

// ---- Random expressions ------------------------------------------------------

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  std::string expression() {
    std::vector<std::string> tokens;
    switch (pick(4)) {
      case 0:
      case 1: expr(tokens, 0); break;
      case 2: expr(tokens, 0); mutate(tokens); break;
      default: soup(tokens); break;
    }
    std::string text;
    for (const auto& t : tokens) text += (text.empty() ? "" : " ") + t;
    return text;
  }

 private:
  std::mt19937 rng_;

  size_t pick(size_t n) { return rng_() % n; }
  template <size_t N>
  const char* one_of(const char* const (&words)[N]) { return words[pick(N)]; }

  static constexpr const char* kProtocols[] = {
      "ether", "fddi", "tr", "wlan", "ppp", "slip", "link", "radio", "ip", "ip6", "arp", "rarp", "tcp",
      "udp", "sctp", "icmp", "icmp6", "igmp", "igrp", "pim", "vrrp", "carp", "ah", "esp", "atalk", "aarp",
      "decnet", "lat", "sca", "moprc", "mopdl", "iso", "esis", "es-is", "isis", "is-is", "clnp", "stp",
      "ipx", "netbeui", "l1", "l2", "iih", "lsp", "snp", "csnp", "psnp"};
  static constexpr const char* kDirections[] = {"src", "dst", "src or dst", "dst and src", "addr1",
                                                "addr2", "address3", "addr4", "ra", "ta"};
  static constexpr const char* kTypes[] = {"host", "net", "port", "portrange", "proto", "protochain",
                                           "gateway"};
  static constexpr const char* kValues[] = {
      "localhost", "\\localhost", "1.2.3.4", "10.1", "10.1.2", "10.0.0.0/8", "10.0.0.0 mask 255.0.0.0",
      "10.1/16", "::1", "fe80::/10", "1:2:3:4:5:6", "1-2-3-4-5-6", "0102.0304.0506", "$1f", "80",
      "0x50", "017", "(22)", "((443))", "12.500", "1.2.3.4.5.6"};
  static constexpr const char* kNumbers[] = {"0", "1", "2", "14", "255", "0x10", "010", "65535",
                                             "tcpflags", "tcp-syn", "icmp-echo", "icmptype", "icmp6-echo"};
  static constexpr const char* kOthers[] = {
      "broadcast", "ether broadcast", "ip multicast", "multicast", "less 100", "greater 10", "byte 1 = 2",
      "byte 1 & 2", "byte 1 < 2", "inbound", "outbound", "vlan", "vlan 10", "vlan (10)", "mpls",
      "mpls 3", "pppoed", "pppoes", "pppoes 1", "geneve", "geneve 7", "llc", "llc i", "llc s", "llc u",
      "llc rnr", "llc xid", "on localhost", "ifname localhost", "rnr 1", "rulenum 1", "srnr 1",
      "reason match", "reason 2", "action pass", "rset localhost", "type mgt", "type data subtype qos-data",
      "subtype beacon", "dir tods", "dir 1", "wlan type ctl", "lane", "oam", "oamf4", "oamf4ec",
      "metac", "bcc", "sc", "ilmic", "connectmsg", "metaconnect", "vpi 1", "vci > 3", "vpi (1 or 2)",
      "fisu", "lssu", "msu", "hfisu", "sio 3", "opc != 1", "dpc (1 or 2)", "sls <= 2", "hsls 1"};
  static constexpr const char* kArithOps[] = {"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"};
  static constexpr const char* kRelOps[] = {">", "<", ">=", "<=", "=", "==", "!="};
  static constexpr const char* kSoup[] = {
      "(", ")", "(", ")", "not", "!", "and", "or", "&&", "||", "host", "net", "port", "tcp", "ip",
      "ether", "src", "dst", "proto", "gateway", "mask", "1", "0x1", "08", "1.2", "1.2.3.4", "::1",
      "1:2:3:4:5:6", "1:2:", "$1", "$", "localhost", "\\localhost", "[", "]", ":", "=", "<", "-", "%",
      "^", "len", "vlan", "mpls", "llc", "type", "subtype", "dir", "vpi", "sio", "byte", "less",
      "broadcast", "on", "rnr", "reason", "action", "4294967296", "@"};

  void expr(std::vector<std::string>& out, int depth) {
    term(out, depth);
    const size_t more = pick(3);
    for (size_t i = 0; i < more; ++i) {
      out.push_back(pick(2) ? "and" : "or");
      if (pick(3) == 0) id(out, depth);
      else term(out, depth);
    }
  }

  void term(std::vector<std::string>& out, int depth) {
    if (pick(6) == 0) out.push_back(pick(2) ? "not" : "!");
    switch (pick(depth < 3 ? 8 : 7)) {
      case 0:
      case 1: head(out); id(out, depth); break;
      case 2: out.push_back(one_of(kProtocols)); break;
      case 3: arith(out, depth); out.push_back(one_of(kRelOps)); arith(out, depth); break;
      case 4:
      case 5: out.push_back(one_of(kOthers)); break;
      case 6: out.push_back(one_of(kProtocols)); out.push_back(one_of(kTypes)); id(out, depth); break;
      default: out.push_back("("); expr(out, depth + 1); out.push_back(")"); break;
    }
  }

  void head(std::vector<std::string>& out) {
    if (pick(2)) out.push_back(one_of(kProtocols));
    switch (pick(3)) {
      case 0: out.push_back(one_of(kDirections)); if (pick(2)) out.push_back(one_of(kTypes)); break;
      default: out.push_back(one_of(kTypes)); break;
    }
  }

  void id(std::vector<std::string>& out, int depth) {
    if (pick(6) == 0) out.push_back("not");
    if (depth < 3 && pick(5) == 0) {
      out.push_back("(");
      id(out, depth + 1);
      out.push_back(pick(2) ? "or" : "and");
      id(out, depth + 1);
      out.push_back(")");
      return;
    }
    out.push_back(one_of(kValues));
  }

  void arith(std::vector<std::string>& out, int depth) {
    const size_t operands = 1 + pick(3);
    for (size_t i = 0; i < operands; ++i) {
      if (i > 0) out.push_back(one_of(kArithOps));
      if (pick(5) == 0) out.push_back("-");
      switch (pick(depth < 3 ? 5 : 4)) {
        case 0: out.push_back("len"); break;
        case 1:
        case 2: out.push_back(one_of(kNumbers)); break;
        case 3:
          out.push_back(std::string(one_of(kProtocols)) + "[");
          arith(out, depth + 1);
          if (pick(2)) out.push_back(pick(2) ? ":2" : ":4");
          out.push_back("]");
          break;
        default: out.push_back("("); arith(out, depth + 1); out.push_back(")"); break;
      }
    }
  }

  void mutate(std::vector<std::string>& tokens) {
    const size_t edits = 1 + pick(2);
    for (size_t i = 0; i < edits; ++i) {
      const size_t at = pick(tokens.size() + 1);
      switch (pick(3)) {
        case 0: if (at < tokens.size()) tokens.erase(tokens.begin() + static_cast<long>(at)); break;
        case 1: tokens.insert(tokens.begin() + static_cast<long>(at), one_of(kSoup)); break;
        default: if (at < tokens.size()) tokens[at] = one_of(kSoup); break;
      }
    }
  }

  void soup(std::vector<std::string>& tokens) {
    const size_t length = 1 + pick(7);
    for (size_t i = 0; i < length; ++i) tokens.push_back(one_of(kSoup));
  }
};

bool isolate_network() { return unshare(CLONE_NEWNET) == 0; }

Verdict expect_agreement(const std::string& text) {
  std::string libpcap_message, our_message;
  const Verdict libpcap = libpcap_verdict(text, libpcap_message);
  const Verdict ours = our_verdict(text, our_message);
  EXPECT_TRUE(consistent(libpcap, ours))
      << "filter: " << text << "\n  libpcap: " << name(libpcap) << " " << libpcap_message
      << "\n  bpfc:    " << name(ours) << " " << our_message;
  return libpcap;
}

// Hand-picked corners of the grammar, none with a name in it.
TEST(ParseOracle, GrammarCorners) {
  const char* const filters[] = {
      "host 1.1.1.1 and ((2.2.2.2))", "host 1.1.1.1 and ((1))", "host 1.1.1.1 and (2.2.2.2 or tcp)",
      "host 1.1.1.1 or (not (2.2.2.2) or 3.3.3.3)", "host 1.1.1.1 or ((2.2.2.2) or 3.3.3.3)",
      "port 1 or (2 and (3))", "(port 1) or 2", "tcp and 80", "1 + 2 % 3 + 4 = 1", "-2 % 3 = 1",
      "ip[0] & 0xf != 5", "(ip[0]) = 1", "((ip[0] & 0xf) > 5)", "((1)) = 1", "not not not tcp",
      "src or dst host 1.2.3.4", "dst and src net 10", "tcp dst port 80 or 443", "vpi (1 or 2)",
      "vpi 1 or 2", "hsio (0x42 or 0x43)", "byte 8 == 5", "byte 1 != 2", "less 10 or greater 20",
      "llc rnr", "llc rulenum", "type mgt subtype beacon", "subtype beacon", "dir 2", "wlan dir tods",
      "vlan (100) and mpls", "pppoes (3)", "geneve 7 or vlan", "ether[0:4] = 1", "link[0:-1] = 1",
      "1 = 2 = 3", "len-1 > 0", "icmp[icmptype] = icmp-echo", "tcp[tcpflags] & (tcp-syn|tcp-ack) != 0",
      "ip6 host fe80:0:0:0:0:0:0:0:0", "net 10 mask 255", "link host $", "link host $123", "tcp portrange -512",
      "ip proto \\6", "08", "4294967296", "0x100000000", "tcp or or udp", "()", "(tcp", "tcp)", "",
      "1:2:3:", "ether host 1::2::", "ip6 host ::ffff:1.2.3.4", "host 1.2.3.4.5.6", "host 123456789012",
      "net 10.0.0.0/8 or 11.0.0.0/8", "ip and (tcp or udp) and not icmp", "ip6 net fe80::/10 and ip6 multicast",
  };
  for (const char* text : filters) expect_agreement(text);
}

TEST(ParseOracle, RandomExpressions) {
  const bool isolated = isolate_network();
  const char* seed_text = std::getenv("BPFC_PARSE_ORACLE_SEED");
  const char* count_text = std::getenv("BPFC_PARSE_ORACLE_COUNT");
  Generator generator(seed_text ? static_cast<uint32_t>(std::strtoul(seed_text, nullptr, 10)) : 20240517u);
  const int count = count_text ? std::atoi(count_text) : 20000;
  int verdicts[4] = {};
  for (int i = 0; i < count; ++i) {
    const std::string text = generator.expression();
    if (!isolated && text.find("localhost") != std::string::npos) continue;
    ++verdicts[static_cast<int>(expect_agreement(text))];
    if (HasFailure()) break;
  }
  std::printf("libpcap verdicts on the random expressions (network %s): %d accepted, %d syntax errors, "
              "%d lexical errors, %d other errors (inconclusive)\n",
              isolated ? "isolated" : "not isolated; names skipped", verdicts[0], verdicts[1], verdicts[2],
              verdicts[3]);
  // Enough comparisons must say something (about 8% are accepted, 35% are
  // syntax errors and half stop on a semantic error).
  EXPECT_GT(verdicts[0], count / 50);
  EXPECT_GT(verdicts[1], count / 10);
}

}  // namespace
}  // namespace bpfc::parsetest
