// Oracle, pipeline and packet helpers for the lowering tests.
#include "lower_test_support.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

#include "bpfc/frontend/parse.h"
#include "bpfc/frontend/sema.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/verifier.h"

namespace bpfc::lowertest {

PcapProgram pcap_compile_filter(int dlt, const std::string& expr, uint32_t snaplen,
                                std::optional<uint32_t> netmask, bool optimize) {
  PcapProgram out;
  pcap_t* p = pcap_open_dead(dlt, static_cast<int>(snaplen));
  if (p == nullptr) {
    out.error = "pcap_open_dead failed";
    return out;
  }
  bpf_program prog{};
  if (pcap_compile(p, &prog, expr.c_str(), optimize ? 1 : 0, netmask.value_or(PCAP_NETMASK_UNKNOWN)) < 0) {
    out.error = pcap_geterr(p);
    if (out.error.empty()) out.error = "pcap_compile failed";
  } else {
    out.insns.assign(prog.bf_insns, prog.bf_insns + prog.bf_len);
    pcap_freecode(&prog);
  }
  pcap_close(p);
  return out;
}

uint32_t pcap_run(const PcapProgram& p, const Packet& packet) {
  static const uint8_t kNothing = 0;
  const uint8_t* data = packet.data.empty() ? &kNothing : packet.data.data();
  return bpf_filter(p.insns.data(), data, packet.wirelen, static_cast<u_int>(packet.data.size()));
}

std::string pcap_listing(const PcapProgram& p) {
  std::string out;
  for (size_t i = 0; i < p.insns.size(); ++i) {
    bpf_insn insn = p.insns[i];
    out += bpf_image(&insn, static_cast<int>(i));
    out += '\n';
  }
  return out;
}

namespace {

// Fixture names from the corpus, plus the few names libpcap can resolve on
// this machine without any network access (/etc/hosts, /etc/services,
// /etc/protocols, /etc/networks of a Debian system).
class TestResolver : public NameResolver {
 public:
  TestResolver() : files_(make_file_resolver(BPFC_TEST_DIR "/corpus/names")) {}

