// COST-BUDGET: the monthly estimate stays within the spec's budget.
#include <fmt/format.h>

#include <algorithm>

#include "cost/estimate.h"
#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& cost_budget() {
  static const Rule rule{
      {"COST-BUDGET", "the monthly cost estimate is within the budget", Category::Cost, diag::Severity::Error,
       "the estimate prices every resource the spec implies from policies/prices/aws.yaml (list prices, with "
       "sources) and the `workload` assumptions",
       "AWS Well-Architected Cost Optimization Pillar COST02-BP05"},
      [](const Context& ctx, Findings& out) {
        if (!ctx.system.budget_cents) return;
        Estimate e = estimate_cost(ctx.system, ctx.model, ctx.prices);
        double budget = static_cast<double>(*ctx.system.budget_cents) / 100.0;
        if (e.total <= budget) return;
        auto& d = out.add(ctx.system.origin.at("budget"),
                          fmt::format("estimated cost ${:.2f}/month is over the budget of ${:.2f}", e.total, budget),
                          "reduce instance sizes, NAT gateways or retention, or raise `budget`");
        std::vector<const LineItem*> items;
        for (const LineItem& i : e.items) items.push_back(&i);
        std::stable_sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->monthly > b->monthly; });
        for (std::size_t i = 0; i < items.size() && i < 5; ++i) {
          d.notes.push_back({fmt::format("${:.2f}: {}", items[i]->monthly, items[i]->what), items[i]->range});
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
