#include "diff_report.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <sstream>

#include "bpfc/cbpf/format.h"
#include "bpfc/driver/compile.h"
#include "libpcap_oracle.h"

namespace bpfc::difftest {
namespace {

std::string describe(const Subject& s) {
  std::ostringstream out;
  out << s.label << " [DLT " << s.linktype;
  if (s.snaplen != 262144) out << ", snaplen " << s.snaplen;
  if (s.netmask) out << ", netmask 0x" << std::hex << *s.netmask << std::dec;
  if (s.opt_level == 0) out << ", unoptimized";
  out << "] '" << s.expr << "'";
  return out.str();
}

std::string indent(const std::string& text) {
  std::string out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) out += "      " + line + "\n";
  return out;
}

}  // namespace

BpfcCompilation compile_with_bpfc(const Subject& subject, const NameResolver& resolver) {
  CompileOptions options;
  options.linktype = subject.linktype;
  options.snaplen = subject.snaplen;
  options.netmask = subject.netmask;
  options.opt_level = subject.opt_level;
  options.resolver = &resolver;
  options.context = subject.context;
  BpfcCompilation result;
  auto program = compile_cbpf(subject.expr, options);
  if (program) {
    result.program = std::move(*program);
    result.kernel_program = result.program;
    if (has_backward_jump(*result.program)) {
      options.protochain = ProtochainForm::Unrolled;
      auto unrolled = compile_cbpf(subject.expr, options);
      result.kernel_program = unrolled ? std::optional<cbpf::Program>(std::move(*unrolled)) : std::nullopt;
      options.protochain_depth = opt::kMaxProtochainDepth;
      auto deep = compile_cbpf(subject.expr, options);
      result.deep_unrolled_program = deep ? std::optional<cbpf::Program>(std::move(*deep)) : std::nullopt;
    }
    return result;
  }
  result.error = program.error().message;
  result.unsupported = result.error.find("not supported") != std::string::npos ||
                       result.error.starts_with("internal error: ");
  return result;
}

bool has_backward_jump(const cbpf::Program& program) {
  return std::any_of(program.begin(), program.end(), [](const cbpf::Insn& insn) {
    return insn.code == (cbpf::JMP | cbpf::JA) && static_cast<int32_t>(insn.k) < 0;
  });
}

namespace {

// The references prepared for bpf_filter(), run together on one view.
class ReferenceSet {
 public:
  explicit ReferenceSet(const std::vector<NamedProgram>& references) {
    for (const NamedProgram& reference : references) programs_.emplace_back(reference.program);
  }
  // Fills `verdicts`; returns whether `verdict` is among them.
  bool admits(uint32_t verdict, const PacketView& view, std::vector<uint32_t>& verdicts) const {
    const Packet& p = *view.packet;
    verdicts.clear();
    bool admitted = false;
    for (const LibpcapProgram& program : programs_) {
      verdicts.push_back(program.run(p.bytes.data(), view.caplen, p.wirelen));
      admitted = admitted || verdicts.back() == verdict;
    }
    return admitted;
  }

 private:
  std::vector<LibpcapProgram> programs_;
};

}  // namespace

uint64_t count_disagreements(const cbpf::Program& program, const std::vector<NamedProgram>& references,
                             const std::vector<PacketView>& views) {
  LibpcapProgram ours(program);
  ReferenceSet theirs(references);
  std::vector<uint32_t> verdicts;
  uint64_t disagreements = 0;
  for (const PacketView& view : views) {
    const Packet& p = *view.packet;
    if (!theirs.admits(ours.run(p.bytes.data(), view.caplen, p.wirelen), view, verdicts)) ++disagreements;
  }
  return disagreements;
}

bool rejects_every_view(const std::vector<NamedProgram>& references, const std::vector<PacketView>& views) {
  for (const NamedProgram& reference : references) {
    LibpcapProgram program(reference.program);
    for (const PacketView& view : views) {
      const Packet& p = *view.packet;
      if (program.run(p.bytes.data(), view.caplen, p.wirelen) != 0) return false;
    }
  }
  return true;
}

