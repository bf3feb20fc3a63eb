#include "common/aws_formats.h"

#include <cmath>
#include <cstdint>

namespace paydrc::backends {

nlohmann::json json_number(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15) return static_cast<std::int64_t>(value);
  return value;
}

const char* route_authorization_type(infra::RouteAuth auth) {
  switch (auth) {
    case infra::RouteAuth::Jwt:
      return "JWT";
    case infra::RouteAuth::Iam:
      return "AWS_IAM";
    case infra::RouteAuth::None:
      break;
  }
  return "NONE";
}

const char* dynamodb_attribute_type(infra::KeyKind kind) {
  switch (kind) {
    case infra::KeyKind::String:
      return "S";
    case infra::KeyKind::Number:
      return "N";
    case infra::KeyKind::Binary:
      return "B";
  }
  return "S";
}

nlohmann::json dashboard_widgets(const infra::Dashboard& d,
                                 const std::function<std::string(const infra::Text&)>& render) {
  using json = nlohmann::json;
  json widgets = json::array();
  int y = 0;
  for (const infra::Widget& w : d.widgets) {
    json metrics = json::array();
    for (const infra::WidgetMetric& metric : w.metrics) {
      json line = json::array({metric.metric_namespace, metric.metric_name});
      for (const auto& [name, value] : metric.dimensions) {
        line.push_back(name);
        line.push_back(render(value));
      }
      line.push_back({{"stat", metric.statistic}});
      metrics.push_back(std::move(line));
    }
    widgets.push_back({{"type", "metric"},
                       {"x", 0},
                       {"y", y},
                       {"width", 24},
                       {"height", 6},
                       {"properties",
                        {{"title", w.title},
                         {"region", w.aws_region},
                         {"view", "timeSeries"},
                         {"period", 60},
                         {"metrics", metrics}}}});
    y += 6;
  }
  return widgets;
}

}  // namespace paydrc::backends
