// Per region: the SNS topic every alarm of that region notifies, encrypted with
// the region's key.
#include "lower/context.h"

namespace paydrc::lower {

void lower_messaging(Context& cx) {
  for (const ir::Region& region : cx.system.regions) {
    infra::Topic topic;
    topic.id = Context::topic_id(region.role);
    topic.region = region.role;
    topic.origin = cx.system.monitor.origin.range.valid() ? cx.system.monitor.origin.range : region.origin.range;
    topic.name = cx.name({"alarms", region.role});
    topic.key = Context::key_id(region.role);
    topic.email = cx.system.monitor.notify_email;
    cx.model.topics.push_back(std::move(topic));
  }
}

}  // namespace paydrc::lower
