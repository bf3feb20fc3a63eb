// DynamoDB global tables: the table in its first replica region, a replica in each
// other one encrypted with that region's key, PITR, a stream, SSE with the key.
#include "lower/context.h"

namespace paydrc::lower {
namespace {

infra::KeyKind key_kind(ir::KeyType type) {
  switch (type) {
    case ir::KeyType::String:
      return infra::KeyKind::String;
    case ir::KeyType::Number:
      return infra::KeyKind::Number;
    case ir::KeyType::Binary:
      return infra::KeyKind::Binary;
  }
  return infra::KeyKind::String;
}

std::optional<std::string> stream_view(ir::StreamView view) {
  switch (view) {
    case ir::StreamView::None:
      return std::nullopt;
    case ir::StreamView::KeysOnly:
      return "KEYS_ONLY";
    case ir::StreamView::NewImage:
      return "NEW_IMAGE";
    case ir::StreamView::OldImage:
      return "OLD_IMAGE";
    case ir::StreamView::NewAndOldImages:
      return "NEW_AND_OLD_IMAGES";
  }
  return std::nullopt;
}

}  // namespace

// The region a table is created in: its first replica, else the home region.
std::string table_home(const Context& cx, const ir::Table& table) {
  return table.replicas.empty() ? cx.home_region() : table.replicas.front();
}

void lower_tables(Context& cx) {
  for (const ir::Table& spec : cx.system.tables) {
    infra::Table table;
    table.id = Context::table_id(spec.name);
    table.region = table_home(cx, spec);
    table.origin = spec.origin.range;
    table.name = cx.name({spec.name});
    table.hash_key = spec.hash_key;
    table.hash_key_kind = key_kind(spec.hash_key_type);
    table.range_key = spec.range_key;
    table.range_key_kind = key_kind(spec.range_key_type);
    table.on_demand = spec.billing == ir::Billing::OnDemand;
    table.point_in_time_recovery = spec.point_in_time_recovery;
    table.pitr_days = spec.pitr_days;
    // Global tables (version 2019.11.21) replicate through the stream: it must
    // carry new and old images whatever the spec's own consumers need.
    table.stream_view =
        spec.replicas.size() > 1 ? std::optional<std::string>("NEW_AND_OLD_IMAGES") : stream_view(spec.stream);
    table.key = Context::key_id(table.region);
    for (const std::string& role : spec.replicas) {
      if (role == table.region || !cx.has_region(role)) continue;
      table.replicas.push_back({cx.aws_region(role), Context::key_id(role)});
    }
    table.ttl_attribute = spec.ttl_attribute;
    cx.model.tables.push_back(std::move(table));
  }
}

}  // namespace paydrc::lower
