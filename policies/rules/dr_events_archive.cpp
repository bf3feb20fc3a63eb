// DR-EVENTS-ARCHIVE: replicated event buses keep an archive so lost events can be replayed.
#include <fmt/format.h>

#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& dr_events_archive() {
  static const Rule rule{
      {"DR-EVENTS-ARCHIVE", "replicated event buses keep an archive for replay", Category::DisasterRecovery,
       diag::Severity::Warning,
       "cross-region rules forward events asynchronously: events not yet forwarded when the source region fails "
       "are lost with it, and no archive brings them back (EventBridge replays an archive only to the bus that "
       "created it, which is in the lost region). What an archive on the receiving bus does give is replay of "
       "what arrived, after the region fails over or a consumer mishandles events",
       "EventBridge User Guide, 'Archiving and replaying events'"},
      [](const Context& ctx, Findings& out) {
        for (const ir::EventReplication& e : ctx.system.events) {
          if (e.archive) continue;
          out.add(e.origin.range,
                  fmt::format("events `{}` have no archive: what reached the receiving bus cannot be replayed "
                              "after a failover",
                              e.name),
                  "set `archive = on` (each bus archives what it receives; events still in the lost region are "
                  "lost either way)",
                  e.name);
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
