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
  // The reference behind HTTP APIs (SEC-API-WAF's failing golden).
  const LoadedSpec ref = load_spec("golden/policies/SEC-API-WAF/fail.pdr");
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

const LineItem* item(const Estimate& e, std::string_view prefix) {
  auto it = std::find_if(e.items.begin(), e.items.end(), [&](const LineItem& i) { return i.what.starts_with(prefix); });
  return it == e.items.end() ? nullptr : &*it;
}

TEST_CASE("the estimate bills the keys, the front door and its firewall the model holds") {
  const PriceTable prices = load_prices();
  // The reference behind HTTP APIs (SEC-API-WAF's failing golden).
  const LoadedSpec ref = load_spec("golden/policies/SEC-API-WAF/fail.pdr");
  const Estimate http = estimate_cost(ref.system(), ref.model, prices);
  // KMS keys per region, counted in the model (data key and backup key).
  for (const ir::Region& r : ref.system().regions) {
    const LineItem* keys = item(http, "KMS keys in `" + r.role + "`");
    REQUIRE(keys != nullptr);
    CHECK(keys->quantity == static_cast<double>(std::count_if(ref.model.keys.begin(), ref.model.keys.end(),
                                                              [&](const infra::Key& k) { return k.region == r.role; })));
  }
  CHECK(item(http, "`api` HTTP API requests") != nullptr);
  CHECK(item(http, "AWS WAF") == nullptr);  // an HTTP API carries no web ACL

  const LoadedSpec rest = load_spec("golden/terraform/rest_front_door.pdr");
  const Estimate e = estimate_cost(rest.system(), rest.model, prices);
  CHECK(item(e, "`api` REST API requests") != nullptr);
  CHECK(item(e, "`api` HTTP API requests") == nullptr);
  const LineItem* acls = item(e, "AWS WAF web ACLs");
  REQUIRE(acls != nullptr);
  CHECK(acls->quantity == static_cast<double>(rest.model.web_acls.size()));
  double rules = 0;
  for (const infra::WebAcl& w : rest.model.web_acls) rules += static_cast<double>(w.managed_rule_groups.size()) + 1;
  const LineItem* rule_items = item(e, "AWS WAF rules");
  REQUIRE(rule_items != nullptr);
  CHECK(rule_items->quantity == rules);
  // The serving region's authorizer only: one line of invocations.
  CHECK(item(e, "`api_primary_authorizer` invocations") != nullptr);
  CHECK(item(e, "`api_secondary_authorizer` invocations") == nullptr);

  infra::Model one_acl = rest.model;
  one_acl.web_acls.pop_back();
  CHECK(item(estimate_cost(rest.system(), one_acl, prices), "AWS WAF web ACLs")->quantity == 1);
}

}  // namespace
}  // namespace paydrc::policies::testing
