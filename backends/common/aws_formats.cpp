#include "common/aws_formats.h"

#include <cctype>
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

const char* rest_authorization_type(infra::RouteAuth auth) {
  switch (auth) {
    case infra::RouteAuth::Jwt:
      return "CUSTOM";
    case infra::RouteAuth::Iam:
      return "AWS_IAM";
    case infra::RouteAuth::None:
      break;
  }
  return "NONE";
}

const char* const kHttpApiAccessLogFormat =
    R"({"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",)"
    R"("routeKey":"$context.routeKey","status":"$context.status","subject":"$context.authorizer.claims.sub",)"
    R"("responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency",)"
    R"("integrationError":"$context.integrationErrorMessage"})";

const char* const kRestApiAccessLogFormat =
    R"({"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",)"
    R"("method":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status",)"
    R"("subject":"$context.authorizer.principalId","responseLatency":"$context.responseLatency",)"
    R"("integrationLatency":"$context.integrationLatency","wafStatus":"$context.waf.status",)"
    R"("error":"$context.error.message"})";

const char* const kBearerTokenPattern =
    "^([Bb][Ee][Aa][Rr][Ee][Rr] +)?[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$";

namespace {

std::vector<std::string> segments(const std::string& key) {
  std::vector<std::string> out;
  const std::size_t space = key.find(' ');
  const std::string path = space == std::string::npos ? std::string() : key.substr(space + 1);
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

std::string segment_name(const std::string& segment) {
  std::string out;
  for (char c : segment) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

}  // namespace

std::vector<RestResource> rest_resources(const infra::RestApi& api) {
  std::vector<RestResource> out;
  for (const infra::ApiRoute& r : api.routes) {
    std::string parent;
    for (const std::string& segment : segments(r.key)) {
      const std::string name = parent.empty() ? segment_name(segment) : parent + "_" + segment_name(segment);
      bool known = false;
      for (const RestResource& e : out) known = known || e.name == name;
      if (!known) out.push_back({name, segment, parent});
      parent = name;
    }
  }
  return out;
}

std::string rest_method(const std::string& key) {
  return key.substr(0, key.find(' '));
}

std::string rest_resource_name(const std::string& key) {
  std::string name;
  for (const std::string& segment : segments(key)) name += (name.empty() ? "" : "_") + segment_name(segment);
  return name;
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
