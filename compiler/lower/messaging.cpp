// Per region: the SNS topic every alarm of that region notifies, encrypted with
// the region's key, and its subscriptions: the spec's e-mail and https
// destinations (`monitor { notify_email, notify }`), so someone is paged from
// whichever region survives.
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {
namespace {

// 32-bit FNV-1a: short, stable across platforms and releases, no dependency.
std::uint32_t endpoint_hash(std::string_view endpoint) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : endpoint) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

void lower_messaging(Context& cx) {
  for (const ir::Region& region : cx.system.regions) {
    infra::Topic topic;
    topic.id = Context::topic_id(region.role);
    topic.region = region.role;
    topic.origin = cx.system.monitor.origin.range.valid() ? cx.system.monitor.origin.range : region.origin.range;
    topic.name = cx.name({"alarms", region.role});
    topic.key = Context::key_id(region.role);

    // Ids `<topic id>_<protocol>_<hash of the endpoint>`: from the destination
    // itself, not its position, so adding or reordering destinations leaves the
    // others alone (a replaced e-mail subscription waits for a new confirmation).
    // Topic ARNs are alarm actions instead.
    for (const ir::NotifyTarget& target : cx.system.monitor.notify) {
      if (target.kind == ir::NotifyKind::SnsTopic) continue;
      infra::TopicSubscription sub;
      sub.protocol = target.kind == ir::NotifyKind::Email ? "email" : "https";
      sub.id = fmt::format("{}_{}_{:08x}", topic.id, sub.protocol, endpoint_hash(target.endpoint));
      sub.region = region.role;
      sub.origin = target.range;
      sub.topic = topic.id;
      sub.endpoint = target.endpoint;
      cx.model.topic_subscriptions.push_back(std::move(sub));
    }
    cx.model.topics.push_back(std::move(topic));
  }
}

}  // namespace paydrc::lower
