// Filters Debian's libpcap 1.10.3 cannot compile (`vxlan`, and `gateway`,
// which it refuses when built with IPv6) but whose expected programs the
// corpus lists (from a newer libpcap): the lowered IR is compared with
// those listings, run by libpcap's bpf_filter, on the standard packets.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "bpfc/ir/interpreter.h"
#include "lower_test_packets.h"
#include "lower_test_support.h"

namespace bpfc::lowertest {
namespace {

// Parses a `tcpdump -d` listing back into instructions.
std::optional<std::vector<bpf_insn>> parse_listing(const std::string& text) {
  std::vector<bpf_insn> out;
  std::istringstream in(text);
  std::string line;
  static const std::regex row(R"(^\((\d+)\)\s+(\S+)\s*(.*?)\s*$)");
  static const std::regex jumps(R"(^(\S+)\s+jt (\d+)\s+jf (\d+)$)");
  auto number = [](const std::string& s) { return static_cast<uint32_t>(std::stoul(s, nullptr, 0)); };
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    const auto pc = static_cast<uint32_t>(std::stoul(m[1].str(), nullptr, 10));
    const std::string op = m[2];
    std::string arg = m[3];
    bpf_insn insn{};
    auto size_of = [&](char c) { return c == 'h' ? BPF_H : c == 'b' ? BPF_B : BPF_W; };
    std::smatch a;
    if (op == "ld" || op == "ldh" || op == "ldb") {
      const uint16_t sz = static_cast<uint16_t>(size_of(op.size() == 3 ? op[2] : 'w'));
      if (std::regex_match(arg, a, std::regex(R"(\[x \+ (\d+)\])"))) {
        insn = bpf_insn{static_cast<uint16_t>(BPF_LD | BPF_IND | sz), 0, 0, number(a[1])};
      } else if (std::regex_match(arg, a, std::regex(R"(\[(\d+)\])"))) {
        insn = bpf_insn{static_cast<uint16_t>(BPF_LD | BPF_ABS | sz), 0, 0, number(a[1])};
      } else if (std::regex_match(arg, a, std::regex(R"(#(0x[0-9a-f]+|\d+))"))) {
        insn = bpf_insn{BPF_LD | BPF_IMM, 0, 0, number(a[1])};
      } else if (std::regex_match(arg, a, std::regex(R"(M\[(\d+)\])"))) {
        insn = bpf_insn{BPF_LD | BPF_MEM, 0, 0, number(a[1])};
      } else if (arg == "#pktlen" || arg == "len") {
        insn = bpf_insn{BPF_LD | BPF_LEN, 0, 0, 0};
      } else {
        return std::nullopt;
      }
    } else if (op == "ldx" || op == "ldxb") {
      if (std::regex_match(arg, a, std::regex(R"(4\*\(\[(\d+)\]&0xf\))"))) {
        insn = bpf_insn{BPF_LDX | BPF_MSH | BPF_B, 0, 0, number(a[1])};
      } else if (std::regex_match(arg, a, std::regex(R"(#(0x[0-9a-f]+|\d+))"))) {
        insn = bpf_insn{BPF_LDX | BPF_IMM, 0, 0, number(a[1])};
      } else if (std::regex_match(arg, a, std::regex(R"(M\[(\d+)\])"))) {
        insn = bpf_insn{BPF_LDX | BPF_MEM, 0, 0, number(a[1])};
      } else {
        return std::nullopt;
      }
    } else if (op == "st" || op == "stx") {
      if (!std::regex_match(arg, a, std::regex(R"(M\[(\d+)\])"))) return std::nullopt;
      insn = bpf_insn{static_cast<uint16_t>(op == "st" ? BPF_ST : BPF_STX), 0, 0, number(a[1])};
    } else if (op == "tax" || op == "txa") {
      insn = bpf_insn{static_cast<uint16_t>(BPF_MISC | (op == "tax" ? BPF_TAX : BPF_TXA)), 0, 0, 0};
    } else if (op == "neg") {
      insn = bpf_insn{BPF_ALU | BPF_NEG, 0, 0, 0};
    } else if (op == "ret") {
      if (!std::regex_match(arg, a, std::regex(R"(#(\d+))"))) return std::nullopt;
      insn = bpf_insn{BPF_RET | BPF_K, 0, 0, number(a[1])};
    } else if (op == "ja") {
      insn = bpf_insn{BPF_JMP | BPF_JA, 0, 0, static_cast<uint32_t>(std::stoul(arg, nullptr, 10)) - pc - 1};
    } else if (op == "add" || op == "sub" || op == "mul" || op == "div" || op == "mod" || op == "and" ||
               op == "or" || op == "xor" || op == "lsh" || op == "rsh") {
      static const std::vector<std::pair<std::string, int>> ops = {
          {"add", BPF_ADD}, {"sub", BPF_SUB}, {"mul", BPF_MUL}, {"div", BPF_DIV}, {"mod", BPF_MOD},
          {"and", BPF_AND}, {"or", BPF_OR},   {"xor", BPF_XOR}, {"lsh", BPF_LSH}, {"rsh", BPF_RSH}};
      int code = 0;
      for (const auto& [n, c] : ops) {
        if (n == op) code = c;
      }
      if (arg == "x") {
        insn = bpf_insn{static_cast<uint16_t>(BPF_ALU | BPF_X | code), 0, 0, 0};
      } else if (std::regex_match(arg, a, std::regex(R"(#(0x[0-9a-f]+|\d+))"))) {
        insn = bpf_insn{static_cast<uint16_t>(BPF_ALU | BPF_K | code), 0, 0, number(a[1])};
      } else {
        return std::nullopt;
      }
    } else if (op == "jeq" || op == "jgt" || op == "jge" || op == "jset") {
      if (!std::regex_match(arg, a, jumps)) return std::nullopt;
      const int cond = op == "jeq" ? BPF_JEQ : op == "jgt" ? BPF_JGT : op == "jge" ? BPF_JGE : BPF_JSET;
      const std::string operand = a[1];
      const uint32_t jt = static_cast<uint32_t>(std::stoul(a[2].str(), nullptr, 10)) - pc - 1;
      const uint32_t jf = static_cast<uint32_t>(std::stoul(a[3].str(), nullptr, 10)) - pc - 1;
      if (operand == "x") {
        insn = bpf_insn{static_cast<uint16_t>(BPF_JMP | BPF_X | cond), static_cast<uint8_t>(jt),
                        static_cast<uint8_t>(jf), 0};
      } else {
        insn = bpf_insn{static_cast<uint16_t>(BPF_JMP | BPF_K | cond), static_cast<uint8_t>(jt),
                        static_cast<uint8_t>(jf), number(operand.substr(1))};
      }
    } else {
      return std::nullopt;
    }
    if (pc != out.size()) return std::nullopt;
    out.push_back(insn);
  }
  return out;
}

struct Listed {
  int dlt;
  std::string expr;
  std::vector<bpf_insn> program;
};

std::vector<Listed> listed_filters(const std::string& file, int dlt, const std::string& keyword) {
  std::vector<Listed> out;
  std::ifstream in(std::string(BPFC_TEST_DIR "/corpus/accept/") + file);
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line);
    const std::string expr = j["expr"];
    if (expr.find(keyword) == std::string::npos) continue;
    if (!j["snaplen"].is_null() || !j["netmask"].is_null()) continue;
    const nlohmann::json& listing = j["opt"].is_null() ? j["unopt"] : j["opt"];
    if (listing.is_null()) continue;
    if (std::optional<std::vector<bpf_insn>> p = parse_listing(listing.get<std::string>())) {
      out.push_back(Listed{dlt, expr, std::move(*p)});
    }
  }
  return out;
}

