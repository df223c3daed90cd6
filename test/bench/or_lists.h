// The long disjunctions the optimizer benchmarks compile: N terms of one
// kind joined by "or", all numeric (nothing for a resolver to look up).
//   host: host 10.0.0.1 or host 10.0.0.2 or ...   (the i-th host is 10.0.0.0 + i)
//   port: port 1 or port 2 or ...                  (ports cycle through 1..65535,
//                                                   so N > 65535 repeats ports)
//   net:  net 10.0.0.0/24 or net 10.0.1.0/24 or ...(the i-th net is 10.0.0.0 + (i-1)*256,
//                                                   continuing past 10.255.255.0 into 11/8...)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bpfc::bench {

enum class ListKind { Host, Port, Net };

inline constexpr ListKind kAllListKinds[] = {ListKind::Host, ListKind::Port, ListKind::Net};

std::string_view list_kind_name(ListKind kind);
std::optional<ListKind> parse_list_kind(std::string_view name);

// The i-th host of a host list (1-based), in host byte order.
uint32_t list_host(size_t index);

// "a.b.c.d" for an address in host byte order.
std::string dotted(uint32_t address);

// The whole expression of `terms` terms (terms >= 1).
std::string make_or_list(ListKind kind, size_t terms);

}  // namespace bpfc::bench
