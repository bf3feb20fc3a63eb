// DR-EVENTS-ARCHIVE: replicated event buses keep an archive so lost events can be replayed.
#include <fmt/format.h>

#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& dr_events_archive() {
  static const Rule rule{
      {"DR-EVENTS-ARCHIVE", "replicated event buses keep an archive for replay", Category::DisasterRecovery,
       diag::Severity::Warning,
       "cross-region rules forward events asynchronously; events not yet forwarded when the region fails are "
       "lost unless an archive allows replaying them",
       "EventBridge User Guide, 'Archiving and replaying events'"},
      [](const Context& ctx, Findings& out) {
        for (const ir::EventReplication& e : ctx.system.events) {
          if (e.archive) continue;
          out.add(e.origin.range,
                  fmt::format("events `{}` have no archive: events in flight at an outage are lost", e.name),
                  "set `archive = on`", e.name);
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
