// The tcpdump -d listings of test/corpus/accept/*.jsonl (libpcap's expected
// programs, optimized and not), read once per test executable.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bpfc::testing {

struct CorpusListing {
  std::string where;    // "EN10MB.jsonl:12 opt" for messages
  std::string dlt;
  std::string listing;  // newline-separated, as in the corpus
};

inline const std::vector<CorpusListing>& corpus_listings() {
  static const std::vector<CorpusListing> listings = [] {
    std::vector<CorpusListing> out;
    std::vector<std::filesystem::path> files;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(BPFC_TEST_DIR) + "/corpus/accept")) {
      if (entry.path().extension() == ".jsonl") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file);
      std::string line;
      for (int number = 1; std::getline(in, line); ++number) {
        const nlohmann::json entry = nlohmann::json::parse(line);
        for (const char* field : {"opt", "unopt"}) {
          if (!entry.contains(field) || !entry[field].is_string()) continue;
          out.push_back(CorpusListing{
              file.filename().string() + ":" + std::to_string(number) + " " + field,
              entry["dlt"].get<std::string>(), entry[field].get<std::string>()});
        }
      }
    }
    return out;
  }();
  return listings;
}

}  // namespace bpfc::testing
