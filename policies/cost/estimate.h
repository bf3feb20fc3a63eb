// The monthly cost estimate: line items from the spec, priced from
// policies/prices/aws.yaml, with each price's source.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "lower/infra.h"

namespace paydrc::policies {

struct Price {
  double value = 0;
  std::string source;
  std::string as_of;
};

struct PriceTable {
  double hours_per_month = 730;
  std::map<std::string, Price, std::less<>> prices;                 // flat prices
  std::map<std::string, double, std::less<>> aurora_instance_hour;  // by instance class
  Price aurora_instance;                                            // source of the above
  const Price& at(std::string_view name) const;
};

PriceTable load_prices();

struct LineItem {
  std::string what;
  double quantity = 0;
  std::string unit;
  double unit_price = 0;
  double monthly = 0;
  std::string source;
  SourceRange range;
};

struct Estimate {
  std::vector<LineItem> items;
  double total = 0;
};

// Resources that lowering produced (alarms) are counted in `model`, not in the spec.
Estimate estimate_cost(const ir::System& system, const infra::Model& model, const PriceTable& prices);
std::string render_estimate(const Estimate& e);

}  // namespace paydrc::policies
