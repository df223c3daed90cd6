// Password checks with crypt(3) (libxcrypt's crypt_r): against a file of
// "user:hash" lines, or the system's accounts (shadow entries).
//
// The answer's shape never tells an unknown user from a wrong password
// (CVE-2019-15162): an unknown user is hashed against a dummy setting of the
// same kind, so the work is the same, and both end in `false`. A failing
// crypt (NULL, or libxcrypt's "*" failure tokens for a malformed or
// disabled hash, CVE-2019-15163) is a failed check, never a dereference.
#include <crypt.h>
#include <pwd.h>
#include <shadow.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "bpfc/capture/rpcap/server.h"

namespace bpfc::capture::rpcap {
namespace {

// Compares without stopping at the first difference.
bool same_text(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// crypt_r's result for `password` under `setting`, nullopt when crypt fails.
std::optional<std::string> hash_with(const std::string& password, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof *data);
  const char* hashed = crypt_r(password.c_str(), setting.c_str(), data.get());
  if (hashed == nullptr || hashed[0] == '*' || hashed[0] == '\0') return std::nullopt;
  return std::string(hashed);
}

bool verify(const std::string& password, const std::optional<std::string>& stored, const std::string& dummy) {
  // Locked or passwordless accounts ("!", "*", "") never authenticate, but
  // cost the same hashing as every other attempt.
  const bool usable = stored && !stored->empty() && (*stored)[0] != '!' && (*stored)[0] != '*';
  const std::string& setting = usable ? *stored : dummy;
  std::optional<std::string> hashed = hash_with(password, setting);
  if (!usable || !hashed) return false;
  return same_text(*hashed, *stored);
}

std::string dummy_setting() {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn(nullptr, 0, nullptr, 0, setting, sizeof setting) != nullptr) return setting;
  return "$6$bpfcrpcapdsalt$";
}

class FileAuthenticator : public Authenticator {
 public:
  explicit FileAuthenticator(std::map<std::string, std::string> entries) : entries_(std::move(entries)) {
    dummy_ = entries_.empty() ? dummy_setting() : entries_.begin()->second;
  }
  bool check(const std::string& user, const std::string& password) override {
    auto found = entries_.find(user);
    std::optional<std::string> stored;
    if (found != entries_.end()) stored = found->second;
    return verify(password, stored, dummy_);
  }

 private:
  std::map<std::string, std::string> entries_;
  std::string dummy_;
};

class SystemAuthenticator : public Authenticator {
 public:
  SystemAuthenticator() : dummy_(dummy_setting()) {}
  bool check(const std::string& user, const std::string& password) override {
    std::optional<std::string> stored;
    {
      // getspnam_r and getpwnam_r are re-entrant; the lock keeps NSS
      // modules that are not from being entered twice.
      std::lock_guard lock(mutex_);
      std::vector<char> buffer(16384);
      spwd shadow{};
      spwd* shadow_entry = nullptr;
      passwd account{};
      passwd* account_entry = nullptr;
      if (getspnam_r(user.c_str(), &shadow, buffer.data(), buffer.size(), &shadow_entry) == 0 &&
          shadow_entry != nullptr && shadow_entry->sp_pwdp != nullptr) {
        stored = shadow_entry->sp_pwdp;
      } else if (getpwnam_r(user.c_str(), &account, buffer.data(), buffer.size(), &account_entry) == 0 &&
                 account_entry != nullptr && account_entry->pw_passwd != nullptr &&
                 std::strcmp(account_entry->pw_passwd, "x") != 0) {
        stored = account_entry->pw_passwd;
      }
    }
    return verify(password, stored, dummy_);
  }

 private:
  std::mutex mutex_;
  std::string dummy_;
};

}  // namespace

Result<std::unique_ptr<Authenticator>> password_file_authenticator(const std::string& path) {
  std::ifstream in(path);
  if (!in) return bpfc::error("cannot read the password file " + path + ": " + std::strerror(errno));
  std::map<std::string, std::string> entries;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const size_t colon = line.find(':');
    if (colon == 0 || colon == std::string::npos || colon + 1 == line.size()) {
      return bpfc::error(path + ":" + std::to_string(number) + ": expected user:crypt-hash");
    }
    std::string hash = line.substr(colon + 1);
    if (hash.find(':') != std::string::npos) hash.resize(hash.find(':'));  // passwd-like trailing fields
    entries[line.substr(0, colon)] = hash;
  }
  return std::unique_ptr<Authenticator>(std::make_unique<FileAuthenticator>(std::move(entries)));
}

std::unique_ptr<Authenticator> system_authenticator() { return std::make_unique<SystemAuthenticator>(); }

}  // namespace bpfc::capture::rpcap
