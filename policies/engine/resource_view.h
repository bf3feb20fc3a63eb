// A generic, read-only view of the infra model's resources: type name, id, region,
// origin and a JSON object of attributes. Custom YAML rules address resources and
// attributes through it, and SEC-NO-LITERAL-SECRET scans every string in it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ir/ir.h"
#include "lower/infra.h"
#include "support/source.h"

namespace paydrc::policies {

struct ResourceView {
  std::string_view type;  // `function`, `db_cluster`, ... (resource_types())
  std::string id;
  std::string region;  // region role
  SourceRange origin;
  // The resource's fields by their infra.h names, in declaration order. A `Text`
  // becomes a string with `${env}`, `${account}` and `${<type>.<id>.<attr>}` in
  // place of its deployment-time parts; an absent optional is null.
  nlohmann::ordered_json attributes;
};

// Every resource of the model, in model order (by type, then as lowered).
std::vector<ResourceView> resource_views(const infra::Model& model);

// The type names a custom rule may name, in model order.
const std::vector<std::string_view>& resource_types();
// The attributes every resource of `type` has, with the JSON type a default
// resource gives them (null for optionals); an empty object for an unknown type.
const nlohmann::ordered_json& attribute_exemplar(std::string_view type);

// A `Text` as it reads in a view.
std::string render_text(const infra::Text& text);

// The name of the spec block (region, database, table, function, failover,
// events, backup) whose source range holds `origin`: the scope waivers match.
// Empty when the origin lies in no such block.
std::string block_scope(const ir::System& system, SourceRange origin);
// The origin of that block, or nullptr.
const ir::Origin* block_origin(const ir::System& system, SourceRange origin);

}  // namespace paydrc::policies
