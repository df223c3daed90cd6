#include "regress_support.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "bpfc/frontend/resolver.h"
#include "bpfc/driver/compile.h"

namespace bpfc::regress {
namespace {

const std::string kCorpusFile = BPFC_TEST_DIR "/corpus/accept/EN10MB.jsonl";
const std::string kFixtureNamesDir = BPFC_TEST_DIR "/fixtures/names";

std::optional<uint32_t> dotted_netmask(const std::string& text) {
  unsigned parts[4];
  if (std::sscanf(text.c_str(), "%u.%u.%u.%u", &parts[0], &parts[1], &parts[2], &parts[3]) != 4) return std::nullopt;
  uint32_t value = 0;
  for (unsigned part : parts) {
    if (part > 255) return std::nullopt;
    value = value << 8 | part;
  }
  return value;
}

}  // namespace

Compiled bpfc_compile(const std::string& expr, const BpfcSetting& setting, uint32_t snaplen,
                      std::optional<uint32_t> netmask) {
  // Fixture names only: the system resolver is never consulted.
  static const std::unique_ptr<NameResolver> resolver = make_file_resolver(kFixtureNamesDir);
  CompileOptions options;
  options.linktype = kDltEn10mb;
  options.snaplen = snaplen;
  options.netmask = netmask;
  options.opt_level = setting.opt_level;
  options.passes = setting.passes;
  options.resolver = resolver.get();
  auto program = compile_cbpf(expr, options);
  if (!program) return {std::nullopt, program.error().message};
  return {*program, ""};
}

Compiled libpcap_compile(const std::string& expr, bool optimize, uint32_t snaplen,
                         std::optional<uint32_t> netmask) {
  std::unique_ptr<pcap_t, void (*)(pcap_t*)> handle(pcap_open_dead(kDltEn10mb, static_cast<int>(snaplen)),
                                                   pcap_close);
  if (!handle) return {std::nullopt, "pcap_open_dead failed"};
  bpf_program compiled{};
  if (pcap_compile(handle.get(), &compiled, expr.c_str(), optimize ? 1 : 0,
                   netmask.value_or(PCAP_NETMASK_UNKNOWN)) != 0) {
    return {std::nullopt, pcap_geterr(handle.get())};
  }
  cbpf::Program program;
  for (u_int i = 0; i < compiled.bf_len; ++i) {
    const bpf_insn& insn = compiled.bf_insns[i];
    program.push_back(cbpf::Insn{insn.code, insn.jt, insn.jf, insn.k});
  }
  pcap_freecode(&compiled);
  return {program, ""};
}

uint32_t libpcap_run(const cbpf::Program& program, const std::vector<uint8_t>& packet, uint32_t wirelen) {
  std::vector<bpf_insn> insns;
  for (const cbpf::Insn& insn : program) insns.push_back(bpf_insn{insn.code, insn.jt, insn.jf, insn.k});
  static constexpr u_char kEmpty[1] = {0};
  return bpf_filter(insns.data(), packet.empty() ? kEmpty : packet.data(), wirelen,
                    static_cast<u_int>(packet.size()));
}

std::string hex(const std::vector<uint8_t>& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t byte : bytes) {
    text.push_back(digits[byte >> 4]);
    text.push_back(digits[byte & 0xf]);
  }
  return text;
}

std::vector<CorpusExpression> en10mb_corpus_expressions() {
  std::ifstream in(kCorpusFile);
  if (!in) throw std::runtime_error("cannot read " + kCorpusFile);
  std::vector<CorpusExpression> expressions;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line);
    const auto has = [&j](const char* key) { return j.contains(key) && !j[key].is_null(); };
    CorpusExpression e;
    e.needs_names = has("skip");
    if (has("opt")) e.optimized_listing = j["opt"].get<std::string>();
    if (has("unopt")) e.unoptimized_listing = j["unopt"].get<std::string>();
    e.name = j.at("name").get<std::string>();
    e.expr = j.at("expr").get<std::string>();
    if (e.expr.starts_with("_")) continue;
    if (has("snaplen")) e.snaplen = j["snaplen"].get<uint32_t>();
    if (has("netmask")) {
      e.netmask = dotted_netmask(j["netmask"].get<std::string>());
      if (!e.netmask) throw std::runtime_error("bad netmask in the corpus entry " + e.name);
    }
    const bool seen = std::any_of(expressions.begin(), expressions.end(), [&e](const CorpusExpression& other) {
      return other.expr == e.expr && other.snaplen == e.snaplen && other.netmask == e.netmask;
    });
    if (!seen) expressions.push_back(std::move(e));
  }
  return expressions;
}

}  // namespace bpfc::regress
