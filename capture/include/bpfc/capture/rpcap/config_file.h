// bpfc-rpcapd's configuration file (-s FILE writes it, -f FILE reads it and
// SIGHUP reads it again), in libpcap rpcapd's format so that a file saved by
// one daemon loads in the other:
//
//   # comment                      blank lines and comments are skipped
//   PassiveClient = 192.0.2.10     a host allowed to connect (one per line)
//   ActiveClient = 192.0.2.20, 2003   connect out to HOST, PORT (DEFAULT: kDefaultActivePort)
//   NullAuthPermit = YES           YES or NO
//
// Parameter names and YES/NO are case-sensitive, as libpcap compares them.
// Unlike libpcap's rpcapd, which logs a bad line and goes on, a file with a
// bad line is refused as a whole (the error names the file and the line):
// every file accepted here means the same to libpcap's rpcapd (which skips a
// last line with no newline; it is read here). Hosts are numeric addresses
// only (never resolved), ports numeric or DEFAULT.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/capture/rpcap/server.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::capture::rpcap {

// Longest line libpcap's rpcapd reads whole (its 2048-byte buffer, less the
// newline and the terminating NUL).
inline constexpr size_t kConfigMaxLine = 2046;
inline constexpr size_t kConfigMaxFileBytes = 1 << 20;
// libpcap's rpcapd keeps at most 10 active clients.
inline constexpr size_t kConfigMaxActiveClients = 10;
inline constexpr size_t kConfigMaxPassiveClients = 4096;

struct RpcapdConfig {
  std::vector<std::string> passive_clients;  // numeric addresses, as written
  std::vector<ActiveClient> active_clients;
  std::optional<bool> null_auth_permit;      // nullopt: the file does not say
  bool operator==(const RpcapdConfig&) const = default;
};

// The text of a configuration file; `name` (the file's path) starts each
// error: "NAME:LINE: what is wrong".
Result<RpcapdConfig> parse_config(std::string_view text, const std::string& name);
// Reads and parses the file (at most kConfigMaxFileBytes).
Result<RpcapdConfig> load_config(const std::string& path);
// The file's text: comments, then a line per setting. NullAuthPermit is
// written only when the configuration has it.
std::string format_config(const RpcapdConfig& config);
// Writes format_config() to `path`; why not, or nullopt.
std::optional<std::string> save_config(const std::string& path, const RpcapdConfig& config);

// rpcapd -a's list, as libpcap splits it: HOST,PORT pairs separated by ',',
// ';' or spaces, PORT a number or DEFAULT (kDefaultActivePort), which a
// last HOST may leave out; addresses numeric; at most
// kConfigMaxActiveClients.
Result<std::vector<ActiveClient>> parse_active_clients(std::string_view text);

// What the command line says in the file's terms: -l's hosts (split at
// commas, blanks trimmed), -a's client and -n.
RpcapdConfig command_line_config(std::string_view hosts, const std::vector<ActiveClient>& active, bool null_auth);
// The options for new connections: `base` (the command line's) with each
// setting the file has replacing the command line's one: PassiveClient lines
// replace -l, ActiveClient lines replace -a, NullAuthPermit replaces -n.
Result<DaemonOptions> apply_config(DaemonOptions base, const RpcapdConfig& config);
// load_config(path), then apply_config(base, ...): -f at start and on SIGHUP.
Result<DaemonOptions> options_from_file(const std::string& path, const DaemonOptions& base);

}  // namespace bpfc::capture::rpcap
