#include "check/environments.h"

#include <algorithm>

#include "check/schema.h"

namespace paydrc::check {
namespace {

void apply(ast::Entry& target, const ast::Entry& overlay) {
  for (const ast::Entry& item : overlay.body) {
    if (item.is_block()) {
      if (item.name == "environment" || item.name == "waive") continue;
      auto it = std::find_if(target.body.begin(), target.body.end(), [&](const ast::Entry& b) {
        return b.is_block() && b.name == item.name && b.label == item.label;
      });
      if (it != target.body.end()) apply(*it, item);
      continue;
    }
    if (!varies_per_environment(target.name, item.name)) continue;
    auto it = std::find_if(target.body.begin(), target.body.end(),
                           [&](const ast::Entry& a) { return !a.is_block() && a.name == item.name; });
    if (it != target.body.end()) {
      *it = item;
    } else {
      target.body.push_back(item);
    }
  }
}

}  // namespace

ast::Entry without_environments(const ast::Entry& system) {
  ast::Entry out = system;
  std::erase_if(out.body, [](const ast::Entry& e) { return e.is_block() && e.name == "environment"; });
  return out;
}

const ast::Entry* find_overridden(const ast::Entry& base, const ast::Entry& override_block) {
  for (const ast::Entry& b : base.body) {
    if (b.is_block() && b.name == override_block.name && b.label == override_block.label) return &b;
  }
  return nullptr;
}

ast::Entry apply_environment(const ast::Entry& base, const ast::Entry& environment) {
  ast::Entry out = base;
  apply(out, environment);
  return out;
}

}  // namespace paydrc::check
