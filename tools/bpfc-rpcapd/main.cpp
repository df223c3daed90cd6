// bpfc-rpcapd: serves live captures to RPCAP clients (libpcap's rpcap://
// sources, `bpfc rpcap`), with libpcap rpcapd's command line.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "bpfc/capture/rpcap/config_file.h"
#include "bpfc/capture/rpcap/server.h"

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void on_signal(int) { g_stop = true; }

// SIGHUP: a byte into the self-pipe; the daemon loop rereads -f's file.
int g_reload_pipe[2] = {-1, -1};
void on_hangup(int) {
  const int saved = errno;
  const char byte = 0;
  (void)!write(g_reload_pipe[1], &byte, 1);  // full: a reload is pending anyway
  errno = saved;
}

const char* const kDescription = R"(bpfc-rpcapd - serve live captures over RPCAP

SYNOPSIS
  bpfc-rpcapd [-n | --passwd-file FILE] [-b ADDR] [-p PORT] [-4] [-l HOSTS]
              [-t DATAPORT] [-D] [-d | -i | -a HOST,PORT[,...] [-v]] [--max-clients N]
              [-s FILE] [-f FILE]
              [-S -K KEYFILE -X CERTFILE [--client-ca FILE] [-C]]

DESCRIPTION
  Answers libpcap's remote capture protocol (RPCAP) on TCP port 2002: clients
  list this machine's interfaces, open one, and receive its packets over a
  TCP or UDP data channel, filtered in the kernel by the classic BPF filter
  they send. Filters are checked with the kernel's rules (at most 4096
  instructions). Only plain interface names are opened: never files, URLs
  or paths.

AUTHENTICATION
  Clients authenticate with a user name and password, checked with crypt(3)
  against the --passwd-file (lines "user:crypt-hash", e.g. from
  `openssl passwd -6` or mkpasswd), or else against the system's accounts
  (/etc/shadow: needs root). A failed login is answered after a delay, with
  the same reply for an unknown user and a wrong password. Anonymous (NULL)
  authentication is refused unless -n is given.

SESSIONS AND PRIVILEGES
  Each client is served by a process of its own (the daemon runs itself
  with -i for it), so that sessions share no memory and a session that
  fails ends alone. After a login with a system account, the session's
  process runs as that account: its uid, gid and groups, no capabilities,
  and no way back (no_new_privs). Like libpcap's rpcapd, that means only
  root's sessions can capture; members of --capture-group GROUP keep
  CAP_NET_RAW, the one capability capturing needs, as members of
  Wireshark's group may run dumpcap. Sessions from -n or --passwd-file
  logins are not system accounts: they keep the daemon's privileges. A
  daemon not run as root cannot change users, and refuses a system
  login of any account but its own. Sessions end when the daemon does.

TLS
  -S serves rpcaps:// as libpcap's rpcapd -S does: each control connection
  (passive or active mode) starts with the client's TLS handshake, and the
  TCP data connections are TLS too; UDP data channels are refused. -X names
  the certificate chain (PEM) and -K its private key (PEM); without them,
  cert.pem and key.pem in the working directory, as libpcap's rpcapd. With
  --client-ca FILE every client must present a certificate signed by a CA
  of FILE, or the handshake fails. The handshake must end within
  --auth-timeout. A client that speaks RPCAP in clear gets a "TLS required"
  error and is closed. -C, libpcap's TLS compression, is accepted and
  compresses nothing, with a warning that says why: Debian's OpenSSL has no
  compression method and TLS 1.3 none at all (libpcap's rpcapd -C enables
  nothing on it either), and compression would let an observer learn
  secrets from record sizes (CRIME).

SAFETY
  Bind to a specific address (-b) and list the allowed clients (-l).
  A client must authenticate within --auth-timeout, send a message at
  least every --idle-timeout while no capture runs, and one whose host
  vanishes without closing its connections (a half-open connection) is
  dropped after about --dead-peer-timeout (TCP keepalive and
  TCP_USER_TIMEOUT).
  Without -S, passwords and packets cross the network in clear text.

CONFIGURATION FILE
  libpcap rpcapd's format: "PassiveClient = ADDR" (an allowed client),
  "ActiveClient = ADDR, PORT|DEFAULT" (connect out to it), "NullAuthPermit =
  YES|NO"; '#' starts a comment; addresses numeric. -s FILE writes the
  command line's -l, -a and -n there; -f FILE reads it (after -s): each
  setting the file has replaces the command line's (PassiveClient lines
  replace -l, ActiveClient lines -a, NullAuthPermit -n), the others stay.
  SIGHUP reads the file again and applies it to new connections; sessions
  under way keep running, active clients it adds or drops start or stop
  connecting. A file that cannot be read, or has a bad line (the message
  names the line), is refused: at start the daemon exits, on SIGHUP the
  previous configuration stays.

