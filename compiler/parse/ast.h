// paydrc's own syntax tree: generic blocks, attributes and typed literal values,
// each with its source range. Nothing from ANTLR appears here.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/source.h"

namespace paydrc::ast {

// The lexical kind of a literal; what it means (a duration, a reference, a
// boolean...) is decided by the checker from the schema table.
enum class ValueKind { String, Number, Quantity, Money, Cidr, Date, Reference, List, Map };
inline const char* value_kind_name(ValueKind k) {
  switch (k) {
    case ValueKind::String:
      return "string";
    case ValueKind::Number:
      return "number";
    case ValueKind::Quantity:
      return "quantity";
    case ValueKind::Money:
      return "money";
    case ValueKind::Cidr:
      return "cidr";
    case ValueKind::Date:
      return "date";
    case ValueKind::Reference:
      return "reference";
    case ValueKind::List:
      return "list";
    case ValueKind::Map:
      return "map";
  }
  return "value";
}

struct MapEntry;

struct Value {
  ValueKind kind = ValueKind::String;
  // The literal as written (strings: the decoded contents; references: the dotted path).
  std::string text;
  std::vector<Value> items;       // List
  std::vector<MapEntry> entries;  // Map
  SourceRange range;
};

struct MapEntry {
  std::string key;
  bool key_quoted = false;
  SourceRange key_range;
  Value value;
};

struct Comment {
  std::string text;  // including the leading `//`
  std::uint32_t line = 0;
};

// One item of a block body: an attribute (`name = value`) or a nested block
// (`kind label { ... }`).
struct Entry {
  enum class Kind { Attribute, Block };
  Kind kind = Kind::Attribute;
  std::string name;  // attribute name or block kind
  SourceRange name_range;

  Value value;  // Attribute

  std::optional<std::string> label;  // Block
  bool label_quoted = false;
  SourceRange label_range;
  std::vector<Entry> body;

  SourceRange range;
  std::vector<Comment> leading_comments;    // own-line comments just above
  std::optional<Comment> trailing_comment;  // a comment after it on the same line
  std::vector<Comment> closing_comments;    // Block: comments after its last entry
  bool blank_line_before = false;           // kept by the formatter (one blank line at most)

  bool is_block() const { return kind == Kind::Block; }
};

struct File {
  std::vector<Entry> blocks;               // top level: blocks only (the grammar says so)
  std::vector<Comment> dangling_comments;  // comments after the last block
};

}  // namespace paydrc::ast
