// Reads back the JSON form format_json() writes:
//   {"length": N, "instructions": [{"code": c, "jt": t, "jf": f, "k": k, "text": ...}, ...]}
// code/jt/jf/k are required and range-checked; "text" (the -d line) and any
// other member are ignored; "length", when present, must match.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "asm_formats.h"

namespace bpfc::cbpf::text {
namespace {

bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Where each element of the top-level object's "instructions" array is
// written, for text nlohmann::json has already accepted (the parser itself
// keeps no positions). Empty if the array is not found.
std::vector<SourceSpan> instruction_spans(std::string_view text) {
  constexpr int kArrayDepth = 2;  // inside the top-level object, inside the array
  std::vector<SourceSpan> spans;
  int depth = 0;
  bool in_array = false;
  std::string_view last_key;             // the last string read at depth 1
  constexpr size_t kNone = std::string_view::npos;
  size_t element_begin = kNone;          // of the element being read
  size_t element_end = 0;                // just past its last byte so far
  const auto at_element_level = [&] { return in_array && depth == kArrayDepth; };
  const auto touch = [&](size_t begin, size_t end) {
    if (element_begin == kNone) element_begin = begin;
    element_end = end;
  };
  const auto finish_element = [&] {
    if (element_begin != kNone) {
      spans.push_back(SourceSpan{static_cast<uint32_t>(element_begin), static_cast<uint32_t>(element_end)});
    }
    element_begin = kNone;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_blank_char(c)) continue;
    if (c == '"') {
      const size_t begin = i;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      if (depth == 1) last_key = text.substr(begin + 1, i - begin - 1);
      if (at_element_level()) touch(begin, i + 1);
      continue;
    }
    if (c == '{' || c == '[') {
      if (at_element_level()) touch(i, i + 1);
      ++depth;
      if (!in_array && spans.empty() && c == '[' && depth == kArrayDepth && last_key == "instructions") {
        in_array = true;
      }
      continue;
    }
    if (c == '}' || c == ']') {
      --depth;
      if (at_element_level()) {
        touch(i, i + 1);
      } else if (in_array && depth == kArrayDepth - 1) {
        finish_element();
        return spans;
      }
      continue;
    }
    if (at_element_level()) {
      if (c == ',') {
        finish_element();
      } else {
        touch(i, i + 1);  // a number or literal element
      }
    }
  }
  return {};
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 2,
// column 5: syntax error while parsing ..." without the part the rendered
// location repeats.
std::string parse_error_reason(const std::string& what) {
  const size_t column = what.find("column ");
  const size_t colon = column == std::string::npos ? std::string::npos : what.find(": ", column);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

std::optional<uint32_t> field(const nlohmann::json& object, const char* name, uint32_t limit) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_number_unsigned()) return std::nullopt;
  const uint64_t value = it->get<uint64_t>();
  if (value > limit) return std::nullopt;
  return static_cast<uint32_t>(value);
}

}  // namespace

Result<ParsedProgram> parse_json(std::string_view text) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts from 1 and may point one past the end.
    const auto at = static_cast<uint32_t>(std::min<size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size()));
    return error_at(SourceSpan{at, std::min(at + 1, static_cast<uint32_t>(text.size()))},
                    "not valid JSON: " + parse_error_reason(e.what()));
  }
  const auto instructions = document.find("instructions");
  if (instructions == document.end() || !instructions->is_array()) {
    return error(
        "expected an object with an \"instructions\" array, as `bpfc compile --format=json` "
        "writes it");
  }
  std::vector<SourceSpan> spans = instruction_spans(text);
  if (spans.size() != instructions->size()) spans.clear();
  const auto fail = [&](size_t index, const std::string& what) {
    const std::string message = "instruction " + std::to_string(index) + ": " + what;
    return spans.empty() ? error(message) : error_at(spans[index], message);
  };

  ParsedProgram parsed;
  for (size_t i = 0; i < instructions->size(); ++i) {
    const nlohmann::json& object = (*instructions)[i];
    if (!object.is_object()) return fail(i, "expected an object {\"code\": ..., \"jt\": ..., \"jf\": ..., \"k\": ...}");
    static constexpr const char* kNames[] = {"code", "jt", "jf", "k"};
    static constexpr uint32_t kLimits[] = {0xffff, 0xff, 0xff, 0xffffffff};
    uint32_t values[4];
    for (int f = 0; f < 4; ++f) {
      auto value = field(object, kNames[f], kLimits[f]);
      if (!value) {
        return fail(i, std::string("\"") + kNames[f] + "\" must be a whole number from 0 to " +
                           std::to_string(kLimits[f]));
      }
      values[f] = *value;
    }
    parsed.program.push_back(Insn{static_cast<uint16_t>(values[0]), static_cast<uint8_t>(values[1]),
                                  static_cast<uint8_t>(values[2]), values[3]});
    if (!spans.empty()) parsed.origins.push_back(spans[i]);
  }
  if (const auto length = document.find("length"); length != document.end()) {
    if (!length->is_number_unsigned() || length->get<uint64_t>() != parsed.program.size()) {
      return error("\"length\" is " + length->dump() + ", but there are " +
                   std::to_string(parsed.program.size()) + " instructions");
    }
  }
  return parsed;
}

}  // namespace bpfc::cbpf::text
