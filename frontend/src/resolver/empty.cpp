// empty_resolver(): every name is unknown.
#include "bpfc/frontend/resolver.h"

namespace bpfc {
namespace {

class EmptyResolver final : public NameResolver {
 public:
  std::vector<Ipv4Addr> host_ipv4(std::string_view) const override { return {}; }
  std::vector<Ipv6Addr> host_ipv6(std::string_view) const override { return {}; }
  std::optional<MacAddr> ether(std::string_view) const override { return std::nullopt; }
  std::optional<uint32_t> network(std::string_view) const override { return std::nullopt; }
  std::optional<uint16_t> service(std::string_view, std::string_view) const override { return std::nullopt; }
  std::optional<uint8_t> protocol(std::string_view) const override { return std::nullopt; }
};

}  // namespace

const NameResolver& empty_resolver() {
  static const EmptyResolver resolver;  // stateless, so shared safely
  return resolver;
}

}  // namespace bpfc