bool DiffReport::compare(const Subject& subject, const cbpf::Program& bpfc, const std::vector<NamedProgram>& references,
                         const std::vector<PacketView>& views) {
  LibpcapProgram ours(bpfc);
  ReferenceSet theirs(references);
  ++expressions_;
  comparisons_ += views.size();
  min_views_ = std::min(min_views_, views.size());
  max_views_ = std::max(max_views_, views.size());
  uint64_t before = mismatches_;
  std::vector<uint32_t> verdicts;
  for (const PacketView& view : views) {
    const Packet& p = *view.packet;
    uint32_t our_verdict = ours.run(p.bytes.data(), view.caplen, p.wirelen);
    bool admitted = theirs.admits(our_verdict, view, verdicts);
    if (std::adjacent_find(verdicts.begin(), verdicts.end(), std::not_equal_to<>()) != verdicts.end()) {
      ++split_references_;
    }
    if (admitted) continue;
    ++mismatches_;
    if (shown_.size() < kMismatchesShown && (mismatches_ - before) == 1) {
      Mismatch m{subject, hex(p.bytes.data(), view.caplen), p.origin, cbpf::format_listing(bpfc),
                 view.caplen, p.wirelen, our_verdict, {}};
      for (size_t i = 0; i < references.size(); ++i) {
        m.references.push_back({references[i].name, cbpf::format_listing(references[i].program), verdicts[i]});
      }
      shown_.push_back(std::move(m));
    }
  }
  if (mismatches_ != before) ++mismatching_expressions_;
  return mismatches_ == before;
}

void DiffReport::record_unsupported(const Subject& subject, const std::string& message) {
  unsupported_.push_back(describe(subject) + ": " + message);
}

void DiffReport::record_failure(const Subject& subject, const std::string& what) {
  failures_.push_back(describe(subject) + ": " + what);
}

void DiffReport::record_validate_failure(const Subject& subject, const cbpf::Program& bpfc) {
  ++validate_failures_;
  failures_.push_back(describe(subject) + ": bpf_validate() refuses bpfc's program\n" +
                      indent(cbpf::format_listing(bpfc)));
}

void DiffReport::count(const std::string& what, uint64_t n) {
  for (auto& [name, value] : counters_) {
    if (name == what) {
      value += n;
      return;
    }
  }
  counters_.emplace_back(what, n);
}

void DiffReport::print_comparison_summary(std::ostream& out) const {
  out << "[diff] " << title_ << ": expressions compared " << expressions_ << ", packets per expression ";
  if (min_views_ == max_views_) {
    out << min_views_;
  } else {
    out << min_views_ << ".." << max_views_;
  }
  out << ", verdict comparisons " << comparisons_ << ", mismatches " << mismatches_ << " (in "
      << mismatching_expressions_ << " expressions), unsupported " << unsupported_.size()
      << ", bpf_validate failures " << validate_failures_ << ", other failures "
      << (failures_.size() - validate_failures_) << "\n";
}

void DiffReport::print(std::ostream& out) const {
  if (expressions_ == 0) {
    out << "[diff] " << title_ << ": unsupported " << unsupported_.size() << ", failures " << failures_.size() << "\n";
  } else {
    print_comparison_summary(out);
  }
  for (const auto& [name, value] : counters_) out << "[diff]   " << name << ": " << value << "\n";
  // Every one is listed: tolerated for now, they are the list of work left.
  for (const std::string& message : unsupported_) out << "[diff]   unsupported: " << message << "\n";
  if (split_references_ != 0) {
    out << "[diff]   views on which the references disagree among themselves: "
        << split_references_ << "\n";
  }
  for (const Mismatch& m : shown_) {
    out << "[diff] MISMATCH " << describe(m.subject) << "\n"
        << "    packet (" << m.origin << "), caplen " << m.caplen << ", wirelen " << m.wirelen << ":\n"
        << "      " << (m.packet_hex.empty() ? "(empty)" : m.packet_hex) << "\n"
        << "    bpfc returns " << m.bpfc_verdict;
    for (const ReferenceVerdict& r : m.references) out << ", " << r.name << " returns " << r.verdict;
    out << "\n    bpfc's program:\n" << indent(m.bpfc_listing);
    for (const ReferenceVerdict& r : m.references) out << "    " << r.name << ":\n" << indent(r.listing);
  }
  for (size_t i = 0; i < failures_.size(); ++i) {
    if (i == kMessagesShown) {
      out << "[diff]   ... and " << failures_.size() - kMessagesShown << " more failures\n";
      break;
    }
    out << "[diff] FAILURE " << failures_[i] << "\n";
  }
}

std::string DiffReport::failure_digest() const {
  std::ostringstream out;
  out << title_ << ": " << mismatches_ << " verdict mismatches in " << mismatching_expressions_
      << " expressions, " << validate_failures_ << " bpf_validate failures, " << unsupported_.size()
      << " refused as unsupported, " << failures_.size() << " failures in all (details above)";
  return out.str();
}

}  // namespace bpfc::difftest
