// The cost estimate prices what lowering produced: every alarm in the model
// (each placement of a declared alarm and the alarms paydrc adds), not the
// spec's declarations times the region count.
#include <catch2/catch.hpp>

#include <algorithm>

#include "cost/estimate.h"
#include "policy_test_support.h"

namespace paydrc::policies::testing {
namespace {

TEST_CASE("the estimate bills the alarms the model holds") {
  const LoadedSpec& ref = reference();
  const PriceTable prices = load_prices();
  const Estimate e = estimate_cost(ref.system(), ref.model, prices);
  auto it = std::find_if(e.items.begin(), e.items.end(), [](const LineItem& i) { return i.what == "CloudWatch alarms"; });
  REQUIRE(it != e.items.end());
  CHECK(it->quantity == static_cast<double>(ref.model.alarms.size()));
  // Not what the spec declares: 6 monitor alarms in 2 regions would be 12.
  CHECK(ref.model.alarms.size() != ref.system().monitor.alarms.size() * ref.system().regions.size());

  infra::Model fewer = ref.model;
  fewer.alarms.pop_back();
  const Estimate less = estimate_cost(ref.system(), fewer, prices);
  CHECK(less.total < e.total);
}

}  // namespace
}  // namespace paydrc::policies::testing
