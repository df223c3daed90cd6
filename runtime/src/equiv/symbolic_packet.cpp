#include "symbolic_packet.h"

#include <string>

#include "z3_assign.h"

namespace bpfc::runtime::equiv {

SymbolicPacket::SymbolicPacket(z3::context& ctx, uint32_t min_length, uint32_t max_length)
    : ctx_(&ctx),
      min_length_(min_length),
      max_length_(max_length),
      caplen_(ctx.bv_const("caplen", 32)),
      wirelen_(ctx.bv_const("wirelen", 32)) {
  bytes_.reserve(max_length);
  for (uint32_t i = 0; i < max_length; ++i) {
    bytes_.push_back(ctx.bv_const(("p" + std::to_string(i)).c_str(), 8));
  }
}

z3::expr SymbolicPacket::constraints() const {
  return z3::uge(caplen_, ctx_->bv_val(min_length_, 32)) && z3::ule(caplen_, ctx_->bv_val(max_length_, 32)) &&
         z3::uge(wirelen_, caplen_);
}

z3::expr SymbolicPacket::narrow_bytes_at(uint32_t offset, unsigned size) const {
  z3::expr value = bytes_[offset];
  for (unsigned i = 1; i < size; ++i) assign(value, z3::concat(value, bytes_[offset + i]));
  return value;
}

z3::expr SymbolicPacket::bytes_at(uint32_t offset, unsigned size) const {
  const z3::expr value = narrow_bytes_at(offset, size);
  return size == 4 ? value : z3::zext(value, 32 - 8 * size);
}

SymbolicLoad SymbolicPacket::load_absolute(uint32_t offset, unsigned size) const {
  const uint64_t end = uint64_t{offset} + size;
  if (end > max_length_) return {ctx_->bool_val(false), ctx_->bv_val(0, 32)};
  z3::expr in_bounds = end <= min_length_ ? ctx_->bool_val(true) : z3::ule(ctx_->bv_val(end, 32), caplen_);
  return {in_bounds, bytes_at(offset, size)};
}

SymbolicLoad SymbolicPacket::load_indirect(const z3::expr& x, uint32_t k, unsigned size) const {
  uint64_t known_x = 0;
  if (x.is_numeral_u64(known_x)) {
    const uint64_t offset = known_x + k;
    if (offset + size > max_length_) return {ctx_->bool_val(false), ctx_->bv_val(0, 32)};
    return load_absolute(static_cast<uint32_t>(offset), size);
  }
  if (max_length_ < size) return {ctx_->bool_val(false), ctx_->bv_val(0, 32)};

  // 64 bits: x + k + size cannot wrap, as in run_cbpf.
  const z3::expr offset = z3::zext(x, 32) + ctx_->bv_val(uint64_t{k}, 64);
  const z3::expr in_bounds =
      z3::ule(offset + ctx_->bv_val(uint64_t{size}, 64), z3::zext(caplen_, 32));

  // Where the load is in bounds the offset is below `starts`, so a
  // multiplexer on its low bits picks the value; any other offset is out of
  // bounds and its value is never used. It selects among values of the
  // load's own width, widened once at the end (a quarter of the formula a
  // 32-bit multiplexer makes for byte loads, which loops do many of).
  const uint32_t starts = max_length_ - size + 1;
  unsigned index_bits = 0;
  while ((uint64_t{1} << index_bits) < starts) ++index_bits;
  std::vector<z3::expr> level;
  level.reserve(size_t{1} << index_bits);
  const z3::expr unused = ctx_->bv_val(0, 8 * size);
  for (uint64_t start = 0; start < (uint64_t{1} << index_bits); ++start) {
    level.push_back(start < starts ? narrow_bytes_at(static_cast<uint32_t>(start), size) : unused);
  }
  for (unsigned bit = 0; bit < index_bits; ++bit) {
    const z3::expr selector = offset.extract(bit, bit) == ctx_->bv_val(1, 1);
    std::vector<z3::expr> next;
    next.reserve(level.size() / 2);
    for (size_t i = 0; i + 1 < level.size(); i += 2) {
      const z3::expr& low = level[i];
      const z3::expr& high = level[i + 1];
      next.push_back(z3::eq(low, high) ? low : z3::ite(selector, high, low));
    }
    level = std::move(next);
  }
  const z3::expr& value = level.front();
  return {in_bounds, size == 4 ? value : z3::zext(value, 32 - 8 * size)};
}

}  // namespace bpfc::runtime::equiv
