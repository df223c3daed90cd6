#include "corpus_programs.h"

#include <pcap/pcap.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "bpfc/frontend/resolver.h"
#include "bpfc/driver/compile.h"

namespace bpfc::equivtest {
namespace {

constexpr int kDltEn10mb = 1;

std::optional<uint32_t> dotted_netmask(const std::string& text) {
  uint32_t value = 0;
  unsigned parts[4];
  if (std::sscanf(text.c_str(), "%u.%u.%u.%u", &parts[0], &parts[1], &parts[2], &parts[3]) != 4) return std::nullopt;
  for (unsigned part : parts) {
    if (part > 255) return std::nullopt;
    value = value << 8 | part;
  }
  return value;
}

}  // namespace

std::vector<CorpusExpression> en10mb_corpus_expressions() {
  std::ifstream in(kCorpusDir + "/accept/EN10MB.jsonl");
  if (!in) throw std::runtime_error("cannot read the EN10MB corpus");
  std::vector<CorpusExpression> expressions;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line);
    const auto has = [&j](const char* key) { return j.contains(key) && !j[key].is_null(); };
    if (has("skip") || j.value("linuxext", false) || !has("opt")) continue;
    CorpusExpression e;
    e.name = j.at("name").get<std::string>();
    e.expr = j.at("expr").get<std::string>();
    if (e.expr.starts_with("_")) continue;
    if (has("snaplen")) e.snaplen = j["snaplen"].get<uint32_t>();
    if (has("netmask")) {
      e.netmask = dotted_netmask(j["netmask"].get<std::string>());
      if (!e.netmask) throw std::runtime_error("bad netmask in the corpus entry " + e.name);
    }
    expressions.push_back(std::move(e));
  }
  return expressions;
}

std::optional<cbpf::Program> libpcap_program(const CorpusExpression& e, bool optimize) {
  std::unique_ptr<pcap_t, void (*)(pcap_t*)> handle(pcap_open_dead(kDltEn10mb, static_cast<int>(e.snaplen)),
                                                   pcap_close);
  if (!handle) return std::nullopt;
  bpf_program compiled{};
  if (pcap_compile(handle.get(), &compiled, e.expr.c_str(), optimize ? 1 : 0,
                   e.netmask.value_or(PCAP_NETMASK_UNKNOWN)) != 0) {
    return std::nullopt;
  }
  cbpf::Program program;
  for (u_int i = 0; i < compiled.bf_len; ++i) {
    const bpf_insn& insn = compiled.bf_insns[i];
    program.push_back(cbpf::Insn{insn.code, insn.jt, insn.jf, insn.k});
  }
  pcap_freecode(&compiled);
  return program;
}

std::optional<cbpf::Program> bpfc_program(const CorpusExpression& e, int opt_level, std::string& error) {
  static const std::unique_ptr<NameResolver> resolver = make_file_resolver(kFixtureNamesDir);
  CompileOptions options;
  options.linktype = kDltEn10mb;
  options.snaplen = e.snaplen;
  options.netmask = e.netmask;
  options.opt_level = opt_level;
  options.resolver = resolver.get();
  auto program = compile_cbpf(e.expr, options);
  if (!program) {
    error = program.error().message;
    return std::nullopt;
  }
  return *program;
}

uint32_t libpcap_filter(const cbpf::Program& program, const std::vector<uint8_t>& packet, uint32_t wirelen) {
  std::vector<bpf_insn> insns;
  for (const cbpf::Insn& insn : program) insns.push_back(bpf_insn{insn.code, insn.jt, insn.jf, insn.k});
  static constexpr u_char kEmpty[1] = {0};
  return bpf_filter(insns.data(), packet.empty() ? kEmpty : packet.data(), wirelen,
                    static_cast<u_int>(packet.size()));
}

}  // namespace bpfc::equivtest
