#include "module_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace bpfc::native::module {
namespace {

// The directory of the running program, with a trailing '/'; empty when
// /proc cannot tell.
std::string program_directory() {
  std::vector<char> path(4096);
  const ssize_t length = readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (length <= 0) return {};
  const std::string whole(path.data(), static_cast<size_t>(length));
  const size_t slash = whole.rfind('/');
  return slash == std::string::npos ? std::string() : whole.substr(0, slash + 1);
}

struct Loading {
  Backend* backend = nullptr;
  std::string problem;
};

Loading load_from(const std::string& path) {
  // RTLD_NODELETE: the module's code (and the native code its JIT made)
  // stays for the life of the process. RTLD_LOCAL: its own copies of bpfc's
  // libraries serve only itself.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    const char* why = dlerror();
    // dlerror() names the file.
    return {nullptr, "cannot load bpfc's LLVM module: " + std::string(why != nullptr ? why : path + ": unknown error")};
  }
  auto entry = reinterpret_cast<EntryFunction>(dlsym(handle, kEntrySymbol));
  Backend* backend = entry != nullptr ? entry(kAbiVersion) : nullptr;
  if (backend == nullptr) {
    return {nullptr, path + " is not the LLVM module of this bpfc (another version or build of bpfc-llvm.so?)"};
  }
  return {backend, {}};
}

Loading find_and_load() {
  if (const char* chosen = std::getenv("BPFC_LLVM_MODULE"); chosen != nullptr && *chosen != '\0') {
    return load_from(chosen);
  }
  std::vector<std::string> places;
  if (const std::string directory = program_directory(); !directory.empty()) {
    places.push_back(directory + std::string(kFileName));
  }
#ifdef BPFC_LLVM_MODULE_BUILD_PATH
  if (places.empty() || places.front() != BPFC_LLVM_MODULE_BUILD_PATH) places.push_back(BPFC_LLVM_MODULE_BUILD_PATH);
#endif
  for (const std::string& place : places) {
    if (access(place.c_str(), F_OK) == 0) return load_from(place);
  }
  std::string looked;
  for (const std::string& place : places) looked += (looked.empty() ? "" : ", ") + place;
  return {nullptr, "native code needs bpfc's LLVM module " + std::string(kFileName) + ", which is not there (looked for " +
                       looked + "; BPFC_LLVM_MODULE names another place)"};
}

std::once_flag once;
Loading outcome;
std::atomic<bool> done{false};

}  // namespace

Result<Backend*> backend() {
  std::call_once(once, [] {
    outcome = find_and_load();
    done.store(outcome.backend != nullptr, std::memory_order_release);
  });
  if (outcome.backend == nullptr) return error(outcome.problem);
  return outcome.backend;
}

bool loaded() { return done.load(std::memory_order_acquire); }

}  // namespace bpfc::native::module
