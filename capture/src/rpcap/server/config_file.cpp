// The configuration file (config_file.h): libpcap rpcapd's three parameters,
// read strictly (a bad line refuses the file) and written so that libpcap's
// rpcapd reads them back the same.
#include "bpfc/capture/rpcap/config_file.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bpfc::capture::rpcap {
namespace {

constexpr std::string_view kPassiveClient = "PassiveClient";
constexpr std::string_view kActiveClient = "ActiveClient";
constexpr std::string_view kNullAuthPermit = "NullAuthPermit";

bool blank(char c) { return c == ' ' || c == '\t'; }
bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool name_character(char c) { return alpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_'; }

void skip_blanks(std::string_view& s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
}

// The characters up to the first of `stops` (or the end), removed from `s`.
std::string_view take_until(std::string_view& s, std::string_view stops) {
  const size_t end = std::min(s.find_first_of(stops), s.size());
  const std::string_view token = s.substr(0, end);
  s.remove_prefix(end);
  return token;
}

// What may follow a value: blanks, then nothing or a comment.
bool only_comment_left(std::string_view rest) {
  skip_blanks(rest);
  return rest.empty() || rest.front() == '#';
}

bool numeric_address(const std::string& text) {
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, text.c_str(), &v4) == 1 || inet_pton(AF_INET6, text.c_str(), &v6) == 1;
}

std::optional<uint16_t> parse_port(std::string_view text) {
  if (text == "DEFAULT") return kDefaultActivePort;
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

// One line without its newline; an error message, or nullopt (the setting,
// if any, added to `config`).
std::optional<std::string> parse_line(std::string_view line, RpcapdConfig& config) {
  if (line.find('\0') != std::string_view::npos) return "a NUL byte";
  skip_blanks(line);
  if (line.empty() || line.front() == '#') return std::nullopt;
  if (!alpha(line.front())) return "expected a parameter name (ActiveClient, PassiveClient or NullAuthPermit)";
  size_t name_end = 0;
  while (name_end < line.size() && name_character(line[name_end])) ++name_end;
  const std::string name(line.substr(0, name_end));
  line.remove_prefix(name_end);
  skip_blanks(line);
  if (line.empty() || line.front() != '=') return "'" + name + "' has no '='";
  line.remove_prefix(1);
  skip_blanks(line);
  if (line.empty() || line.front() == '#') return "'" + name + "' has no value";

  if (name == kPassiveClient) {
    const std::string host(take_until(line, " \t#"));
    if (!only_comment_left(line)) return "PassiveClient takes one address (text after '" + host + "')";
    if (host.find_first_of(",;") != std::string::npos) return "PassiveClient takes one address per line";
    if (!numeric_address(host)) {
      return "PassiveClient: '" + host + "' is not a numeric IPv4 or IPv6 address (host names are not resolved)";
    }
    if (config.passive_clients.size() >= kConfigMaxPassiveClients) {
      return "more than " + std::to_string(kConfigMaxPassiveClients) + " PassiveClient lines";
    }
    config.passive_clients.push_back(host);
    return std::nullopt;
  }
  if (name == kActiveClient) {
    // HOST, then one separator (',', ';' or a space, as libpcap splits it),
    // blanks, then PORT.
    const std::string host(take_until(line, " \t,;#"));
    const std::string no_port = "ActiveClient '" + host + "' has no port (HOST, PORT or HOST, DEFAULT)";
    if (host.empty()) return "ActiveClient has no address";
    if (line.empty() || line.front() == '#') return no_port;
    if (line.front() == '\t') return "ActiveClient: separate the address and the port with ',', ';' or a space";
    line.remove_prefix(1);
    skip_blanks(line);
    const std::string_view port_text = take_until(line, " \t#");
    if (port_text.empty()) return no_port;
    if (!only_comment_left(line)) return "ActiveClient takes one address and one port";
    if (!numeric_address(host)) {
      return "ActiveClient: '" + host + "' is not a numeric IPv4 or IPv6 address (host names are not resolved)";
    }
    const auto port = parse_port(port_text);
    if (!port) return "ActiveClient: port '" + std::string(port_text) + "' is not a number from 1 to 65535 or DEFAULT";
    if (config.active_clients.size() >= kConfigMaxActiveClients) {
      return "more than " + std::to_string(kConfigMaxActiveClients) + " ActiveClient lines";
    }
    config.active_clients.push_back({host, *port});
    return std::nullopt;
  }
  if (name == kNullAuthPermit) {
    const std::string_view value = take_until(line, " \t#");
    if (!only_comment_left(line)) return "NullAuthPermit takes one value";
    if (value != "YES" && value != "NO") {
      return "NullAuthPermit is YES or NO (upper case), not '" + std::string(value) + "'";
    }
    config.null_auth_permit = value == "YES";
    return std::nullopt;
  }
  return "unknown parameter '" + name + "' (known: ActiveClient, PassiveClient, NullAuthPermit; case-sensitive)";
}

}  // namespace

Result<RpcapdConfig> parse_config(std::string_view text, const std::string& name) {
  if (text.size() > kConfigMaxFileBytes) {
    return bpfc::error(name + ": larger than " + std::to_string(kConfigMaxFileBytes) + " bytes");
  }
  RpcapdConfig config;
  unsigned number = 0;
  while (!text.empty()) {
    ++number;
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    if (line.size() > kConfigMaxLine) {
      return bpfc::error(name + ":" + std::to_string(number) + ": longer than " + std::to_string(kConfigMaxLine) +
                         " characters");
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (auto problem = parse_line(line, config)) {
      return bpfc::error(name + ":" + std::to_string(number) + ": " + *problem);
    }
  }
  return config;
}

Result<RpcapdConfig> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return bpfc::error(path + ": cannot open: " + std::strerror(errno));
  std::string text(kConfigMaxFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return bpfc::error(path + ": cannot read");
  text.resize(static_cast<size_t>(in.gcount()));
  return parse_config(text, path);
}

std::string format_config(const RpcapdConfig& config) {
  std::ostringstream out;
  out << "# bpfc-rpcapd configuration, in libpcap rpcapd's format (read with -f,\n"
         "# again on SIGHUP). One setting per line; '#' starts a comment.\n\n";
  out << "# Clients allowed to connect (none listed: any). Format: PassiveClient = <numeric address>\n\n";
  for (const auto& host : config.passive_clients) out << kPassiveClient << " = " << host << "\n";
  out << "\n\n# Clients to connect to (active mode). Format: ActiveClient = <numeric address>, <port | DEFAULT>\n\n";
  for (const auto& client : config.active_clients) {
    out << kActiveClient << " = " << client.host << ", " << client.port << "\n";
  }
  if (config.null_auth_permit) {
    out << "\n\n# Anonymous (NULL) authentication: YES or NO\n\n";
    out << kNullAuthPermit << " = " << (*config.null_auth_permit ? "YES" : "NO") << "\n";
  }
  return out.str();
}

std::optional<std::string> save_config(const std::string& path, const RpcapdConfig& config) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return path + ": cannot write: " + std::strerror(errno);
  out << format_config(config);
  out.close();
  if (!out) return path + ": cannot write: " + std::strerror(errno);
  return std::nullopt;
}

Result<std::vector<ActiveClient>> parse_active_clients(std::string_view text) {
  std::vector<std::string> tokens;
  while (!text.empty()) {
    const std::string_view token = take_until(text, " ,;");
    if (!text.empty()) text.remove_prefix(1);
    if (!token.empty()) tokens.emplace_back(token);
  }
  if (tokens.empty()) return bpfc::error("expects HOST,PORT (or HOST,DEFAULT for port 2003)");
  std::vector<ActiveClient> clients;
  for (size_t i = 0; i < tokens.size(); i += 2) {
    const std::string& host = tokens[i];
    if (!numeric_address(host)) {
      return bpfc::error("'" + host + "' is not a numeric address (host names are not resolved)");
    }
    std::optional<uint16_t> port = kDefaultActivePort;
    if (i + 1 < tokens.size()) port = parse_port(tokens[i + 1]);
    if (!port) return bpfc::error("port '" + tokens[i + 1] + "' of " + host + " is not a number from 1 to 65535 or DEFAULT");
    if (clients.size() >= kConfigMaxActiveClients) {
      return bpfc::error("more than " + std::to_string(kConfigMaxActiveClients) + " clients (libpcap's limit)");
    }
    clients.push_back({host, *port});
  }
  return clients;
}

RpcapdConfig command_line_config(std::string_view hosts, const std::vector<ActiveClient>& active, bool null_auth) {
  RpcapdConfig config;
  while (!hosts.empty()) {
    std::string_view item = take_until(hosts, ",");
    if (!hosts.empty()) hosts.remove_prefix(1);
    skip_blanks(item);
    while (!item.empty() && blank(item.back())) item.remove_suffix(1);
    if (!item.empty()) config.passive_clients.emplace_back(item);
  }
  config.active_clients = active;
  config.null_auth_permit = null_auth;
  return config;
}

Result<DaemonOptions> apply_config(DaemonOptions base, const RpcapdConfig& config) {
  if (!config.passive_clients.empty()) {
    std::string joined;
    for (const auto& host : config.passive_clients) joined += (joined.empty() ? "" : ",") + host;
    auto hosts = HostList::parse(joined);
    if (!hosts) return hosts.error();
    base.allowed_hosts = std::move(*hosts);
  }
  if (!config.active_clients.empty()) base.active = config.active_clients;
  if (config.null_auth_permit) base.policy.allow_null_auth = *config.null_auth_permit;
  return base;
}

Result<DaemonOptions> options_from_file(const std::string& path, const DaemonOptions& base) {
  auto config = load_config(path);
  if (!config) return config.error();
  return apply_config(base, *config);
}

}  // namespace bpfc::capture::rpcap
