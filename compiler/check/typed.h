// Internal to the check phase: attribute values after schema typing, and the
// checked instance of a block, before they become IR.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "check/schema.h"
#include "ir/ir.h"
#include "parse/ast.h"

namespace paydrc::check {

struct Named {
  std::string text;
  SourceRange range;
};

struct TypedValue {
  Type type = Type::String;
  SourceRange range;
  bool from_default = false;
  std::string text;         // String, Enum, Ref, OutputRef (dotted)
  std::int64_t number = 0;  // Integer, Duration (s), Size (MB), Money (cents), Threshold
  bool threshold_is_duration = false;
  bool flag = false;  // Bool
  ir::Cidr cidr;
  ir::Date date;
  std::vector<Named> items;                      // RefList, StringList
  std::vector<std::pair<Named, Named>> entries;  // StringMap, AccessMap
};

struct Instance {
  const ast::Entry* entry = nullptr;
  std::string kind;
  std::string label;
  SourceRange label_range;
  std::map<std::string, TypedValue, std::less<>> attributes;  // present or defaulted, all well typed
  std::vector<std::string> failed;                            // attributes given but ill typed
  std::vector<Instance> children;

  const TypedValue* get(std::string_view name) const;
  bool failed_attribute(std::string_view name) const;
  SourceRange range_of(std::string_view name) const;
  ir::Origin origin() const;
  const Instance* child(std::string_view kind) const;
};

}  // namespace paydrc::check
