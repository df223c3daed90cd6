#include "libpcap_oracle.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>

#include <memory>
#include <string>

namespace bpfc::difftest {
namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

cbpf::Program to_program(const bpf_program& compiled) {
  cbpf::Program program;
  for (u_int i = 0; i < compiled.bf_len; ++i) {
    const bpf_insn& insn = compiled.bf_insns[i];
    program.push_back(cbpf::Insn{insn.code, insn.jt, insn.jf, insn.k});
  }
  return program;
}

}  // namespace

OracleResult libpcap_compile(std::string_view filter, uint32_t linktype, uint32_t snaplen,
                             std::optional<uint32_t> netmask, bool optimize) {
  OracleResult result;
  std::unique_ptr<pcap_t, PcapCloser> handle(pcap_open_dead(static_cast<int>(linktype), static_cast<int>(snaplen)));
  if (!handle) {
    result.error = "pcap_open_dead failed";
    return result;
  }
  bpf_program compiled{};
  std::string text(filter);
  if (pcap_compile(handle.get(), &compiled, text.c_str(), optimize ? 1 : 0, netmask.value_or(PCAP_NETMASK_UNKNOWN)) != 0) {
    result.error = pcap_geterr(handle.get());
    return result;
  }
  result.program = to_program(compiled);
  pcap_freecode(&compiled);
  return result;
}


LiveLibpcapCompiler::LiveLibpcapCompiler() {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  handle_ = pcap_create("lo", errbuf);
  if (handle_ == nullptr) {
    unavailable_ = std::string("pcap_create(lo): ") + errbuf;
    return;
  }
  if (int status = pcap_activate(handle_); status < 0) {
    unavailable_ = std::string("pcap_activate(lo): ") + pcap_statustostr(status) + ": " + pcap_geterr(handle_);
    pcap_close(handle_);
    handle_ = nullptr;
  }
}

LiveLibpcapCompiler::~LiveLibpcapCompiler() {
  if (handle_ != nullptr) pcap_close(handle_);
}

OracleResult LiveLibpcapCompiler::compile(std::string_view filter, bool optimize) const {
  OracleResult result;
  if (handle_ == nullptr) {
    result.error = unavailable_;
    return result;
  }
  bpf_program compiled{};
  std::string text(filter);
  if (pcap_compile(handle_, &compiled, text.c_str(), optimize ? 1 : 0, PCAP_NETMASK_UNKNOWN) != 0) {
    result.error = pcap_geterr(handle_);
    return result;
  }
  result.program = to_program(compiled);
  pcap_freecode(&compiled);
  return result;
}

LibpcapReference libpcap_reference(std::string_view filter, uint32_t linktype, uint32_t snaplen,
                                   std::optional<uint32_t> netmask, bool optimizing) {
  LibpcapReference reference;
  OracleResult plain = libpcap_compile(filter, linktype, snaplen, netmask, false);
  if (!plain.program) {
    reference.error = plain.error;
    return reference;
  }
  reference.accepted = true;
  if (!optimizing) {
    reference.programs.push_back({"libpcap 1.10.3 unoptimized", std::move(*plain.program)});
    return reference;
  }
  OracleResult optimized = libpcap_compile(filter, linktype, snaplen, netmask, true);
  if (optimized.program) {
    reference.programs.push_back({"libpcap 1.10.3 -O", std::move(*optimized.program)});
  } else {
    reference.optimizer_error = optimized.error;  // "expression rejects all packets"
    reference.programs.push_back({"libpcap 1.10.3 unoptimized", std::move(*plain.program)});
  }
  return reference;
}

// Copied field by field rather than relying on cbpf::Insn's layout promise.
LibpcapProgram::LibpcapProgram(const cbpf::Program& program) {
  insns_.reserve(program.size());
  for (const cbpf::Insn& insn : program) insns_.push_back(bpf_insn{insn.code, insn.jt, insn.jf, insn.k});
}

uint32_t LibpcapProgram::run(const uint8_t* packet, uint32_t caplen, uint32_t wirelen) const {
  // bpf_filter() needs a non-null buffer even when nothing was captured.
  static constexpr uint8_t kEmpty[1] = {0};
  return bpf_filter(insns_.data(), packet != nullptr ? packet : kEmpty, wirelen, caplen);
}

bool LibpcapProgram::validates() const {
  return bpf_validate(insns_.data(), static_cast<int>(insns_.size())) != 0;
}

std::optional<uint32_t> libpcap_linktype(const std::string& name) {
  int value = pcap_datalink_name_to_val(name.c_str());
  if (value < 0) return std::nullopt;
  return static_cast<uint32_t>(value);
}

std::optional<uint32_t> parse_dotted_netmask(const std::string& text) {
  in_addr address{};
  if (inet_pton(AF_INET, text.c_str(), &address) != 1) return std::nullopt;
  return ntohl(address.s_addr);
}

}  // namespace bpfc::difftest