EXIT STATUS
  0 after SIGINT or SIGTERM; 1 when it cannot listen, an option is wrong or
  the -f file cannot be used.

OPTIONS)";

}  // namespace

int main(int argc, char** argv) {
  using namespace bpfc::capture::rpcap;
  CLI::App app{kDescription, "bpfc-rpcapd"};
  app.set_version_flag("--version", std::string("bpfc-rpcapd ") + BPFC_VERSION);
  std::string bind_address, hosts, passwd_file, active, save_file, load_file;
  uint16_t port = kDefaultPort, data_port = 0;
  bool ipv4_only = false, null_auth = false, debug = false, daemonize = false, inetd = false, session = false;
  std::string capture_group;
  unsigned max_clients = 32, auth_timeout = 90, idle_timeout = 180, failure_delay_ms = 1000, dead_peer_timeout = 60;
  bool tls = false;
  TlsServerOptions tls_options;
  app.add_option("-b", bind_address, "Listen on this numeric address only (default: every address)");
  app.add_option("-p", port, "Listen on this TCP port (default 2002)");
  app.add_flag("-4", ipv4_only, "IPv4 only");
  app.add_option("-l", hosts, "Allowed clients: a comma-separated list of numeric addresses (default: any)");
  app.add_flag("-n", null_auth, "Permit NULL (anonymous) authentication");
  app.add_option("--passwd-file", passwd_file, "Check passwords against this file of user:crypt-hash lines")
      ->check(CLI::ExistingFile);
  app.add_option("-s", save_file, "Save the command line's -l, -a and -n to this configuration file");
  app.add_option("-f", load_file, "Read this configuration file (again on SIGHUP); its settings replace -l, -a, -n");
  app.add_flag("-D", debug, "Log each connection and message to standard error");
  app.add_flag("-d", daemonize, "Run in the background (detached, output discarded)");
  app.add_flag("-i", inetd, "Serve the one connection on standard input (inetd or systemd socket mode)");
  app.add_flag("--session", session, "Serve one connection on standard input for the daemon (it runs this itself)")
      ->group("");
  app.add_option("--capture-group", capture_group,
                 "Sessions of system accounts in this group keep CAP_NET_RAW and can capture");
  app.add_option("-t", data_port, "Fixed TCP port for data channels (default: an ephemeral port per capture)");
  app.add_option("-a", active,
                 "Active mode: connect to HOST,PORT (numeric; PORT or DEFAULT, 2003; more pairs after commas) and serve "
                 "the client there");
  bool active_only = false;
  app.add_flag("-v", active_only, "Active mode only: do not also listen for clients (-b, -p)");
  app.add_option("--max-clients", max_clients, "Clients served at once (default 32)")->check(CLI::Range(1u, 4096u));
  app.add_option("--auth-timeout", auth_timeout, "Seconds a client has to authenticate (default 90)")
      ->check(CLI::Range(1u, 86400u));
  app.add_option("--idle-timeout", idle_timeout, "Seconds without a message while not capturing (default 180)")
      ->check(CLI::Range(1u, 86400u));
  app.add_option("--dead-peer-timeout", dead_peer_timeout,
                 "Seconds after which a client that vanished without closing (a half-open connection) is dropped "
                 "(default 60)")
      ->check(CLI::Range(1u, 86400u));
  app.add_flag("-S", tls, "TLS on the control and TCP data connections (rpcaps://); needs -K and -X");
  bool compression = false;
  app.add_flag("-C", compression, "Accepted for libpcap's rpcapd -C (TLS compression); connections are never compressed");
  app.add_option("-K", tls_options.key_file, "The TLS private key (PEM) for -S (default: key.pem)")->check(CLI::ExistingFile);
  app.add_option("-X", tls_options.cert_file, "The TLS certificate chain (PEM) for -S (default: cert.pem)")->check(CLI::ExistingFile);
  app.add_option("--client-ca", tls_options.client_ca_file,
                 "With -S: require client certificates signed by a CA of this PEM file")
      ->check(CLI::ExistingFile);
  app.add_option("--auth-failure-delay-ms", failure_delay_ms, "Delay before answering a failed login (default 1000)")
      ->check(CLI::Range(0u, 60000u));
  app.footer(
      "DIFFERENCES FROM LIBPCAP'S RPCAPD\n"
      "  -C compresses nothing (a warning says why); --client-ca and --capture-group are bpfc's; -l and configuration files take\n"
      "  numeric addresses only, and a file with a bad line is refused (not read around it); a session of a\n"
      "  system account changes its groups and gid as well as its uid; data channels the daemon opens go to the\n"
      "  client's address only.");
  CLI11_PARSE(app, argc, argv);

  if (session) {
    // A session of the daemon's: it ends with the daemon (the daemon's
    // end is its parent's, checked after asking, in case it came first).
    const pid_t daemon_pid = getppid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != daemon_pid) return 1;
    inetd = true;
  }
  if (!capture_group.empty()) {
    if (!passwd_file.empty()) {
      std::cerr << "bpfc-rpcapd: --capture-group applies to system accounts; --passwd-file logins keep the daemon's "
                   "privileges\n";
      return 1;
    }
    if (auto problem = check_capture_group(capture_group)) {
      std::cerr << "bpfc-rpcapd: --capture-group: " << *problem << "\n";
      return 1;
    }
  }

  DaemonOptions options;
  options.bind_address = bind_address;
  options.port = port;
  options.ipv4_only = ipv4_only;
  options.data_port = data_port;
  options.max_clients = max_clients;
  options.auth_timeout = std::chrono::seconds(auth_timeout);
  options.idle_timeout = std::chrono::seconds(idle_timeout);
  options.dead_peer_timeout = std::chrono::seconds(dead_peer_timeout);
  options.policy.allow_null_auth = null_auth;
  options.policy.auth_failure_delay = std::chrono::milliseconds(failure_delay_ms);
  auto hosts_list = HostList::parse(hosts);
  if (!hosts_list) {
    std::cerr << "bpfc-rpcapd: -l: " << hosts_list.error().message << "\n";
    return 1;
  }
  options.allowed_hosts = std::move(*hosts_list);
  if (!tls && (!tls_options.key_file.empty() || !tls_options.cert_file.empty() || !tls_options.client_ca_file.empty())) {
    std::cerr << "bpfc-rpcapd: -K, -X and --client-ca apply to TLS: add -S\n";
    return 1;
  }
  if (compression) {
    if (!tls) {
      std::cerr << "bpfc-rpcapd: -C (TLS compression) applies to TLS: add -S\n";
      return 1;
    }
    // libpcap's rpcapd -C asks OpenSSL for its compression methods, which
    // enables nothing on an OpenSSL of today either.
    std::cerr << "bpfc-rpcapd: warning: -C: " << tls_compression_refusal() << "\n";
  }
  if (tls) {
    // libpcap's rpcapd reads these names in its working directory when -K
    // or -X is not given.
    std::string defaulted;
    if (tls_options.key_file.empty()) {
      tls_options.key_file = "key.pem";
      defaulted = "-K";
    }
    if (tls_options.cert_file.empty()) {
      tls_options.cert_file = "cert.pem";
      defaulted += defaulted.empty() ? "-X" : " and -X";
    }
    auto context = make_tls_server_context(tls_options);
    if (!context) {
      std::cerr << "bpfc-rpcapd: -S: " << context.error().message;
      if (!defaulted.empty()) std::cerr << " (without " << defaulted << ": key.pem and cert.pem in the working directory)";
      std::cerr << "\n";
      return 1;
    }
    options.tls = std::move(*context);
    // Sessions load them again, from a working directory -d may change.
    tls_options.key_file = std::filesystem::absolute(tls_options.key_file).string();
    tls_options.cert_file = std::filesystem::absolute(tls_options.cert_file).string();
    if (!tls_options.client_ca_file.empty()) {
      tls_options.client_ca_file = std::filesystem::absolute(tls_options.client_ca_file).string();
    }
  }
  std::unique_ptr<Authenticator> authenticator;
  if (!passwd_file.empty()) {
    auto loaded = password_file_authenticator(passwd_file);
    if (!loaded) {
      std::cerr << "bpfc-rpcapd: " << loaded.error().message << "\n";
      return 1;
    }
    authenticator = std::move(*loaded);
    passwd_file = std::filesystem::absolute(passwd_file).string();
  } else {
    authenticator = system_authenticator();
    if (inetd) {
      // The one session of this process runs as the account that logged in.
      options.policy.after_password_login = [capture_group, session](const std::string& user) {
        auto problem = become_user(user, UserSwitchOptions{capture_group});
        // The kernel forgets the parent-death signal when the ids change.
        if (!problem && session) prctl(PR_SET_PDEATHSIG, SIGTERM);
        return problem;
      };
    }
  }
  options.policy.authenticator = authenticator.get();
  if (!inetd) {
    // Each connection is served by this program with -i, in a process of
    // its own, with the settings of the moment (a reload may have changed
    // -n); the daemon has already checked the client's address.
    std::error_code failed;
    const std::string self = std::filesystem::read_symlink("/proc/self/exe", failed).string();
    if (failed) {
      std::cerr << "bpfc-rpcapd: cannot find its own program in /proc/self/exe: " << failed.message() << "\n";
      return 1;
    }
    options.session_command = [=](const DaemonOptions& current) {
      std::vector<std::string> argv = {self, "--session"};
      if (current.policy.allow_null_auth) argv.push_back("-n");
      if (debug) argv.push_back("-D");
      if (!passwd_file.empty()) argv.insert(argv.end(), {"--passwd-file", passwd_file});
      if (!capture_group.empty()) argv.insert(argv.end(), {"--capture-group", capture_group});
      if (current.data_port != 0) argv.insert(argv.end(), {"-t", std::to_string(current.data_port)});
      argv.insert(argv.end(), {"--auth-timeout", std::to_string(current.auth_timeout.count()), "--idle-timeout",
                               std::to_string(current.idle_timeout.count()), "--dead-peer-timeout",
                               std::to_string(current.dead_peer_timeout.count()), "--auth-failure-delay-ms",
                               std::to_string(current.policy.auth_failure_delay.count())});
      if (current.tls) {
        argv.insert(argv.end(), {"-S", "-K", tls_options.key_file, "-X", tls_options.cert_file});
        if (!tls_options.client_ca_file.empty()) argv.insert(argv.end(), {"--client-ca", tls_options.client_ca_file});
      }
      return argv;
    };
  }
  if (!active.empty()) {
    auto clients = parse_active_clients(active);
    if (!clients) {
      std::cerr << "bpfc-rpcapd: -a: " << clients.error().message << "\n";
      return 1;
    }
    options.active = std::move(*clients);
  }
  // As libpcap's rpcapd: active clients and passive ones alike, unless -v.
  options.listen = !active_only;

  // -s saves the command line's settings, then -f's file replaces those it
  // has (libpcap's order). The path is made absolute: -d changes to /.
  if (!save_file.empty()) {
    if (auto problem = save_config(save_file, command_line_config(hosts, options.active, null_auth))) {
      std::cerr << "bpfc-rpcapd: -s: " << *problem << "\n";
      return 1;
    }
  }
  const DaemonOptions command_line = options;
  if (!load_file.empty()) {
    load_file = std::filesystem::absolute(load_file).string();
    auto applied = options_from_file(load_file, command_line);
    if (!applied) {
      std::cerr << "bpfc-rpcapd: " << applied.error().message << "\n";
      return 1;
    }
    options = std::move(*applied);
  }
  if (active_only && options.active.empty()) {
    std::cerr << "bpfc-rpcapd: -v (active mode only) needs clients to connect to: -a, or ActiveClient lines in -f's "
                 "file\n";
    return 1;
  }

  std::mutex log_mutex;
  LogFunction log = [&](const std::string& line) {
    if (!debug) return;
    std::lock_guard lock(log_mutex);
    std::fprintf(stderr, "bpfc-rpcapd: %s\n", line.c_str());
  };

  signal(SIGPIPE, SIG_IGN);
  if (inetd) {
    // One connection: SIGINT and SIGTERM end it as they end any program.
    serve_connection(STDIN_FILENO, options, log);
    return 0;
  }
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  if (pipe2(g_reload_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
    std::perror("bpfc-rpcapd: pipe");
    return 1;
  }
  struct sigaction hangup {};
  hangup.sa_handler = on_hangup;
  sigemptyset(&hangup.sa_mask);
  hangup.sa_flags = SA_RESTART;
  sigaction(SIGHUP, &hangup, nullptr);
  DaemonControl control{g_stop, g_reload_pipe[0], [&]() -> bpfc::Result<DaemonOptions> {
    if (load_file.empty()) {
      std::fprintf(stderr, "bpfc-rpcapd: SIGHUP: no configuration file (-f) to read\n");
      return bpfc::error("no configuration file");
    }
    auto applied = options_from_file(load_file, command_line);
    if (!applied) {
      std::fprintf(stderr, "bpfc-rpcapd: %s; keeping the previous configuration\n", applied.error().message.c_str());
    }
    return applied;
  }};

  if (daemonize) {
    if (daemon(0, debug ? 1 : 0) != 0) {
      std::perror("bpfc-rpcapd: daemon");
      return 1;
    }
  }
  if (auto problem = run_daemon(options, log, control)) {
    std::cerr << "bpfc-rpcapd: " << *problem << "\n";
    return 1;
  }
  // Client threads may still run: end the process without destroying what
  // they use (the authenticator, the log).
  std::fflush(stderr);
  _exit(0);
}
