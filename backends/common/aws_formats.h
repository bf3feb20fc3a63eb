// AWS data formats both backends write the same way, whatever their syntax:
// DynamoDB attribute type codes, route authorization types and the CloudWatch
// dashboard body.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "lower/infra.h"

namespace paydrc::backends {

// A CloudWatch threshold as JSON: whole numbers as integers (`0`, not `0.0`), so
// both backends print the value a reviewer wrote.
nlohmann::json json_number(double value);

// An API Gateway route's authorization type: "JWT", "AWS_IAM" or "NONE".
const char* route_authorization_type(infra::RouteAuth auth);

// "S", "N" or "B".
const char* dynamodb_attribute_type(infra::KeyKind kind);

// The dashboard body's `widgets`, one full-width time series per widget, with
// each deployment-time name rendered by the backend (`${...}` interpolation for
// Terraform, a Fn::Sub fragment for CloudFormation).
nlohmann::json dashboard_widgets(const infra::Dashboard& dashboard,
                                 const std::function<std::string(const infra::Text&)>& render);

}  // namespace paydrc::backends
