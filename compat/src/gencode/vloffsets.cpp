// Variable offsets computed at the start of the program.
#include "gencode/vloffsets.h"

#include <utility>
#include <vector>

#include "gencode/linklayer.h"
#include "gencode/pflog.h"
#include "gencode/wlan.h"

namespace bpfc::lower {

using namespace bpf;

namespace {

// Radiotap's "present" word and flags field, little-endian in the packet and
// read here as big-endian words and bytes.
constexpr uint32_t kRadiotapPresentOffset = 4;
constexpr uint32_t kRadiotapTsftPresent = 0x01000000, kRadiotapFlagsPresent = 0x02000000,
                   kRadiotapExtPresent = 0x00000080;
constexpr uint32_t kRadiotapFlagsAfterTsft = 16, kRadiotapFlagsAlone = 8;
constexpr uint32_t kRadiotapFlagDataPad = 0x20;
// Prism headers are 144 bytes; some drivers give an AVS header instead,
// recognized by its cookie (the version bits masked off).
constexpr uint32_t kPrismHeaderLength = 144;
constexpr uint32_t kAvsCookieMask = 0xfffff000, kAvsCookie = 0x80211000;
constexpr uint32_t kAvsLengthOffset = 4;
constexpr uint32_t kWlanDataHeaderLength = 24;  // a data frame without QoS, 3 addresses

class BlockWriter {
 public:
  explicit BlockWriter(Codegen& cg) : cg_(cg) {}
  int branch(std::vector<Stmt> stmts, int jump, uint32_t k, int jt, int jf) {
    const int b = cg_.new_block(kJmp | jump | kK, k, std::move(stmts));
    cg_.block(b).jt = jt;
    cg_.block(b).jf = jf;
    return b;
  }
  int go_to(std::vector<Stmt> stmts, int next) {
    const int b = cg_.new_block(kJmp | kJa, 0, std::move(stmts));
    cg_.block(b).jt = next;
    return b;
  }