  std::vector<Ipv4Addr> host_ipv4(std::string_view name) const override {
    if (name == "localhost" || name == "vm" || name == "runsc") return {0x7f000001};
    return files_->host_ipv4(name);
  }
  std::vector<Ipv6Addr> host_ipv6(std::string_view name) const override {
    if (name == "localhost" || name == "vm" || name == "runsc") return {};
    return files_->host_ipv6(name);
  }
  std::optional<MacAddr> ether(std::string_view name) const override { return files_->ether(name); }
  std::optional<uint32_t> network(std::string_view name) const override {
    if (name == "loopback") return 0x7f000000;
    if (name == "link-local") return 0xa9fe0000;
    return files_->network(name);
  }
  std::optional<uint16_t> service(std::string_view name, std::string_view proto) const override {
    static const std::map<std::pair<std::string, std::string>, uint16_t> services = {
        {{"ftp-data", "tcp"}, 20}, {{"ftp", "tcp"}, 21},    {{"ssh", "tcp"}, 22},    {{"telnet", "tcp"}, 23},
        {{"smtp", "tcp"}, 25},     {{"domain", "tcp"}, 53}, {{"domain", "udp"}, 53}, {{"bootps", "udp"}, 67},
        {{"bootpc", "udp"}, 68},   {{"tftp", "udp"}, 69},   {{"http", "tcp"}, 80},   {{"ntp", "udp"}, 123},
        {{"https", "tcp"}, 443},   {{"https", "udp"}, 443},
    };
    auto it = services.find({std::string(name), std::string(proto)});
    if (it == services.end()) return std::nullopt;
    return it->second;
  }
  std::optional<uint8_t> protocol(std::string_view name) const override {
    static const std::map<std::string, uint8_t> protocols = {
        {"icmp", 1}, {"igmp", 2},  {"tcp", 6},        {"udp", 17},   {"gre", 47},   {"esp", 50},
        {"ah", 51},  {"pim", 103}, {"ipv6-icmp", 58}, {"vrrp", 112}, {"sctp", 132},
    };
    auto it = protocols.find(std::string(name));
    if (it == protocols.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::unique_ptr<NameResolver> files_;
};

}  // namespace

const NameResolver& test_resolver() {
  static const TestResolver resolver;
  return resolver;
}

namespace {

Result<ir::Function> lower_text(int dlt, const std::string& expr, uint32_t snaplen,
                                std::optional<uint32_t> netmask, bool check, bool optimize = true) {
  Result<ast::Filter> ast = parse_filter(expr);
  if (!ast) return ast.errors();
  LowerOptions options;
  options.linktype = static_cast<uint32_t>(dlt);
  options.snaplen = snaplen;
  options.netmask = netmask;
  options.resolver = &test_resolver();
  options.libpcap_optimize = optimize;
  if (check) {
    if (std::optional<Diagnostic> d = check_filter(*ast, options)) return *d;
  }
  return lower_filter(*ast, options);
}

}  // namespace

Result<ir::Function> bpfc_lower(int dlt, const std::string& expr, uint32_t snaplen,
                                std::optional<uint32_t> netmask, bool optimize) {
  return lower_text(dlt, expr, snaplen, netmask, true, optimize);
}

Result<ir::Function> bpfc_lower_unchecked(int dlt, const std::string& expr, uint32_t snaplen,
                                          std::optional<uint32_t> netmask) {
  return lower_text(dlt, expr, snaplen, netmask, false);
}

const std::vector<Packet>& savefile_packets() {
  static const std::vector<Packet> packets = [] {
    std::vector<Packet> out;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(BPFC_TEST_DIR "/corpus/pcaps")) {
      files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      char err[PCAP_ERRBUF_SIZE];
      pcap_t* p = pcap_open_offline(path.c_str(), err);
      if (p == nullptr) continue;
      pcap_pkthdr* hdr = nullptr;
      const u_char* data = nullptr;
      int index = 0;
      while (pcap_next_ex(p, &hdr, &data) == 1) {
        out.push_back(Packet{Bytes(data, data + hdr->caplen), hdr->len,
                             path.filename().string() + "#" + std::to_string(index++)});
      }
      pcap_close(p);
    }
    return out;
  }();
  return packets;
}

std::vector<Packet> truncations(const Packet& p) {
  std::vector<Packet> out;
  for (size_t n = 0; n <= p.data.size(); ++n) {
    out.push_back(Packet{Bytes(p.data.begin(), p.data.begin() + static_cast<long>(n)), p.wirelen,
                         p.origin + " cut to " + std::to_string(n)});
  }
  return out;
}

std::vector<Packet> mutations(const Packet& p, int count, uint32_t seed) {
  // Values that select protocols, versions, header lengths and flags.
  static constexpr std::array<uint8_t, 24> kInteresting = {0x00, 0xff, 0x01, 0x02, 0x04, 0x06, 0x08, 0x11,
                                                           0x2c, 0x33, 0x3a, 0x40, 0x45, 0x46, 0x4f, 0x60,
                                                           0x81, 0x84, 0x86, 0x88, 0x91, 0xa8, 0xdd, 0xfe};
  std::vector<Packet> out;
  if (p.data.empty()) return out;
  std::mt19937 rng(seed);
  const size_t span = std::min<size_t>(p.data.size(), 96);
  for (int i = 0; i < count; ++i) {
    Packet m = p;
    const int changes = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < changes; ++c) {
      const size_t at = rng() % span;
      m.data[at] = (rng() % 4 == 0) ? static_cast<uint8_t>(rng()) : kInteresting[rng() % kInteresting.size()];
    }
    m.origin = p.origin + " mutated #" + std::to_string(i);
    out.push_back(std::move(m));
  }
  return out;
}

std::string hex(const Bytes& b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t c : b) {
    s += digits[c >> 4];
    s += digits[c & 0xf];
  }
  return s;
}

std::string compare_on(int dlt, const std::string& expr, const std::vector<Packet>& packets, uint32_t snaplen,
                       std::optional<uint32_t> netmask, bool optimize) {
  PcapProgram ref = pcap_compile_filter(dlt, expr, snaplen, netmask, optimize);
  Result<ir::Function> ours = bpfc_lower(dlt, expr, snaplen, netmask, optimize);
  std::ostringstream why;
  why << "dlt " << dlt << " filter `" << expr << "`: ";
  if (!ref.ok()) {
    if (ours.ok()) {
      why << "libpcap refuses it (" << ref.error << ") but bpfc lowers it";
      return why.str();
    }
    return {};
  }
  if (!ours.ok()) {
    why << "bpfc refuses it: " << ours.error().message << "\nlibpcap:\n" << pcap_listing(ref);
    return why.str();
  }
  if (std::optional<std::string> bad = ir::verify(*ours)) {
    why << "IR does not verify: " << *bad << "\n" << ir::print(*ours);
    return why.str();
  }
  for (const Packet& p : packets) {
    const uint32_t expected = pcap_run(ref, p);
    const uint32_t got = ir::interpret(*ours, p.data, p.wirelen);
    if (expected != got) {
      why << "packet " << p.origin << " (" << p.data.size() << " of " << p.wirelen << " bytes) libpcap "
          << expected << ", IR " << got << "\n  " << hex(p.data) << "\nlibpcap:\n"
          << pcap_listing(ref) << "IR:\n"
          << ir::print(*ours);
      return why.str();
    }
  }
  return {};
}

}  // namespace bpfc::lowertest
