// The tables behind value numbering, shared by every numbering in the tree
// (the libpcap-compatible optimizer's, the SSA optimizer's, the cBPF code
// generator's). A computation is identified by a key: a tuple of its
// operation and its already-numbered operands. What differs between the
// numberings is which keys they build and what they do with a match; how a
// key is hashed, how a new key gets its number and how a dominator-scoped
// table forgets what a subtree added is the same logic, and lives here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bpfc::ir {

// Hash of a tuple of integers and enumerators: each field is mixed in turn
// (a splitmix-style finalizer), so keys differing in any field spread well.
struct KeyHash {
  template <class... Fields>
  size_t operator()(const std::tuple<Fields...>& key) const {
    uint64_t h = 0x9e3779b97f4a7c15ull;
    std::apply([&h](const auto&... field) { ((h = mix(h ^ static_cast<uint64_t>(field))), ...); }, key);
    return static_cast<size_t>(h);
  }

 private:
  static uint64_t mix(uint64_t h) {
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return h ^ (h >> 31);
  }
};

// Hash-consing: a key seen before gets its number back, a new key the next
// number (first_id, first_id + 1, ... in the order keys are first seen).
template <class Key>
class ValueInterner {
 public:
  explicit ValueInterner(uint32_t first_id = 0) : first_id_(first_id), next_id_(first_id) {}

  struct Interned {
    uint32_t id;
    bool is_new;
  };
  Interned intern(const Key& key) {
    auto [it, inserted] = ids_.try_emplace(key, next_id_);
    if (inserted) ++next_id_;
    return {it->second, inserted};
  }
  // The number the next new key will get.
  uint32_t next_id() const { return next_id_; }
  void clear() {
    ids_.clear();
    next_id_ = first_id_;
  }

 private:
  std::unordered_map<Key, uint32_t, KeyHash> ids_;
  uint32_t first_id_;
  uint32_t next_id_;
};

// The computations available at a point of a dominator-tree walk: what a
// block adds is withdrawn (undo_to its mark) when the walk leaves the
// block's subtree, so a match always comes from a dominating computation.
template <class Key, class Value>
class ScopedValueTable {
 public:
  // The value recorded for key, or `none`.
  Value find(const Key& key, Value none) const {
    auto it = table_.find(key);
    return it == table_.end() ? none : it->second;
  }
  void insert(const Key& key, Value value) {
    auto [it, inserted] = table_.try_emplace(key, value);
    undo_.push_back(Undo{key, inserted ? Previous{} : Previous{true, it->second}});
    it->second = value;
  }
  size_t mark() const { return undo_.size(); }
  void undo_to(size_t mark) {
    while (undo_.size() > mark) {
      auto& [key, previous] = undo_.back();
      if (previous.existed) {
        table_[key] = previous.value;
      } else {
        table_.erase(key);
      }
      undo_.pop_back();
    }
  }

 private:
  struct Previous {
    bool existed = false;
    Value value{};
  };
  struct Undo {
    Key key;
    Previous previous;
  };

  std::unordered_map<Key, Value, KeyHash> table_;
  std::vector<Undo> undo_;
};

}  // namespace bpfc::ir
