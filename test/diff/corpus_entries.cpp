#include "corpus_entries.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "libpcap_oracle.h"

namespace bpfc::difftest {
namespace {

using nlohmann::json;

std::vector<std::filesystem::path> jsonl_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".jsonl") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<json> read_jsonl(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::vector<json> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(json::parse(line));
  }
  return lines;
}

std::optional<std::string> optional_string(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<std::string>();
}

std::optional<uint32_t> netmask_of(const json& j) {
  auto text = optional_string(j, "netmask");
  if (!text) return std::nullopt;
  auto value = parse_dotted_netmask(*text);
  if (!value) throw std::runtime_error("bad netmask in corpus: " + *text);
  return value;
}

}  // namespace

std::vector<AcceptEntry> load_accept_entries(const std::string& corpus_dir) {
  std::vector<AcceptEntry> entries;
  for (const auto& file : jsonl_files(std::filesystem::path(corpus_dir) / "accept")) {
    for (const json& j : read_jsonl(file)) {
      AcceptEntry e;
      e.file = file.filename().string();
      e.name = j.at("name").get<std::string>();
      e.dlt = j.at("dlt").get<std::string>();
      e.expr = j.at("expr").get<std::string>();
      if (j.contains("snaplen") && !j["snaplen"].is_null()) e.snaplen = j["snaplen"].get<uint32_t>();
      e.netmask = netmask_of(j);
      e.opt = optional_string(j, "opt");
      e.unopt = optional_string(j, "unopt");
      e.skip = optional_string(j, "skip");
      e.offline = optional_string(j, "generate_offline_filter");
      e.linuxext = j.value("linuxext", false);
      entries.push_back(std::move(e));
    }
  }
  return entries;
}

std::vector<RejectEntry> load_reject_entries(const std::string& corpus_dir) {
  std::vector<RejectEntry> entries;
  for (const auto& file : jsonl_files(std::filesystem::path(corpus_dir) / "reject")) {
    for (const json& j : read_jsonl(file)) {
      auto expr = optional_string(j, "expr");
      auto dlt = optional_string(j, "dlt");
      if (!expr || !dlt) continue;  // a savefile that fails to open, not a filter
      RejectEntry e;
      e.file = file.filename().string();
      e.name = j.at("name").get<std::string>();
      e.dlt = *dlt;
      e.expr = *expr;
      e.errstr = optional_string(j, "errstr").value_or("");
      e.netmask = netmask_of(j);
      entries.push_back(std::move(e));
    }
  }
  return entries;
}

std::vector<ApplyEntry> load_apply_entries(const std::string& corpus_dir) {
  std::vector<ApplyEntry> entries;
  for (const json& j : read_jsonl(std::filesystem::path(corpus_dir) / "apply" / "all.jsonl")) {
    if (!j.contains("results") || j["results"].is_null()) continue;  // an error case
    ApplyEntry e;
    e.name = j.at("name").get<std::string>();
    e.expr = j.at("expr").get<std::string>();
    e.savefile = j.at("savefile").get<std::string>();
    e.netmask = netmask_of(j);
    e.skip = optional_string(j, "skip");
    e.results = j.at("results").get<std::vector<uint32_t>>();
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace bpfc::difftest
