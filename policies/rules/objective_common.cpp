#include "rules/objective_common.h"

#include <fmt/format.h>

#include "check/values.h"

namespace paydrc::policies::rules {

void check_objective(const Context& ctx, Findings& out, Measure measure) {
  using check::format_duration;
  const char* name = measure == Measure::Rto ? "RTO" : "RPO";
  const char* attr = measure == Measure::Rto ? "rto" : "rpo";
  for (const ScenarioResult& r : analyse(ctx.system, ctx.model, ctx.facts)) {
    const Bound& b = measure == Measure::Rto ? r.rto : r.rpo;
    ir::Seconds objective = measure == Measure::Rto ? r.objective->rto : r.objective->rpo;
    SourceRange objective_range = r.objective->origin.at(attr);
    auto add_budget = [&](diag::Diagnostic& d) {
      for (const Contributor& c : b.contributors) {
        d.notes.push_back({fmt::format("{:>7}  {} ({}{})", format_duration(c.seconds), c.what, basis_name(c.basis),
                                       c.source.empty() ? "" : fmt::format(": {}", c.source)),
                           c.range});
      }
      for (const Caveat& c : b.caveats) d.notes.push_back({fmt::format("not counted: {}", c.what), c.range});
    };
    if (b.unbounded) {
      auto& d = out.add(objective_range,
                        fmt::format("{}: the {} cannot be bounded, so the {} objective of {} is not proven",
                                    describe(r.scenario), name, name, format_duration(objective)),
                        b.unbounded_hint.empty()
                            ? "add what the note names; paydrc computes the bound from the spec itself"
                            : b.unbounded_hint);
      d.notes.push_back({b.unbounded_reason, b.unbounded_range});
      add_budget(d);
      continue;
    }
    if (b.total <= objective) continue;
    auto& d =
        out.add(objective_range,
                fmt::format("{}: achievable {} is {}, over the objective of {} by {}", describe(r.scenario), name,
                            format_duration(b.total), format_duration(objective), format_duration(b.total - objective)),
                measure == Measure::Rto
                    ? "shorten the largest step (health-check interval or threshold, TTL, operator response, "
                      "instances), or relax the objective"
                    : "lower the replication-lag alarm threshold, enable PITR, back up more often, or relax "
                      "the objective");
    d.notes.push_back({fmt::format("budget: {} {} = {} of {} objective", describe(r.scenario), name,
                                   format_duration(b.total), format_duration(objective)),
                       {}});
    add_budget(d);
    if (const Contributor* largest = b.largest()) {
      d.notes.push_back({fmt::format("largest contributor: {} ({})", largest->what, format_duration(largest->seconds)),
                         largest->range});
    }
  }
}

}  // namespace paydrc::policies::rules
