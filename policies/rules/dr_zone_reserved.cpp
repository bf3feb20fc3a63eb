// DR-ZONE-RESERVED: a failover zone under a name reserved from delegation can never
// resolve on the internet, so its certificates never validate.
#include <array>
#include <string_view>

#include <fmt/format.h>

#include "rules/rules.h"

namespace paydrc::policies::rules {
namespace {

// Names the public DNS never delegates to anyone:
// - RFC 2606 section 2 and 3 (and RFC 6761 section 6): the TLDs `.test`, `.example`,
//   `.invalid`, `.localhost`, and `example.com`, `example.net`, `example.org`;
// - RFC 6762 (and the RFC 6761 registry): `.local` is multicast DNS, link-local only;
// - RFC 7686: `.onion`; RFC 8375: `home.arpa`;
// - ICANN board resolution 2024.07.29.06: `.internal`, for private use.
constexpr std::array<std::string_view, 12> kReserved = {
    "test",   "example", "invalid",   "localhost", "example.com", "example.net",
    "example.org", "local", "onion", "home.arpa", "internal", "alt"};

// The reserved name `zone` equals or lies under, or "".
std::string_view reserved_parent(std::string_view zone) {
  while (!zone.empty() && zone.back() == '.') zone.remove_suffix(1);
  for (std::string_view name : kReserved) {
    if (zone == name) return name;
    if (zone.size() > name.size() && zone.ends_with(name) && zone[zone.size() - name.size() - 1] == '.') return name;
  }
  return {};
}

}  // namespace

const Rule& dr_zone_reserved() {
  static const Rule rule{
      {"DR-ZONE-RESERVED", "failover zones can be delegated", Category::DisasterRecovery, diag::Severity::Warning,
       "names reserved for documentation, testing and local use are never delegated in the public DNS: a hosted zone "
       "under one can be created but nothing resolves it, so the failover name never answers and ACM never "
       "validates its certificates (the first apply waits until it gives up)",
       "RFC 2606; RFC 6761; RFC 6762; RFC 7686; RFC 8375; RFC 9476; ICANN resolution 2024.07.29.06 (.internal)"},
      [](const Context& ctx, Findings& out) {
        for (const ir::Failover& f : ctx.system.failovers) {
          const std::string_view reserved = reserved_parent(f.zone);
          if (reserved.empty()) continue;
          SourceRange at = f.origin.at("zone");
          if (!at.valid()) at = f.origin.range;
          out.add(at,
                  fmt::format("zone `{}` is under `{}`, which is reserved and never delegated: its certificates "
                              "cannot validate",
                              f.zone, reserved),
                  "set `zone` to a domain your organisation has delegated to Route 53, such as "
                  "`\"payments.<your-domain>\"`",
                  f.name);
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
