// Environments: a spec's `environment <name> { ... }` blocks change attributes
// of the blocks the system declares. Each environment is checked, and
// compiled, as the base system with its overrides applied to the syntax tree,
// so an override is held to every rule the base is and its errors and
// findings point at the override itself.
#pragma once

#include "parse/ast.h"

namespace paydrc::check {

// The system block without its `environment` blocks: what every environment shares.
ast::Entry without_environments(const ast::Entry& system);

// The block of `base`'s body that `override_block` names (same kind and label), or null.
const ast::Entry* find_overridden(const ast::Entry& base, const ast::Entry& override_block);

// `base` with the overrides of `environment` applied: each overriding
// attribute replaces the base's (or is added, where the base takes the
// default). Overrides the checker rejected (unknown targets, attributes that
// cannot vary) are left out, so each error is reported once.
ast::Entry apply_environment(const ast::Entry& base, const ast::Entry& environment);

}  // namespace paydrc::check
