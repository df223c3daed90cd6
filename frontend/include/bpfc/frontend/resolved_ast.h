// A filter that sema accepted, with every name it mentions bound: the input
// of the libpcap-compatible lowering (bpfc/compat/libpcap.h).
//
// Host, network, Ethernet, service and protocol names are looked up once per
// compile. Sema binds the names it checks; lowering reads those bindings
// instead of asking the resolver again, so the two can never see different
// answers (a changing /etc/hosts, a DNS round-robin), and a slow resolver is
// paid once. A lookup only lowering makes (the Ethernet address behind a
// `gateway`, say) is bound on first use the same way.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bpfc/frontend/ast.h"
#include "bpfc/frontend/resolver.h"

namespace bpfc {

// The names of one compile and what they resolved to. Answers come from the
// resolver given at construction the first time a (kind, name) is asked, and
// from the binding every later time. Not shared between threads: each
// compile has its own.
class NameBindings final : public NameResolver {
 public:
  explicit NameBindings(const NameResolver& resolver) : resolver_(resolver) {}

  std::vector<Ipv4Addr> host_ipv4(std::string_view name) const override;
  std::vector<Ipv6Addr> host_ipv6(std::string_view name) const override;
  std::optional<MacAddr> ether(std::string_view name) const override;
  std::optional<uint32_t> network(std::string_view name) const override;
  std::optional<uint16_t> service(std::string_view name, std::string_view proto) const override;
  std::optional<uint8_t> protocol(std::string_view name) const override;

  // How many names are bound (each kind and protocol counted apart).
  size_t size() const;

 private:
  template <class Answer>
  using Table = std::map<std::string, Answer, std::less<>>;

  const NameResolver& resolver_;
  mutable Table<std::vector<Ipv4Addr>> ipv4_;
  mutable Table<std::vector<Ipv6Addr>> ipv6_;
  mutable Table<std::optional<MacAddr>> ether_;
  mutable Table<std::optional<uint32_t>> network_;
  mutable Table<std::optional<uint16_t>> service_;  // key: proto + '/' + name
  mutable Table<std::optional<uint8_t>> protocol_;
};

struct ResolvedAst {
  ast::Filter filter;
  // Owned apart so that the ResolvedAst can move without invalidating the
  // resolver reference lowering holds.
  std::unique_ptr<NameBindings> names;
};

}  // namespace bpfc