void expect_matches_listing(const Listed& l) {
  Result<ir::Function> ours = bpfc_lower(l.dlt, l.expr);
  ASSERT_TRUE(ours.ok()) << l.expr << ": " << ours.error().message;
  for (const Packet& p : standard_packets(l.dlt)) {
    PcapProgram ref;
    ref.insns = l.program;
    const uint32_t expected = pcap_run(ref, p);
    const uint32_t got = ir::interpret(*ours, p.data, p.wirelen);
    ASSERT_EQ(expected, got) << l.expr << " on " << p.origin << " (" << p.data.size() << " bytes)\n"
                             << hex(p.data) << "\n"
                             << ir::print(*ours);
  }
}

TEST(LowerDiffCorpusListing, Vxlan) {
  std::vector<Listed> filters = listed_filters("EN10MB.jsonl", 1, "vxlan");
  ASSERT_FALSE(filters.empty());
  for (const Listed& l : filters) expect_matches_listing(l);
}

TEST(LowerDiffCorpusListing, Gateway) {
  std::vector<Listed> filters = listed_filters("EN10MB.jsonl", 1, "gateway");
  ASSERT_FALSE(filters.empty());
  for (const Listed& l : filters) expect_matches_listing(l);
}

}  // namespace
}  // namespace bpfc::lowertest
