// Finding runs of like list terms in the AST, and choosing their sentinels.
#include <unordered_set>

#include "lists/detail.h"
#include "lists/representatives.h"

namespace bpfc::lower::sets {

namespace {

using ast::AddrType;
using ast::Dir;
using ast::Proto;

bool plain_direction(Dir dir) {
  return dir == Dir::Default || dir == Dir::Src || dir == Dir::Dst || dir == Dir::SrcOrDst ||
         dir == Dir::SrcAndDst;
}

// IPv4 host and net primitives libpcap lowers with gen_host, without errors.
bool ipv4_qualifiers(const ast::Qualifiers& q) {
  return (q.proto == Proto::Default || q.proto == Proto::Ip || q.proto == Proto::Arp || q.proto == Proto::Rarp) &&
         plain_direction(q.dir);
}

bool port_qualifiers(const ast::Qualifiers& q) {
  return (q.proto == Proto::Default || q.proto == Proto::Tcp || q.proto == Proto::Udp || q.proto == Proto::Sctp) &&
         q.type == AddrType::Port && plain_direction(q.dir);
}

uint32_t prefix_mask(uint32_t len) { return len == 0 ? 0 : 0xffffffffu << (32 - len); }

std::optional<ListTerm> qualified_term(const ast::Qualified& node) {
  const ast::Qualifiers& q = node.q;
  ListTerm t;
  t.key.proto = q.proto;
  t.key.link_word = q.link_word;
  t.key.dir = q.dir;
  t.key.type = q.type;
  if (const auto* v4 = std::get_if<ast::Ipv4>(&node.value)) {
    // A short dotted address (`10.1`) names a network: left out, it is rare.
    if (v4->components != 4 || !ipv4_qualifiers(q)) return std::nullopt;
    if (q.type != AddrType::Default && q.type != AddrType::Host && q.type != AddrType::Net) return std::nullopt;
    t.key.kind = TermKind::Address;
    t.key.mask = 0xffffffffu;
    t.constant = v4->value;
  } else if (const auto* prefix = std::get_if<ast::NetPrefix>(&node.value)) {
    const auto* addr = std::get_if<ast::Ipv4>(&prefix->addr);
    if (!addr || addr->components != 4 || q.type != AddrType::Net || !ipv4_qualifiers(q)) return std::nullopt;
    if (prefix->prefix_len == 0 || prefix->prefix_len > 32) return std::nullopt;
    t.key.kind = TermKind::NetPrefix;
    t.key.prefix_len = prefix->prefix_len;
    t.key.mask = prefix_mask(prefix->prefix_len);
    t.constant = addr->value;
  } else if (const auto* netmask = std::get_if<ast::NetMask>(&node.value)) {
    if (netmask->addr.components != 4 || netmask->mask.components != 4) return std::nullopt;
    if (q.type != AddrType::Net || !ipv4_qualifiers(q) || netmask->mask.value == 0) return std::nullopt;
    t.key.kind = TermKind::NetMask;
    t.key.mask = netmask->mask.value;
    t.constant = netmask->addr.value;
  } else if (const auto* number = std::get_if<ast::Number>(&node.value)) {
    if (!port_qualifiers(q) || number->value > 0xffff) return std::nullopt;
    t.key.kind = TermKind::Port;
    t.constant = number->value;
  } else {
    return std::nullopt;
  }
  // Bits outside the mask are an error libpcap reports; zero is special to
  // its optimizer (`and #m; jeq #0` becomes `jset #m`).
  if ((t.constant & ~t.key.mask) != 0 && t.key.kind != TermKind::Port) return std::nullopt;
  if (t.constant == 0) return std::nullopt;
  return t;
}

// splitmix64: a fixed, well-spread sequence, so that compiles are repeatable.
uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint32_t candidate(const TermKey& key, uint64_t& state) {
  const auto r = static_cast<uint32_t>(next_random(state) >> 32);
  if (key.kind == TermKind::Port) return 1 + r % 0xffffu;
  return r & key.mask;
}

}  // namespace

std::optional<ListTerm> list_term(const ast::Expr& e, bool negated) {
  const ast::Expr* inner = &e;
  if (negated) {
    const auto* n = std::get_if<ast::Not>(&e.node);
    if (!n || !n->operand) return std::nullopt;
    inner = n->operand.get();
  }
  const auto* q = std::get_if<ast::Qualified>(&inner->node);
  if (!q) return std::nullopt;
  std::optional<ListTerm> t = qualified_term(*q);
  if (t) t->key.negated = negated;
  return t;
}

std::vector<const ast::Expr*> flatten(const ast::Expr& e, bool is_or) {
  std::vector<const ast::Expr*> operands;
  std::vector<const ast::Expr*> pending{&e};  // right operands pushed first
  while (!pending.empty()) {
    const ast::Expr* x = pending.back();
    pending.pop_back();
    const ast::ExprPtr* lhs = nullptr;
    const ast::ExprPtr* rhs = nullptr;
    if (is_or) {
      if (const auto* o = std::get_if<ast::Or>(&x->node)) lhs = &o->lhs, rhs = &o->rhs;
    } else {
      if (const auto* a = std::get_if<ast::And>(&x->node)) lhs = &a->lhs, rhs = &a->rhs;
    }
    if (lhs && *lhs && *rhs) {
      pending.push_back(rhs->get());
      pending.push_back(lhs->get());
    } else {
      operands.push_back(x);
    }
  }
  return operands;
}

ListRuns find_list_runs(const ast::Expr& root, size_t threshold) {
  ListRuns result;
  // Every And/Or chain is flattened once, from its topmost node.
  std::vector<const ast::Expr*> pending{&root};
  while (!pending.empty()) {
    const ast::Expr* e = pending.back();
    pending.pop_back();
    if (const auto* n = std::get_if<ast::Not>(&e->node)) {
      if (n->operand) pending.push_back(n->operand.get());
      continue;
    }
    const bool is_or = std::holds_alternative<ast::Or>(e->node);
    if (!is_or && !std::holds_alternative<ast::And>(e->node)) continue;
    const std::vector<const ast::Expr*> operands = flatten(*e, is_or);
    // An `or` list tests terms; an `and` list tests negated terms.
    const bool negated = !is_or;
    size_t i = 0;
    while (i < operands.size()) {
      std::optional<ListTerm> first = list_term(*operands[i], negated);
      if (!first) {
        pending.push_back(operands[i]);
        ++i;
        continue;
      }
      ListRun run;
      run.first = operands[i];
      run.key = first->key;
      std::unordered_set<uint32_t> seen;
      size_t j = i;
      for (; j < operands.size(); ++j) {
        std::optional<ListTerm> t = j == i ? first : list_term(*operands[j], negated);
        if (!t || !(t->key == run.key)) break;
        if (seen.insert(t->constant).second) run.constants.push_back(t->constant);
      }
      run.length = j - i;
      if (run.length >= threshold && run.constants.size() >= kRepresentatives) {
        result.run_at.emplace(run.first, result.runs.size());
        result.runs.push_back(std::move(run));
      }
      // Short runs are ordinary operands; their terms have nothing nested.
      i = j;
    }
  }
  return result;
}

bool choose_sentinels(ListRuns& runs, unsigned attempt) {
  std::unordered_set<uint32_t> constants;
  for (const ListRun& run : runs.runs) constants.insert(run.constants.begin(), run.constants.end());
  std::unordered_set<uint32_t> chosen;  // sentinels of every run so far
  uint64_t state = 0x5eed0000ull + attempt;
  for (ListRun& run : runs.runs) {
    for (auto& choice : run.sentinels) {
      choice.clear();
      for (int tries = 0; choice.size() < kRepresentatives && tries < 10000; ++tries) {
        const uint32_t c = candidate(run.key, state);
        if (c == 0 || constants.count(c) || !chosen.insert(c).second) continue;
        choice.push_back(c);
      }
      // A run that fills (nearly) all of its field's values, such as ports
      // 1..65535, leaves no fresh constant: some of its own constants stand
      // in. They appear nowhere in the representative program but as
      // sentinels, and the two disjoint builds still show
      // (sentinels_explain_constants) that no other test uses them.
      const size_t n = run.constants.size();
      for (size_t i = 0; i < n && choice.size() < kRepresentatives; ++i) {
        const uint32_t c = run.constants[(i + attempt * 2 * kRepresentatives) % n];
        if (chosen.insert(c).second) choice.push_back(c);
      }
      if (choice.size() < kRepresentatives) return false;
    }
  }
  return true;
}

}  // namespace bpfc::lower::sets
