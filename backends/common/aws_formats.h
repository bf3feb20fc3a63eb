// AWS data formats both backends write the same way, whatever their syntax:
// DynamoDB attribute type codes, route authorization types and the CloudWatch
// dashboard body.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lower/infra.h"

namespace paydrc::backends {

// A CloudWatch threshold as JSON: whole numbers as integers (`0`, not `0.0`), so
// both backends print the value a reviewer wrote.
nlohmann::json json_number(double value);

// An API Gateway route's authorization type: "JWT", "AWS_IAM" or "NONE".
const char* route_authorization_type(infra::RouteAuth auth);

// A REST API method's authorization type: "CUSTOM" (the JWT authorizer function),
// "AWS_IAM" or "NONE".
const char* rest_authorization_type(infra::RouteAuth auth);

// The access log formats (PCI DSS 10.2: who, what, when, outcome): the caller's
// address and, behind an authorizer, the token's subject; the request, status and
// latency. HTTP APIs and REST APIs name their variables differently.
extern const char* const kHttpApiAccessLogFormat;
extern const char* const kRestApiAccessLogFormat;
// A TOKEN authorizer's identity validation expression: an optional `Bearer `
// then three base64url parts. API Gateway answers 401 to anything else without
// invoking the authorizer function.
extern const char* const kBearerTokenPattern;

// A REST API's resource tree for its routes: one entry per path prefix, parents
// first. `name` is a resource-name part ("health", "proxy", "status_health"),
// `parent` the parent's name or empty for the root resource.
struct RestResource {
  std::string name;
  std::string path_part;
  std::string parent;
};
std::vector<RestResource> rest_resources(const infra::RestApi& api);
// The method of route `key` ("GET /health" -> "GET") and its resource's name
// ("health"; empty for `/`).
std::string rest_method(const std::string& key);
std::string rest_resource_name(const std::string& key);

// "S", "N" or "B".
const char* dynamodb_attribute_type(infra::KeyKind kind);

// The dashboard body's `widgets`, one full-width time series per widget, with
// each deployment-time name rendered by the backend (`${...}` interpolation for
// Terraform, a Fn::Sub fragment for CloudFormation).
nlohmann::json dashboard_widgets(const infra::Dashboard& dashboard,
                                 const std::function<std::string(const infra::Text&)>& render);

}  // namespace paydrc::backends
