// The value-numbering tables every numbering in the tree shares.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <tuple>

#include "bpfc/ir/ir.h"
#include "bpfc/ir/value_table.h"

namespace bpfc::ir {
namespace {

using Key = std::tuple<Op, uint32_t, uint32_t>;

TEST(ValueInternerTest, NumbersKeysInFirstSeenOrderFromTheFirstId) {
  ValueInterner<Key> numbers(1);
  const auto a = numbers.intern({Op::Add, 1, 2});
  const auto b = numbers.intern({Op::Add, 2, 1});  // operand order matters to the table
  const auto a_again = numbers.intern({Op::Add, 1, 2});
  EXPECT_EQ(a.id, 1u);
  EXPECT_TRUE(a.is_new);
  EXPECT_EQ(b.id, 2u);
  EXPECT_TRUE(b.is_new);
  EXPECT_EQ(a_again.id, 1u);
  EXPECT_FALSE(a_again.is_new);
  EXPECT_EQ(numbers.next_id(), 3u);
  numbers.clear();
  EXPECT_EQ(numbers.intern({Op::Sub, 1, 2}).id, 1u);
}

TEST(ScopedValueTableTest, UndoWithdrawsAndRestoresWhatAScopeChanged) {
  ScopedValueTable<Key, ValueId> table;
  const Key load{Op::Load, 4, 0};
  const Key add{Op::Add, 1, 2};
  table.insert(load, 7);
  const size_t outer = table.mark();
  table.insert(add, 9);
  table.insert(load, 8);  // shadows the outer binding
  EXPECT_EQ(table.find(add, kNoValue), 9u);
  EXPECT_EQ(table.find(load, kNoValue), 8u);
  table.undo_to(outer);
  EXPECT_EQ(table.find(add, kNoValue), kNoValue);
  EXPECT_EQ(table.find(load, kNoValue), 7u);
  table.undo_to(0);
  EXPECT_EQ(table.find(load, kNoValue), kNoValue);
}

TEST(KeyHashTest, KeysDifferingInOneFieldHashApart) {
  const KeyHash hash;
  EXPECT_NE(hash(Key{Op::Add, 1, 2}), hash(Key{Op::Add, 2, 1}));
  EXPECT_NE(hash(Key{Op::Add, 1, 2}), hash(Key{Op::Sub, 1, 2}));
  EXPECT_EQ(hash(Key{Op::Add, 1, 2}), hash(Key{Op::Add, 1, 2}));
}

// The open-addressed map behind both tables, against std::map on a long
// random mix of inserts and erases in a small key space (so that probe runs
// collide, wrap around the array and get erased from the middle).
TEST(FlatKeyMapTest, AgreesWithAnOrderedMapUnderInsertsAndErases) {
  using SmallKey = std::tuple<uint32_t, uint32_t>;
  FlatKeyMap<SmallKey, uint32_t> flat;
  std::map<SmallKey, uint32_t> reference;
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  for (uint32_t step = 0; step < 200000; ++step) {
    const SmallKey key{next() % 40, next() % 40};
    switch (next() % 3) {
      case 0:
      case 1: {
        auto [slot, inserted] = flat.try_emplace(key, step);
        auto [it, ref_inserted] = reference.try_emplace(key, step);
        ASSERT_EQ(inserted, ref_inserted);
        ASSERT_EQ(*slot, it->second);
        break;
      }
      default:
        flat.erase(key);
        reference.erase(key);
        break;
    }
    ASSERT_EQ(flat.size(), reference.size());
    if (step % 64 == 0) {
      for (uint32_t a = 0; a < 40; ++a) {
        for (uint32_t b = 0; b < 40; ++b) {
          const uint32_t* found = flat.find({a, b});
          auto it = reference.find({a, b});
          ASSERT_EQ(found != nullptr, it != reference.end());
          if (found) {
            ASSERT_EQ(*found, it->second);
          }
        }
      }
    }
    if (step % 50000 == 49999) {
      flat.clear();
      reference.clear();
    }
  }
}

}  // namespace
}  // namespace bpfc::ir
