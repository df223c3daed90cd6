#include "print_options.h"

#include <string>

#include "cli_status.h"

namespace bpfc::cli {
namespace {

constexpr const char* kPrintExamples = R"(Printing (without -w), as tcpdump -n -q prints:
  bpfc filter -r in.pcap -e arp              with the link-level header
  bpfc filter -r in.pcap -v icmp or icmp6    IP header fields, checksums, quoted datagrams
  bpfc filter -r in.pcap -X 'tcp port 80'    hex and ASCII from the IP header on
  bpfc filter -r in.pcap -xx -c 1            hex from the first byte of the frame
  bpfc filter -r in.pcap -A 'tcp port 25'    payloads as text
  bpfc filter -r in.pcap -tttt icmp          date and time before each packet
  bpfc filter -r in.pcap -ttt                time since the previous packet
  bpfc filter -r in.pcap --json udp | jq .dport   one JSON object per packet)";

constexpr dissect::TimeFormat kTimeFormats[] = {
    dissect::TimeFormat::TimeOfDay,     dissect::TimeFormat::None,        dissect::TimeFormat::Epoch,
    dissect::TimeFormat::SincePrevious, dissect::TimeFormat::DateAndTime, dissect::TimeFormat::SinceFirst,
};

// The first printing flag given, for messages; null when there is none.
const char* first_print_flag(const PrintFlags& flags) {
  if (flags.e) return "-e";
  if (flags.v > 0) return "-v";
  if (flags.x > 0) return "-x";
  if (flags.X > 0) return "-X";
  if (flags.A > 0) return "-A";
  if (flags.t > 0) return "-t";
  if (flags.json) return "--json";
  return nullptr;
}

}  // namespace

void add_print_options(CLI::App& command, PrintFlags& flags) {
  const std::string group = "Printing (without -w)";
  command.add_flag("-e", flags.e, "Print the link-level header (MAC addresses, ethertype, VLAN tags...) on each line")
      ->group(group);
  command.add_flag("-v", flags.v,
                   "More fields: IP header fields, ICMP checksums and quoted datagrams, neighbour discovery "
                   "options; -vv also UDP-over-IPv4 checksums and some hex detail (-vvv: as -vv)")
      ->group(group);
  command.add_flag("-x", flags.x, "Dump each packet in hex from the network layer on; -xx from its first byte")
      ->group(group);
  command.add_flag("-X", flags.X, "Dump in hex and ASCII from the network layer on; -XX from the first byte")
      ->group(group);
  command.add_flag("-A", flags.A, "Print each packet's bytes as text from the network layer on (-AA: all of it)")
      ->group(group);
  command.add_flag("-t", flags.t,
                   "Timestamps: -t none, -tt seconds since the epoch, -ttt since the previous packet, -tttt date "
                   "and time, -ttttt since the first packet (default: local time of day)")
      ->group(group);
  command.add_flag("--json", flags.json,
                   "One JSON object per packet: time, lengths, link, addresses, ports, protocol and the summary "
                   "line (README: 'JSON output')")
      ->group(group);
  command.footer(command.get_footer() + "\n\n" + kPrintExamples);
}

dissect::PrintOptions resolve_print_options(const PrintFlags& flags, const char* no_lines_because, bool nanosecond) {
  if (no_lines_because != nullptr) {
    if (const char* flag = first_print_flag(flags)) {
      throw UsageError(std::string(flag) + " changes how packets are printed, and " + no_lines_because);
    }
  }
  if (flags.json) {
    for (const auto& [given, flag] : {std::pair{flags.x > 0, "-x"}, std::pair{flags.X > 0, "-X"},
                                      std::pair{flags.A > 0, "-A"}, std::pair{flags.t > 0, "-t"}}) {
      if (given) throw UsageError(std::string("--json prints fields, not text: ") + flag + " does not apply to it");
    }
  }
  if (flags.t >= static_cast<int>(std::size(kTimeFormats))) {
    throw UsageError("-t can be given at most 5 times (-ttttt: time since the first packet)");
  }
  dissect::PrintOptions options;
  options.time = kTimeFormats[flags.t];
  options.nanosecond = nanosecond;
  options.link_header = flags.e;
  options.verbosity = flags.v;
  options.json = flags.json;
  // As in tcpdump, -X outranks -x, which outranks -A; doubling any of them
  // starts the dump at the link layer.
  if (flags.X > 0) {
    options.dump = dissect::Dump::HexAscii;
    options.dump_link_header = flags.X > 1;
  } else if (flags.x > 0) {
    options.dump = dissect::Dump::Hex;
    options.dump_link_header = flags.x > 1;
  } else if (flags.A > 0) {
    options.dump = dissect::Dump::Ascii;
    options.dump_link_header = flags.A > 1;
  }
  return options;
}

}  // namespace bpfc::cli
