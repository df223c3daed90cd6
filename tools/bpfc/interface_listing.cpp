#include "interface_listing.h"

#include <cstdio>
#include <string>

#include "bpfc/capture/live.h"
#include "bpfc/linktype/linktype.h"
#include "cli_status.h"

namespace bpfc::cli {

int print_interface_listing() {
  std::string error;
  const std::vector<capture::InterfaceListing> listing = capture::list_interfaces(error);
  if (!error.empty()) return report_failure(error);
  std::string text;
  for (const capture::InterfaceListing& item : listing) {
    text += std::to_string(item.index) + "." + item.name + " ";
    if (item.linktype) {
      auto name = linktype_name(dlt_from_linktype(*item.linktype));
      text += name ? std::string(*name) : "LINKTYPE " + std::to_string(*item.linktype);
    } else {
      text += "(hardware type " + std::to_string(item.hardware_type) + ", not covered)";
    }
    std::string flags;
    auto add = [&flags](bool on, const char* word) {
      if (!on) return;
      if (!flags.empty()) flags += ", ";
      flags += word;
    };
    add(item.up, "Up");
    add(item.running, "Running");
    add(item.loopback, "Loopback");
    if (!flags.empty()) text += " [" + flags + "]";
    for (const std::string& address : item.addresses) text += " " + address;
    text += "\n";
  }
  text += "0.any LINUX_SLL2 [Up, Running] (every interface)\n";
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

}  // namespace bpfc::cli
