// Lets libpcap resolve the corpus' configured names from fixture files: in
// a private mount namespace, a copy of /etc's top-level files with the
// fixture hosts, ethers and networks files in place of the system's is
// bind-mounted over /etc, for this process only. libpcap (through glibc's
// NSS "files" sources) then finds every name the corpus expects in
// /etc/hosts, /etc/ethers and /etc/networks. Needs root; the caller must
// already be in an empty network namespace (network_isolation.h), so that a
// name the fixtures lack cannot turn into a DNS query that leaves the machine.
#pragma once

#include <string>

namespace bpfc::bench {

class FixtureEtc {
 public:
  // `fixture_dir` holds hosts, ethers and networks files.
  explicit FixtureEtc(const std::string& fixture_dir);
  ~FixtureEtc();  // removes the copy (the mount ends with the process)
  FixtureEtc(const FixtureEtc&) = delete;
  FixtureEtc& operator=(const FixtureEtc&) = delete;

  bool active() const { return error_.empty(); }
  const std::string& error() const { return error_; }  // why not active

 private:
  std::string copy_dir_;
  std::string error_;
};

}  // namespace bpfc::bench
