// The JIT, in the module: LLJIT, the process's cache of loaded code and the
// disk cache (native_jit.h states what they promise).
#include "jit_session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#include "compiler.h"

namespace bpfc::native {
namespace {

// Bumped whenever the code made for the same IR changes (lowering, options),
// so that a disk cache of an older bpfc is not taken for this one's.
constexpr std::string_view kCodeVersion = "bpfc-native-2";
constexpr std::string_view kEntry = "bpfc_filter";

// What identifies a filter's code: the code's version, LLVM's, the CPU it is
// made for, and the function (as ir::print's text).
std::string cache_key(std::string_view ir_text) {
  static const std::string machine =
      std::string(kCodeVersion) + " llvm " LLVM_VERSION_STRING " " + llvm::sys::getHostCPUName().str() + "\n";
  std::string key = machine;
  key += ir_text;
  return key;
}

// FNV-1a, 64 bits: the disk cache's file names (the file holds the key too,
// so that two keys with one hash are told apart).
std::string file_name(const std::string& key) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : key) hash = (hash ^ c) * 0x100000001b3ULL;
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.code", static_cast<unsigned long long>(hash));
  return name;
}

// A cache file: "<key size>\n<key><object>".
std::optional<std::string> read_cached_object(const std::string& dir, const std::string& key) {
  std::ifstream in(dir + "/" + file_name(key), std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream whole;
  whole << in.rdbuf();
  const std::string bytes = whole.str();
  const std::string head = std::to_string(key.size()) + "\n";
  if (bytes.size() <= head.size() + key.size() || bytes.compare(0, head.size(), head) != 0 ||
      bytes.compare(head.size(), key.size(), key) != 0) {
    return std::nullopt;
  }
  return bytes.substr(head.size() + key.size());
}

// Written to a temporary file and renamed: a reader sees the whole file or
// none. Failures are passed over (the cache is an optimization).
void write_cached_object(const std::string& dir, const std::string& key, const std::string& object) {
  ::mkdir(dir.c_str(), 0755);
  const std::string path = dir + "/" + file_name(key);
  std::string temporary = path + ".XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) return;
  const std::string bytes = std::to_string(key.size()) + "\n" + key + object;
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  ::fchmod(fd, 0644);
  const bool closed = ::close(fd) == 0;
  if (written != bytes.size() || !closed || ::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
  }
}

// The process's one LLJIT and what it holds. Never destroyed: the code it
// made must outlive every filter, including those in static objects.
class Session {
 public:
  static Session& get() {
    static Session* const session = new Session();
    return *session;
  }

  // Whether get() has made the session.
  static bool started() { return started_flag().load(std::memory_order_acquire); }

  // The loaded code for `key`, waiting while another thread compiles it;
  // nullopt when nobody has it (and then the caller compiles it: `claimed`).
  std::optional<NativeCode> find_or_claim(const std::string& key, bool& claimed) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return compiling_.count(key) == 0; });
    if (auto found = loaded_.find(key); found != loaded_.end()) return found->second;
    claimed = compiling_.insert(key).second;
    return std::nullopt;
  }

  std::optional<NativeCode> find(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (auto found = loaded_.find(key); found != loaded_.end()) return found->second;
    return std::nullopt;
  }

  void release(const std::string& key) {
    {
      std::lock_guard lock(mutex_);
      compiling_.erase(key);
    }
    ready_.notify_all();
  }

  // Links `object` into the process in a library of its own (each object's
  // entry has the same name) and finds its entry points.
  Result<NativeCode> load(const std::string& key, const std::string& object) {
    std::lock_guard lock(mutex_);
    if (auto found = loaded_.find(key); found != loaded_.end()) return found->second;
    if (jit_ == nullptr) return error("cannot start LLVM's JIT: " + jit_error_);
    auto library = jit_->createJITDylib("filter" + std::to_string(libraries_++));
    if (!library) return error("LLVM's JIT: " + llvm::toString(library.takeError()));
    // LLVM may call the C library (a batch of constant verdicts becomes a
    // memset): its symbols come from this process.
    auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
        jit_->getDataLayout().getGlobalPrefix());
    if (!process) return error("LLVM's JIT: " + llvm::toString(process.takeError()));
    library->addGenerator(std::move(*process));
    if (llvm::Error added = jit_->addObjectFile(*library, llvm::MemoryBuffer::getMemBufferCopy(object))) {
      return error("LLVM's JIT cannot load the code: " + llvm::toString(std::move(added)));
    }
    NativeCode code;
    for (const std::string& name : {std::string(kEntry), std::string(kEntry) + "_batch"}) {
      auto symbol = jit_->lookup(*library, name);
      if (!symbol) return error("LLVM's JIT cannot link the code: " + llvm::toString(symbol.takeError()));
      const auto address = static_cast<uintptr_t>(symbol->getAddress());
      if (name == kEntry) {
        code.filter = reinterpret_cast<FilterFunction>(address);
      } else {
        code.batch = reinterpret_cast<BatchFunction>(address);
      }
    }
    loaded_.emplace(key, code);
    return code;
  }

 private:
  Session() {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    auto made = llvm::orc::LLJITBuilder().create();
    if (made) {
      jit_ = std::move(*made);
    } else {
      jit_error_ = llvm::toString(made.takeError());
    }
    started_flag().store(true, std::memory_order_release);
  }

  static std::atomic<bool>& started_flag() {
    static std::atomic<bool> flag{false};
    return flag;
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::string jit_error_;
  std::map<std::string, NativeCode, std::less<>> loaded_;
  std::set<std::string, std::less<>> compiling_;
  uint64_t libraries_ = 0;
};

