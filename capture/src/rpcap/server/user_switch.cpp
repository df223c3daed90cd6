// A session's process taking on the account that logged in: groups, gid,
// uid (real, effective, saved), and what remains of root's capabilities.
//
// libpcap's rpcapd calls setuid() alone, so its session keeps root's
// supplementary groups and gid. Here every id changes, the change is
// checked (a later setresuid(0) must fail), and no_new_privs keeps an
// exec from regaining anything. Capabilities are per thread in the
// kernel, so the process must have one thread when it changes.
#include <dirent.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "bpfc/capture/rpcap/server.h"

namespace bpfc::capture::rpcap {
namespace {

std::string system_error(const std::string& what) { return what + ": " + std::strerror(errno); }

int thread_count() {
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return -1;
  int count = 0;
  while (dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(tasks);
  return count;
}

struct Account {
  uid_t uid = 0;
  gid_t gid = 0;
};

std::optional<Account> find_account(const std::string& user) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return Account{found->pw_uid, found->pw_gid};
}

std::optional<gid_t> find_group(const std::string& group) {
  std::vector<char> buffer(65536);
  struct group entry {};
  struct group* found = nullptr;
  if (getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return found->gr_gid;
}

// Sets the calling thread's capability sets to CAP_NET_RAW alone (permitted
// and effective), or to nothing.
bool set_capabilities(bool net_raw) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (net_raw) data[0].permitted = data[0].effective = 1u << CAP_NET_RAW;
  return syscall(SYS_capset, &header, data) == 0;
}

}  // namespace

std::optional<std::string> check_capture_group(const std::string& group) {
  if (!find_group(group)) return "there is no group '" + group + "'";
  return std::nullopt;
}

std::optional<std::string> become_user(const std::string& user, const UserSwitchOptions& options) {
  const auto account = find_account(user);
  if (!account) return "there is no account '" + user + "'";
  const uid_t current = geteuid();
  if (account->uid == current) return std::nullopt;  // root logging in, or the daemon's own account
  if (current != 0) {
    return "the daemon does not run as root, so the session cannot run as '" + user + "'";
  }
  if (const int threads = thread_count(); threads != 1) {
    return "the session's process has " + std::to_string(threads) + " threads; it can only change its user with one";
  }
  bool keep_capture = false;
  if (!options.capture_group.empty()) {
    const auto group = find_group(options.capture_group);
    if (!group) return "there is no group '" + options.capture_group + "'";
    int count = 64;
    std::vector<gid_t> groups(count);
    while (getgrouplist(user.c_str(), account->gid, groups.data(), &count) < 0) groups.resize(count);
    groups.resize(count);
    for (gid_t g : groups) keep_capture = keep_capture || g == *group;
  }
  if (initgroups(user.c_str(), account->gid) != 0) return system_error("initgroups");
  if (setresgid(account->gid, account->gid, account->gid) != 0) return system_error("setresgid");
  // Root's permitted capabilities survive the uid change only when asked
  // (PR_SET_KEEPCAPS); then all but CAP_NET_RAW are dropped.
  if (keep_capture && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return system_error("prctl(PR_SET_KEEPCAPS)");
  if (setresuid(account->uid, account->uid, account->uid) != 0) return system_error("setresuid");
  if (keep_capture) {
    if (!set_capabilities(true)) return system_error("capset");
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  } else if (!set_capabilities(false)) {
    return system_error("capset");
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return system_error("prctl(PR_SET_NO_NEW_PRIVS)");
  // A change that could be undone is no change.
  if (setresuid(0, 0, 0) == 0 || geteuid() != account->uid || getegid() != account->gid) {
    return "the change to '" + user + "' did not hold";
  }
  return std::nullopt;
}

}  // namespace bpfc::capture::rpcap
