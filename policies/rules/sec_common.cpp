#include "rules/sec_common.h"

#include <charconv>
#include <cstdint>
#include <optional>

namespace paydrc::policies::rules::sec {
namespace {

struct Ipv4Cidr {
  std::uint32_t address = 0;
  int prefix = 0;
};

std::optional<Ipv4Cidr> parse_cidr(std::string_view text) {
  Ipv4Cidr out;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int octet = 0; octet < 4; ++octet) {
    unsigned value = 0;
    auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc() || value > 255) return std::nullopt;
    out.address = (out.address << 8) | value;
    p = next;
    const char expected = octet < 3 ? '.' : '/';
    if (p == end || *p != expected) return std::nullopt;
    ++p;
  }
  auto [next, ec] = std::from_chars(p, end, out.prefix);
  if (ec != std::errc() || next != end || out.prefix < 0 || out.prefix > 32) return std::nullopt;
  return out;
}

std::uint32_t mask(int prefix) {
  return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
}

}  // namespace

std::string aws_region(const infra::Model& model, std::string_view role) {
  const infra::RegionInfo* region = model.region(role);
  return region ? region->aws_region : std::string();
}

diag::Diagnostic& report(const Context& ctx, Findings& out, const infra::Base& resource, std::string message,
                         std::string hint, std::string_view attribute) {
  SourceRange at = resource.origin;
  if (!attribute.empty()) {
    if (const ir::Origin* block = block_origin(ctx.system, resource.origin)) {
      if (auto it = block->attributes.find(attribute); it != block->attributes.end()) at = it->second;
    }
  }
  return out.add(at, std::move(message), std::move(hint), block_scope(ctx.system, resource.origin));
}

bool cidr_within(std::string_view inner, std::string_view outer) {
  auto in = parse_cidr(inner);
  auto out = parse_cidr(outer);
  if (!in || !out || in->prefix < out->prefix) return false;
  return (in->address & mask(out->prefix)) == (out->address & mask(out->prefix));
}

}  // namespace paydrc::policies::rules::sec