// Releases a claim to compile a key however the compile ends.
class Claim {
 public:
  Claim(Session& session, const std::string& key) : session_(session), key_(key) {}
  ~Claim() { session_.release(key_); }
  Claim(const Claim&) = delete;
  Claim& operator=(const Claim&) = delete;

 private:
  Session& session_;
  const std::string& key_;
};

}  // namespace

bool jit_cached_code(std::string_view ir_text, const std::string& cache_dir, NativeCode& code) {
  // Without a directory only a started JIT can have the code: a short job
  // that never compiles never starts LLVM's.
  if (cache_dir.empty() && !Session::started()) return false;
  Session& session = Session::get();
  const std::string key = cache_key(ir_text);
  if (auto found = session.find(key)) {
    code = *found;
    return true;
  }
  if (cache_dir.empty()) return false;
  auto object = read_cached_object(cache_dir, key);
  if (!object) return false;
  auto loaded = session.load(key, *object);
  if (!loaded) return false;
  code = *loaded;
  return true;
}

bool jit_code(std::string_view ir_text, const std::string& cache_dir, LoadedCode& loaded, std::string& problem) {
  Session& session = Session::get();
  const std::string key = cache_key(ir_text);
  for (;;) {
    bool claimed = false;
    if (auto found = session.find_or_claim(key, claimed)) {
      loaded = {*found, CodeSource::ProcessCache};
      return true;
    }
    if (claimed) break;
  }
  Claim claim(session, key);
  if (!cache_dir.empty()) {
    if (auto object = read_cached_object(cache_dir, key)) {
      if (auto code = session.load(key, *object)) {
        loaded = {*code, CodeSource::DiskCache};
        return true;
      }
    }
  }
  // One target machine per compiling thread, made at its first compile.
  thread_local std::unique_ptr<LlvmCompiler> compiler;
  thread_local std::string compiler_problem;
  if (compiler == nullptr && compiler_problem.empty()) {
    compiler = LlvmCompiler::make(jit_machine_options(), compiler_problem);
  }
  if (compiler == nullptr) {
    problem = compiler_problem;
    return false;
  }
  std::string object;
  if (!compiler->emit({{kEntry, ir_text}}, NativeOutput::Object, object, problem)) return false;
  auto code = session.load(key, object);
  if (!code) {
    problem = code.error().message;
    return false;
  }
  if (!cache_dir.empty()) write_cached_object(cache_dir, key, object);
  loaded = {*code, CodeSource::Compiled};
  return true;
}

}  // namespace bpfc::native
