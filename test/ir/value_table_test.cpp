// The value-numbering tables every numbering in the tree shares.
#include <gtest/gtest.h>

#include <cstdint>
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

}  // namespace
}  // namespace bpfc::ir
