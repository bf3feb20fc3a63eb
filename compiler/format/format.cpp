#include "format/format.h"

#include <fmt/format.h>

namespace paydrc::format {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
        break;
    }
  }
  return out + "\"";
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) != 0 || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-')) return false;
  }
  return true;
}

class Printer {
 public:
  std::string run(const ast::File& file) {
    bool first = true;
    for (const ast::Entry& block : file.blocks) {
      if (!first) out_ += '\n';
      first = false;
      entry(block, 0);
    }
    if (!file.dangling_comments.empty()) {
      if (!first) out_ += '\n';
      for (const ast::Comment& c : file.dangling_comments) out_ += c.text + '\n';
    }
    return out_;
  }

 private:
  static std::string indent(int depth) { return std::string(static_cast<std::size_t>(depth) * 2, ' '); }

  // A value on one line, or "" when it must be broken (maps always are).
  std::string inline_value(const ast::Value& v) {
    switch (v.kind) {
      case ast::ValueKind::String:
        return quote(v.text);
      case ast::ValueKind::List: {
        std::string s = "[";
        for (std::size_t i = 0; i < v.items.size(); ++i) {
          std::string item = inline_value(v.items[i]);
          if (item.empty()) return {};
          if (i != 0) s += ", ";
          s += item;
        }
        return s + "]";
      }
      case ast::ValueKind::Map:
        return v.entries.empty() ? std::string("{}") : std::string();
      default:
        return v.text;
    }
  }

  // Writes a value starting at the current position; `depth` is the indent of the line it starts on.
  void value(const ast::Value& v, int depth, std::size_t column) {
    std::string flat = inline_value(v);
    if (!flat.empty() && column + flat.size() <= kLineWidth) {
      out_ += flat;
      return;
    }
    if (v.kind == ast::ValueKind::List) {
      out_ += "[\n";
      for (const ast::Value& item : v.items) {
        out_ += indent(depth + 1);
        value(item, depth + 1, static_cast<std::size_t>(depth + 1) * 2);
        out_ += ",\n";
      }
      out_ += indent(depth) + "]";
      return;
    }
    if (v.kind == ast::ValueKind::Map) {
      out_ += "{\n";
      for (const ast::MapEntry& e : v.entries) {
        std::string key = e.key_quoted || !is_identifier(e.key) ? quote(e.key) : e.key;
        out_ += indent(depth + 1) + key + ": ";
        value(e.value, depth + 1, static_cast<std::size_t>(depth + 1) * 2 + key.size() + 2);
        out_ += ",\n";
      }
      out_ += indent(depth) + "}";
      return;
    }
    out_ += flat;  // a long scalar stays on its line
  }

  void comments(const std::vector<ast::Comment>& list, int depth) {
    for (const ast::Comment& c : list) out_ += indent(depth) + c.text + '\n';
  }

  void entry(const ast::Entry& e, int depth) {
    comments(e.leading_comments, depth);
    out_ += indent(depth) + e.name;
    if (!e.is_block()) {
      out_ += " = ";
      value(e.value, depth, static_cast<std::size_t>(depth) * 2 + e.name.size() + 3);
      if (e.trailing_comment) out_ += ' ' + e.trailing_comment->text;
      out_ += '\n';
      return;
    }
    if (e.label) out_ += ' ' + (e.label_quoted ? quote(*e.label) : *e.label);
    if (e.body.empty() && e.closing_comments.empty() && !e.trailing_comment) {
      out_ += " {}\n";
      return;
    }
    out_ += " {";
    if (e.trailing_comment) out_ += ' ' + e.trailing_comment->text;
    out_ += '\n';
    bool first = true;
    for (const ast::Entry& child : e.body) {
      if (!first && child.blank_line_before) out_ += '\n';
      first = false;
      entry(child, depth + 1);
    }
    comments(e.closing_comments, depth + 1);
    out_ += indent(depth) + "}\n";
  }

  std::string out_;
};

}  // namespace

std::string format(const ast::File& file) {
  return Printer().run(file);
}

}  // namespace paydrc::format
