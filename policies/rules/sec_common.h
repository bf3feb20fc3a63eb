// Helpers shared by the security rules (SEC-*), which read the infra model: model
// lookups by id, and findings placed at a resource's origin in the spec and
// scoped to its block so waivers can name that block.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/resource_view.h"
#include "rules/rules.h"

namespace paydrc::policies::rules::sec {

template <class Resource>
const Resource* find(const std::vector<Resource>& resources, std::string_view id) {
  for (const Resource& r : resources) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

// The AWS region (us-east-1) of a region role, or "" when the model has no such role.
std::string aws_region(const infra::Model& model, std::string_view role);

// Reports a finding about `resource`: at `attribute` of the spec block it comes
// from when the spec wrote that attribute, else at the resource's origin.
diag::Diagnostic& report(const Context& ctx, Findings& out, const infra::Base& resource, std::string message,
                         std::string hint, std::string_view attribute = {});

// Whether an IPv4 CIDR lies inside another (both `a.b.c.d/n`); false when either is
// not IPv4 (so `::/0` is inside nothing).
bool cidr_within(std::string_view inner, std::string_view outer);

}  // namespace paydrc::policies::rules::sec
