// Reads the textual IR (grammar: ir/README.md, "Text form") back into a
// Function.
//
// The parser checks syntax only; whether the function is well formed is the
// verifier's business, so tests can write deliberately broken IR as text.
// Value ids are kept as written: a value referenced but never defined becomes
// a placeholder that belongs to no block (the verifier reports its use).
#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "bpfc/ir/parser.h"

namespace bpfc::ir {
namespace {

struct ParseError {
  Diagnostic diagnostic;
};

// "b3" / "v12". Built by appending: GCC 12 warns wrongly (-Wrestrict, GCC
// bug 105329) about "literal" + std::to_string(...).
std::string numbered(char prefix, size_t n) {
  std::string name(1, prefix);
  name += std::to_string(n);
  return name;
}

// A cursor over one line of the text; reports errors with the line number
// and the span of the offending text.
class LineReader {
 public:
  LineReader(std::string_view line, uint32_t line_start, uint32_t line_number)
      : line_(line), start_(line_start), number_(line_number) {}

  void skip_space() {
    while (pos_ < line_.size() && (line_[pos_] == ' ' || line_[pos_] == '\t' || line_[pos_] == '\r')) ++pos_;
  }
  bool at_end() {
    skip_space();
    return pos_ >= line_.size();
  }
  // True when the rest of the line starts with `letter` and a digit (a
  // block label or value id rather than a keyword such as "br").
  bool starts_with_label(char letter) {
    skip_space();
    return pos_ + 1 < line_.size() && line_[pos_] == letter &&
           std::isdigit(static_cast<unsigned char>(line_[pos_ + 1]));
  }
  char peek() {
    skip_space();
    return pos_ < line_.size() ? line_[pos_] : '\0';
  }
  bool accept(std::string_view token) {
    skip_space();
    if (line_.substr(pos_).starts_with(token)) {
      pos_ += token.size();
      return true;
    }
    return false;
  }
  void expect(std::string_view token) {
    if (!accept(token)) fail("expected '" + std::string(token) + "'");
  }
  std::string_view word() {
    skip_space();
    size_t begin = pos_;
    while (pos_ < line_.size() && (std::isalnum(static_cast<unsigned char>(line_[pos_])) || line_[pos_] == '_')) ++pos_;
    return line_.substr(begin, pos_ - begin);
  }
  uint32_t number() {
    skip_space();
    size_t begin = pos_;
    int base = 10;
    if (line_.substr(pos_).starts_with("0x") || line_.substr(pos_).starts_with("0X")) {
      base = 16;
      pos_ += 2;
    }
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(line_.data() + pos_, line_.data() + line_.size(), value, base);
    if (ec != std::errc() || end == line_.data() + pos_) {
      pos_ = begin;
      fail(ec == std::errc::result_out_of_range ? "number does not fit in 32 bits" : "expected a number");
    }
    pos_ = static_cast<size_t>(end - line_.data());
    return value;
  }
  // "v12" or "_" (kNoValue).
  ValueId value_ref() {
    if (accept("_")) return kNoValue;
    if (!accept("v")) fail("expected a value (vN)");
    return number_no_space("value");
  }
  // "b3" or "_" (kNoBlock).
  BlockId block_ref() {
    if (accept("_")) return kNoBlock;
    if (!accept("b")) fail("expected a block (bN)");
    return number_no_space("block");
  }
  void expect_end() {
    if (!at_end()) fail("unexpected text");
  }
  [[noreturn]] void fail(const std::string& message) const {
    uint32_t begin = start_ + static_cast<uint32_t>(pos_);
    uint32_t end = start_ + static_cast<uint32_t>(line_.size());
    if (end <= begin) end = begin + 1;
    std::string text = "line ";
    text += std::to_string(number_);
    text += ": ";
    text += message;
    throw ParseError{error_at(SourceSpan{begin, end}, std::move(text))};
  }

 private:
  uint32_t number_no_space(const char* what) {
    if (pos_ >= line_.size() || !std::isdigit(static_cast<unsigned char>(line_[pos_]))) {
      fail(std::string("expected a ") + what + " number");
    }
    return number();
  }

  std::string_view line_;
  uint32_t start_;
  uint32_t number_;
  size_t pos_ = 0;
};

std::optional<Op> binary_op(std::string_view name) {
  static constexpr Op kBinary[] = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Mod,
                                   Op::And, Op::Or,  Op::Xor, Op::Shl, Op::Shr};
  for (Op op : kBinary) {
    if (name == op_name(op)) return op;
  }
  return std::nullopt;
}

std::optional<Cond> condition(std::string_view name) {
  for (Cond c : {Cond::Eq, Cond::Gt, Cond::Ge, Cond::Set}) {
    if (name == cond_name(c)) return c;
  }
  return std::nullopt;
}

class FunctionParser {
 public:
  Function take() { return std::move(f_); }

  void line(LineReader& in) {
    if (in.at_end()) return;
    if (in.starts_with_label('b')) {
      in.expect("b");
      return block_label(in);
    }
    if (current_ == kNoBlock) in.fail("expected a block label (bN:) first");
    if (terminated_) in.fail(numbered('b', current_) + " already has a terminator");
    if (in.accept("v")) return instruction(in);
    terminator(in);
  }

  void finish(LineReader& last_line) {
    if (current_ != kNoBlock && !terminated_) last_line.fail(numbered('b', current_) + " has no terminator line");
  }

