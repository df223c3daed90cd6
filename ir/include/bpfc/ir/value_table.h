// The tables behind value numbering, shared by every numbering in the tree
// (the libpcap-compatible optimizer's, the SSA optimizer's, the cBPF code
// generator's). A computation is identified by a key: a tuple of its
// operation and its already-numbered operands. What differs between the
// numberings is which keys they build and what they do with a match; how a
// key is hashed, how a new key gets its number and how a dominator-scoped
// table forgets what a subtree added is the same logic, and lives here.
//
// The tables are open-addressed (one array, linear probing): every compile
// runs several numberings, each filling and dropping its tables, and a
// node-based map spent most of that time allocating and freeing nodes. No
// table is ever iterated, so the layout never shows in any result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>
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

// A map from small keys (tuples of integers) to small values: linear
// probing in a power-of-two array kept at most half full; erase shifts the
// following entries back (no tombstones). Only what the tables below need.
template <class Key, class Value>
class FlatKeyMap {
 public:
  Value* find(const Key& key) {
    if (size_ == 0) return nullptr;
    for (size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.used) return nullptr;
      if (slot.key == key) return &slot.value;
    }
  }
  const Value* find(const Key& key) const { return const_cast<FlatKeyMap*>(this)->find(key); }

  // The entry for key, inserted with `value` if it was not there; the bool
  // says whether it was inserted.
  std::pair<Value*, bool> try_emplace(const Key& key, const Value& value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    for (size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        slot = Slot{key, value, true};
        ++size_;
        return {&slot.value, true};
      }
      if (slot.key == key) return {&slot.value, false};
    }
  }

  void erase(const Key& key) {
    if (size_ == 0) return;
    size_t hole = home(key);
    for (;; hole = (hole + 1) & mask_) {
      if (!slots_[hole].used) return;
      if (slots_[hole].key == key) break;
    }
    // Move back each following entry whose probe path crosses the hole.
    for (size_t j = (hole + 1) & mask_; slots_[j].used; j = (j + 1) & mask_) {
      const size_t from_home = (j - home(slots_[j].key)) & mask_;
      if (from_home >= ((j - hole) & mask_)) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole].used = false;
    --size_;
  }

  void clear() {
    if (size_ == 0) return;
    for (Slot& slot : slots_) slot.used = false;
    size_ = 0;
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    Key key{};
    Value value{};
    bool used = false;
  };

  size_t home(const Key& key) const { return KeyHash{}(key) & mask_; }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    const size_t capacity = old.empty() ? 16 : 2 * old.size();
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    size_ = 0;
    for (const Slot& slot : old) {
      if (slot.used) try_emplace(slot.key, slot.value);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
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
    auto [id, inserted] = ids_.try_emplace(key, next_id_);
    if (inserted) ++next_id_;
    return {*id, inserted};
  }
  // The number the next new key will get.
  uint32_t next_id() const { return next_id_; }
  void clear() {
    ids_.clear();
    next_id_ = first_id_;
  }

 private:
  FlatKeyMap<Key, uint32_t> ids_;
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
    const Value* found = table_.find(key);
    return found == nullptr ? none : *found;
  }
  void insert(const Key& key, Value value) {
    auto [slot, inserted] = table_.try_emplace(key, value);
    undo_.push_back(Undo{key, inserted ? Previous{} : Previous{true, *slot}});
    *slot = value;
  }
  size_t mark() const { return undo_.size(); }
  void undo_to(size_t mark) {
    while (undo_.size() > mark) {
      auto& [key, previous] = undo_.back();
      if (previous.existed) {
        *table_.try_emplace(key, previous.value).first = previous.value;
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

  FlatKeyMap<Key, Value> table_;
  std::vector<Undo> undo_;
};

}  // namespace bpfc::ir
