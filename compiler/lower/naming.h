// Identifier spellings shared by lowering and the backends.
#pragma once

#include <string>
#include <string_view>

namespace paydrc::lower {

// `order_items` -> `OrderItems`: letters and digits only, each word capitalised
// (IAM statement ids, CloudFormation logical ids).
std::string camel_case(std::string_view name);

}  // namespace paydrc::lower