 private:
  Codegen& cg_;
};

// The radio header's length into the link-header register and X. Straight
// code, except for Prism, whose blocks are made here: then `*head` is set
// and `*tail` is the block the caller's statements and jump go to.
std::vector<Stmt> radio_prefix_length(Codegen& cg, RadioPrefix prefix, int reg, int* head, int* tail) {
  const auto store = stmt(kSt, static_cast<uint32_t>(reg));
  switch (prefix) {
    case RadioPrefix::None: return {};
    case RadioPrefix::Avs: return {stmt(kLd | kW | kAbs, kAvsLengthOffset), store, stmt(kMisc | kTax)};
    case RadioPrefix::Radiotap:
    case RadioPrefix::Ppi:
      // A little-endian 16-bit length at offset 2.
      return {stmt(kLd | kB | kAbs, 3), stmt(kAlu | kLsh | kK, 8), stmt(kMisc | kTax), stmt(kLd | kB | kAbs, 2),
              stmt(kAlu | kOr | kX), store, stmt(kMisc | kTax)};
    case RadioPrefix::Prism: {
      BlockWriter w(cg);
      *tail = cg.new_block(kJmp | kJa, 0, {store, stmt(kMisc | kTax)});
      const int avs = w.go_to({stmt(kLd | kW | kAbs, kAvsLengthOffset)}, *tail);
      const int prism = w.go_to({stmt(kLd | kImm, kPrismHeaderLength)}, *tail);
      *head = w.branch({stmt(kLd | kW | kAbs, 0), stmt(kAlu | kAnd | kK, kAvsCookieMask)}, kJeq, kAvsCookie, avs,
                       prism);
      return {};
    }
  }
  return {};
}

// The 802.11 header length: the payload register gets the link header's
// offset plus 24, plus 2 for QoS data frames, rounded up to 4 when radiotap
// says the driver padded. Returns the first block; every way out leads to
// `rest`. `first` holds the statements putting the link header's offset in X.
int wlan_header_length(Codegen& cg, std::vector<Stmt> first, int payload_reg, bool radiotap, int rest) {
  BlockWriter w(cg);
  const auto reg = static_cast<uint32_t>(payload_reg);
  int after_qos = rest;
  if (radiotap) {
    const int roundup = w.go_to({stmt(kLd | kMem, reg), stmt(kAlu | kAdd | kK, 3),
                                 stmt(kAlu | kAnd | kK, ~uint32_t{3}), stmt(kSt, reg)},
                                rest);
    const int flags_alone = w.branch({stmt(kLd | kB | kAbs, kRadiotapFlagsAlone)}, kJset, kRadiotapFlagDataPad,
                                     roundup, rest);
    const int flags_after_tsft = w.branch({stmt(kLd | kB | kAbs, kRadiotapFlagsAfterTsft)}, kJset,
                                          kRadiotapFlagDataPad, roundup, rest);
    const int tsft = w.branch({}, kJset, kRadiotapTsftPresent, flags_after_tsft, flags_alone);
    // With more present words the flags field is elsewhere: no padding test.
    const int ext = w.branch({}, kJset, kRadiotapExtPresent, rest, tsft);
    after_qos = w.branch({stmt(kLd | kW | kAbs, kRadiotapPresentOffset)}, kJset, kRadiotapFlagsPresent, ext, rest);
  }
  const int qos_add = w.go_to({stmt(kLd | kMem, reg), stmt(kAlu | kAdd | kK, 2), stmt(kSt, reg)}, after_qos);
  const int qos = w.branch({}, kJset, wlan::kSubtypeQos, qos_add, after_qos);
  // A data frame: type bit 0x08 set, 0x04 clear.
  const int data2 = w.branch({}, kJset, wlan::kTypeCtl, rest, qos);
  std::vector<Stmt> s = std::move(first);
  append(s, {stmt(kMisc | kTxa), stmt(kAlu | kAdd | kK, kWlanDataHeaderLength), stmt(kSt, reg),
             stmt(kLd | kInd | kB, 0)});
  return w.branch(std::move(s), kJset, wlan::kTypeData, data2, rest);
}

}  // namespace

Fragment insert_compute_vloffsets(Codegen& cg, Fragment f) {
  Layout& l = cg.layout();
  const LinkLayerInfo* info = find_link_layer(l.outermostlinktype);
  // The 802.11 header length starts from the radio header's.
  if (l.off_linkpl.reg != -1 && l.off_linkhdr.is_variable && l.off_linkhdr.reg == -1)
    l.off_linkhdr.reg = cg.alloc_reg();
  const RadioPrefix prefix = info != nullptr ? info->prefix : RadioPrefix::None;
  int prism_head = kNoBlock, prism_tail = kNoBlock;
  std::vector<Stmt> s;
  bool inserted = false;
  if (prefix != RadioPrefix::None && l.off_linkhdr.reg != -1) {
    s = radio_prefix_length(cg, prefix, l.off_linkhdr.reg, &prism_head, &prism_tail);
    inserted = true;
  }
  if (l.outermostlinktype == dlt::kPflog && l.off_linkpl.reg != -1) {
    s = pflog_header_length(l.off_linkpl.reg);
    inserted = true;
  }
  const bool wlan = info != nullptr && info->type_test == TypeTest::Ieee80211;
  int head = f.head;
  if (wlan && l.off_linkpl.reg != -1) {
    // Jumps inside the offset code: libpcap leaves such programs unoptimized.
    cg.disable_optimizer();
    if (prism_tail == kNoBlock && s.empty()) s = {stmt(kLdx | kImm, l.off_outermostlinkhdr.constant_part)};
    head = wlan_header_length(cg, std::move(s), l.off_linkpl.reg, l.linktype == dlt::kIeee80211Radio, f.head);
    s.clear();
    inserted = true;
  }
  if (prism_tail != kNoBlock) {
    cg.disable_optimizer();
    cg.block(prism_tail).jt = head;
    head = prism_head;
  } else if (!s.empty()) {
    std::vector<Stmt>& first = cg.block(head).stmts;
    first.insert(first.begin(), s.begin(), s.end());
  }
  if (!inserted && l.is_vlan_vloffset) {
    // A live capture's `vlan`: the registers of the offsets it moves start at
    // 0 (the kernel refuses a program that reads a register it has not stored).
    if (l.off_linkpl.reg == -1) l.off_linkpl.reg = cg.alloc_reg();
    if (l.off_linktype.reg == -1) l.off_linktype.reg = cg.alloc_reg();
    std::vector<Stmt>& first = cg.block(head).stmts;
    first.insert(first.begin(), {stmt(kLd | kImm, 0), stmt(kSt, static_cast<uint32_t>(l.off_linkpl.reg)),
                                 stmt(kSt, static_cast<uint32_t>(l.off_linktype.reg))});
  }
  f.head = head;
  return f;
}

}  // namespace bpfc::lower
