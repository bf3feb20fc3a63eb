// Per region: the SNS topic every alarm of that region notifies, encrypted with
// the region's key, and its subscriptions: the spec's e-mail and https
// destinations (`monitor { notify_email, notify }`), so someone is paged from
// whichever region survives.
#include <fmt/format.h>

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

    // Ids `<topic id>_<n>`, n counting the e-mail and https destinations from 1 in
    // spec order (`notify_email` first). Topic ARNs are alarm actions instead.
    int n = 0;
    for (const ir::NotifyTarget& target : cx.system.monitor.notify) {
      if (target.kind == ir::NotifyKind::SnsTopic) continue;
      infra::TopicSubscription sub;
      sub.id = fmt::format("{}_{}", topic.id, ++n);
      sub.region = region.role;
      sub.origin = target.range;
      sub.topic = topic.id;
      sub.protocol = target.kind == ir::NotifyKind::Email ? "email" : "https";
      sub.endpoint = target.endpoint;
      cx.model.topic_subscriptions.push_back(std::move(sub));
    }
    cx.model.topics.push_back(std::move(topic));
  }
}

}  // namespace paydrc::lower