 private:
  void block_label(LineReader& in) {
    BlockId id = in.number();
    in.expect(":");
    in.expect_end();
    if (current_ != kNoBlock && !terminated_) in.fail(numbered('b', current_) + " has no terminator line");
    if (id != f_.blocks.size()) {
      in.fail("expected block " + numbered('b', f_.blocks.size()) + " (blocks are numbered in order)");
    }
    f_.blocks.emplace_back();
    current_ = id;
    terminated_ = false;
  }

  Inst& define(LineReader& in, ValueId id) {
    if (id == kNoValue) in.fail("value number too large");
    ensure(id);
    if (defined_[id]) in.fail(numbered('v', id) + " is defined twice");
    defined_[id] = true;
    f_.values[id] = Inst{};
    f_.values[id].block = current_;
    f_.blocks[current_].insts.push_back(id);
    return f_.values[id];
  }

  ValueId use(LineReader& in) {
    ValueId v = in.value_ref();
    if (v != kNoValue) ensure(v);
    return v;
  }

  void ensure(ValueId id) {
    if (id >= f_.values.size()) {
      f_.values.resize(size_t{id} + 1);
      defined_.resize(size_t{id} + 1, false);
    }
  }

  void instruction(LineReader& in) {
    ValueId id = in.number();
    in.expect("=");
    std::string_view name = in.word();
    // Operands are read before define() so that references that grow
    // `values` cannot invalidate the Inst being filled.
    Inst inst;
    inst.block = current_;
    if (name == "const") {
      inst.op = Op::Const;
      inst.imm = in.number();
    } else if (name == "len") {
      inst.op = Op::Len;
    } else if (name == "caplen") {
      inst.op = Op::Caplen;
    } else if (name == "meta") {
      inst.op = Op::Meta;
      in.expect(".");
      std::string_view kind = in.word();
      inst.imm = kMetaKindCount;
      for (uint32_t k = 0; k < kMetaKindCount; ++k) {
        if (kind == meta_kind_name(static_cast<MetaKind>(k))) inst.imm = k;
      }
      if (inst.imm == kMetaKindCount) in.fail("unknown metadata kind '" + std::string(kind) + "'");
    } else if (name == "load") {
      inst.op = Op::Load;
      in.expect(".");
      uint32_t size = in.number();
      if (size > 255) in.fail("load size too large");
      inst.size = static_cast<uint8_t>(size);
      in.expect("[");
      if (in.peek() == 'v' || in.peek() == '_') {
        inst.a = use(in);
        in.expect("+");
      }
      inst.imm = in.number();
      in.expect("]");
      inst.checked = in.accept("checked");
    } else if (name == "neg") {
      inst.op = Op::Neg;
      inst.a = use(in);
    } else if (name == "phi") {
      inst.op = Op::Phi;
      bool first = true;
      while (!in.at_end()) {
        if (!first) in.expect(",");
        first = false;
        in.expect("[");
        PhiIncoming incoming;
        incoming.block = in.block_ref();
        in.expect(":");
        incoming.value = use(in);
        in.expect("]");
        inst.incoming.push_back(incoming);
      }
    } else if (name == "protochain") {
      inst.op = Op::Protochain;
      in.expect(".ip");
      uint32_t version = in.number();
      if (version > 255) in.fail("IP version too large");
      inst.size = static_cast<uint8_t>(version);
      inst.a = use(in);
      in.expect(",");
      inst.b = use(in);
      in.expect("[");
      inst.imm = in.number();
      in.expect("]");
      in.expect("stop");
      inst.stop = in.number();
    } else if (auto op = binary_op(name)) {
      inst.op = *op;
      inst.a = use(in);
      in.expect(",");
      inst.b = use(in);
    } else {
      in.fail("unknown operation '" + std::string(name) + "'");
    }
    in.expect_end();
    define(in, id) = std::move(inst);
  }

  void terminator(LineReader& in) {
    std::string_view name = in.word();
    Terminator& t = f_.blocks[current_].term;
    if (name == "ret") {
      t.kind = TermKind::Ret;
      t.lhs = use(in);
    } else if (name == "jump") {
      t.kind = TermKind::Jump;
      t.on_true = in.block_ref();
    } else if (name == "br") {
      t.kind = TermKind::Branch;
      auto c = condition(in.word());
      if (!c) in.fail("expected a condition (eq, gt, ge, set)");
      t.cond = *c;
      t.lhs = use(in);
      in.expect(",");
      t.rhs = use(in);
      in.expect(",");
      t.on_true = in.block_ref();
      in.expect(",");
      t.on_false = in.block_ref();
    } else if (name == "unterminated") {
      t.kind = TermKind::None;
    } else {
      in.fail(name.empty() ? "expected an instruction or a terminator" : "unknown terminator '" + std::string(name) + "'");
    }
    in.expect_end();
    terminated_ = true;
  }

  Function f_;
  std::vector<bool> defined_;
  BlockId current_ = kNoBlock;
  bool terminated_ = false;
};

}  // namespace

Result<Function> parse(std::string_view text) {
  FunctionParser parser;
  uint32_t line_number = 0;
  size_t start = 0;
  try {
    std::string_view last_line;
    uint32_t last_start = 0;
    uint32_t last_number = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(start, end - start);
      if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
      ++line_number;
      LineReader reader(line, static_cast<uint32_t>(start), line_number);
      if (!reader.at_end()) {
        // A missing final terminator is reported at the last line with text.
        last_line = line;
        last_start = static_cast<uint32_t>(start);
        last_number = line_number;
      }
      parser.line(reader);
      start = end + 1;
    }
    LineReader last(last_line, last_start, last_number);
    parser.finish(last);
  } catch (const ParseError& e) {
    return e.diagnostic;
  }
  return parser.take();
}

}  // namespace bpfc::ir
