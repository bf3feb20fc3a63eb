#include "parse/parse.h"

#include <antlr4-runtime.h>

#include <fmt/format.h>
#include <algorithm>

#include "PdrLexer.h"
#include "PdrParser.h"
#include "diagnostics/render.h"
#include "parse/utf8.h"

namespace paydrc::parse {
namespace {

using pdrgen::PdrLexer;
using pdrgen::PdrParser;

SourceRange token_range(const antlr4::Token* t) {
  SourceRange r;
  r.begin.line = static_cast<std::uint32_t>(t->getLine());
  r.begin.column = static_cast<std::uint32_t>(t->getCharPositionInLine()) + 1;
  r.end = r.begin;
  if (t->getType() != antlr4::Token::EOF) {
    r.end.column += static_cast<std::uint32_t>(utf8::count_code_points(t->getText()));
  }
  return r;
}

SourceRange context_range(antlr4::ParserRuleContext* ctx) {
  SourceRange r = token_range(ctx->getStart());
  const antlr4::Token* stop = ctx->getStop();
  if (stop != nullptr && stop->getTokenIndex() >= ctx->getStart()->getTokenIndex()) {
    r.end = token_range(stop).end;
  }
  return r;
}

std::string describe_token(const antlr4::Token* t) {
  if (t->getType() == antlr4::Token::EOF) return "end of file";
  switch (t->getType()) {
    case PdrLexer::STRING:
      return "string";
    case PdrLexer::UNTERMINATED_STRING:
      return "unterminated string";
    default:
      break;
  }
  std::string text = t->getText();
  if (text.size() > 40) text = text.substr(0, 40) + "...";
  return fmt::format("`{}`", diag::printable(text));
}

struct StopParsing {};

class ErrorCollector : public antlr4::BaseErrorListener {
 public:
  explicit ErrorCollector(diag::Sink& sink) : sink_(sink) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line, size_t column,
                   const std::string& /*msg*/, std::exception_ptr /*e*/) override {
    if (count_ == kMaxSyntaxErrors) {
      SourceRange r{{static_cast<std::uint32_t>(line), static_cast<std::uint32_t>(column) + 1}, {}};
      r.end = r.begin;
      sink_.report(diag::Kind::TooManyErrors, r,
                   fmt::format("too many syntax errors, stopping after {}", kMaxSyntaxErrors),
                   "fix the errors above first; is this file a .pdr spec?");
      throw StopParsing{};
    }
    ++count_;
    auto* parser = dynamic_cast<PdrParser*>(recognizer);
    SourceRange r;
    std::string message;
    std::string hint;
    if (offending != nullptr) {
      r = token_range(offending);
      switch (offending->getType()) {
        case PdrLexer::UNTERMINATED_STRING:
          message = "unterminated string";
          hint = "close the string with `\"` on the same line";
          break;
        case PdrLexer::UNEXPECTED:
          message = fmt::format("unexpected character {}", describe_token(offending));
          break;
        default:
          message = offending->getType() == antlr4::Token::EOF
                        ? std::string("unexpected end of file")
                        : fmt::format("unexpected {}", describe_token(offending));
          break;
      }
    } else {
      r.begin = {static_cast<std::uint32_t>(line), static_cast<std::uint32_t>(column) + 1};
      r.end = r.begin;
      message = "unexpected input";
    }
    if (hint.empty() && parser != nullptr) {
      hint = expected_hint(*parser);
    }
    sink_.report(diag::Kind::SyntaxError, r, std::move(message), std::move(hint));
  }

 private:
  static std::string expected_hint(PdrParser& parser) {
    antlr4::misc::IntervalSet expected;
    try {
      expected = parser.getExpectedTokens();
    } catch (...) {
      return {};
    }
    std::vector<std::string> names;
    for (std::size_t t : expected.toList()) {
      names.push_back(symbol_name(static_cast<int>(t), parser.getVocabulary()));
    }
    if (names.empty()) return {};
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (names.size() == 1) return fmt::format("expected {}", names[0]);
    return fmt::format("expected one of {}", fmt::join(names, ", "));
  }

  static std::string symbol_name(int type, const antlr4::dfa::Vocabulary& vocab) {
    if (type == static_cast<int>(antlr4::Token::EOF)) return "end of file";
    switch (type) {
      case PdrLexer::IDENT:
        return "a name";
      case PdrLexer::STRING:
        return "a string";
      case PdrLexer::NUMBER:
        return "a number";
      case PdrLexer::QUANTITY:
        return "a quantity such as `30s` or `1GB`";
      case PdrLexer::MONEY:
        return "an amount such as `$100`";
      case PdrLexer::CIDR:
        return "a CIDR block";
      case PdrLexer::DATE:
        return "a date";
      default:
        break;
    }
    std::string literal = vocab.getLiteralName(static_cast<size_t>(type));
    if (literal.size() >= 2 && literal.front() == '\'') literal = literal.substr(1, literal.size() - 2);
    return fmt::format("`{}`", literal);
  }

  diag::Sink& sink_;
  std::size_t count_ = 0;
};

// Decodes the contents of a STRING token (escapes \" \\ \n \t; others kept as is).
std::string decode_string(const std::string& token) {
  std::string out;
  out.reserve(token.size());
  for (std::size_t i = 1; i + 1 < token.size(); ++i) {
    char c = token[i];
    if (c == '\\' && i + 2 < token.size()) {
      char n = token[++i];
      switch (n) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        default:
          out += '\\';
          out += n;
          break;
      }
    } else {
      out += c;
    }
  }
  return out;
}

class TreeBuilder {
 public:
  ast::Entry block(PdrParser::BlockContext* ctx) {
    ast::Entry e;
    e.kind = ast::Entry::Kind::Block;
    e.name = ctx->IDENT()->getText();
    e.name_range = token_range(ctx->IDENT()->getSymbol());
    e.range = context_range(ctx);
    if (auto* label = ctx->label()) {
      e.label_range = context_range(label);
      if (label->STRING() != nullptr) {
        e.label = decode_string(label->STRING()->getText());
        e.label_quoted = true;
      } else {
        e.label = label->IDENT()->getText();
      }
    }
    for (auto* entry : ctx->entry()) {
      if (entry->block() != nullptr) {
        e.body.push_back(block(entry->block()));
      } else {
        e.body.push_back(attribute(entry->attribute()));
      }
    }
    return e;
  }

 private:
  ast::Entry attribute(PdrParser::AttributeContext* ctx) {
    ast::Entry e;
    e.kind = ast::Entry::Kind::Attribute;
    e.name = ctx->IDENT()->getText();
    e.name_range = token_range(ctx->IDENT()->getSymbol());
    e.value = value(ctx->value());
    e.range = context_range(ctx);
    return e;
  }

  ast::Value value(PdrParser::ValueContext* ctx) {
    ast::Value v;
    v.range = context_range(ctx);
    if (auto* c = dynamic_cast<PdrParser::StringValueContext*>(ctx)) {
      v.kind = ast::ValueKind::String;
      v.text = decode_string(c->STRING()->getText());
    } else if (auto* c = dynamic_cast<PdrParser::NumberValueContext*>(ctx)) {
      v.kind = ast::ValueKind::Number;
      v.text = c->NUMBER()->getText();
    } else if (auto* c = dynamic_cast<PdrParser::QuantityValueContext*>(ctx)) {
      v.kind = ast::ValueKind::Quantity;
      v.text = c->QUANTITY()->getText();
    } else if (auto* c = dynamic_cast<PdrParser::MoneyValueContext*>(ctx)) {
      v.kind = ast::ValueKind::Money;
      v.text = c->MONEY()->getText();
    } else if (auto* c = dynamic_cast<PdrParser::CidrValueContext*>(ctx)) {
      v.kind = ast::ValueKind::Cidr;
      v.text = c->CIDR()->getText();
    } else if (auto* c = dynamic_cast<PdrParser::DateValueContext*>(ctx)) {
      v.kind = ast::ValueKind::Date;
      v.text = c->DATE()->getText();
    } else if (auto* c = dynamic_cast<PdrParser::ReferenceValueContext*>(ctx)) {
      v.kind = ast::ValueKind::Reference;
      v.text = c->reference()->getText();
    } else if (auto* c = dynamic_cast<PdrParser::ListValueContext*>(ctx)) {
      v.kind = ast::ValueKind::List;
      for (auto* item : c->list()->value()) v.items.push_back(value(item));
    } else if (auto* c = dynamic_cast<PdrParser::MapValueContext*>(ctx)) {
      v.kind = ast::ValueKind::Map;
      for (auto* entry : c->map()->mapEntry()) {
        ast::MapEntry m;
        m.key_range = token_range(entry->key);
        if (entry->key->getType() == PdrLexer::STRING) {
          m.key = decode_string(entry->key->getText());
          m.key_quoted = true;
        } else {
          m.key = entry->key->getText();
        }
        m.value = value(entry->value());
        v.entries.push_back(std::move(m));
      }
    }
    return v;
  }
};

// Hands each comment to the entry it documents: own-line comments to the next
// entry, same-line comments to the entry they follow, the rest to the enclosing
// block's closing brace. `next` walks the comments in source order.
class CommentAttacher {
 public:
  explicit CommentAttacher(std::vector<ast::Comment> comments) : comments_(std::move(comments)) {}

  void attach(std::vector<ast::Entry>& body, std::uint32_t closing_line, std::vector<ast::Comment>* closing) {
    for (ast::Entry& e : body) {
      while (next_ < comments_.size() && comments_[next_].line < e.range.begin.line) {
        e.leading_comments.push_back(comments_[next_++]);
      }
      e.blank_line_before = blank_before(e);
      if (e.is_block()) {
        if (next_ < comments_.size() && comments_[next_].line == e.range.begin.line &&
            (e.body.empty() || e.body.front().range.begin.line > e.range.begin.line)) {
          e.trailing_comment = comments_[next_++];
        }
        attach(e.body, e.range.end.line, &e.closing_comments);
      }
      if (next_ < comments_.size() && comments_[next_].line == e.range.end.line) {
        if (!e.trailing_comment) {
          e.trailing_comment = comments_[next_++];
        }
      }
      last_line_ = e.range.end.line;
    }
    while (next_ < comments_.size() && comments_[next_].line <= closing_line) {
      closing->push_back(comments_[next_++]);
    }
  }

  void rest(std::vector<ast::Comment>& out) {
    while (next_ < comments_.size()) out.push_back(comments_[next_++]);
  }

  void set_blank_lines(std::vector<bool> blank) { blank_ = std::move(blank); }

 private:
  bool blank_before(const ast::Entry& e) const {
    std::uint32_t first = e.leading_comments.empty() ? e.range.begin.line : e.leading_comments.front().line;
    return first >= 2 && first - 2 < blank_.size() && blank_[first - 2] && last_line_ != 0;
  }

  std::vector<ast::Comment> comments_;
  std::size_t next_ = 0;
  std::uint32_t last_line_ = 0;
  std::vector<bool> blank_;  // blank_[i]: line i+1 is empty
};

}  // namespace

std::optional<ast::File> parse(const SourceFile& source, diag::Sink& sink) {
  if (!utf8::validate(source.text(), sink)) return std::nullopt;

  antlr4::ANTLRInputStream input(source.text());
  PdrLexer lexer(&input);
  lexer.removeErrorListeners();  // UNEXPECTED catches every stray character
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();

  // Refuse pathological nesting before the recursive-descent parser sees it.
  int depth = 0;
  for (antlr4::Token* t : tokens.getTokens()) {
    std::string text = t->getType() == PdrLexer::UNEXPECTED ? std::string() : t->getText();
    if (text == "{" || text == "[") {
      if (++depth > kMaxNesting) {
        sink.report(diag::Kind::NestingTooDeep, token_range(t),
                    fmt::format("blocks, lists and maps are nested more than {} levels deep", kMaxNesting),
                    "a spec needs only a few levels; check for unbalanced brackets");
        return std::nullopt;
      }
    } else if (text == "}" || text == "]") {
      depth = std::max(0, depth - 1);
    }
  }

  PdrParser parser(&tokens);
  parser.removeErrorListeners();
  ErrorCollector errors(sink);
  parser.addErrorListener(&errors);
  PdrParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const StopParsing&) {
    return std::nullopt;
  }
  if (sink.has_errors()) return std::nullopt;

  ast::File file;
  TreeBuilder builder;
  for (auto* b : tree->block()) file.blocks.push_back(builder.block(b));

  std::vector<ast::Comment> comments;
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getType() == PdrLexer::COMMENT) {
      std::string text = t->getText();
      while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
      comments.push_back({text, static_cast<std::uint32_t>(t->getLine())});
    }
  }
  std::vector<bool> blank(source.line_count(), false);
  for (std::uint32_t i = 1; i <= source.line_count(); ++i) {
    std::string_view l = source.line(i);
    blank[i - 1] = l.find_first_not_of(" \t") == std::string_view::npos;
  }
  CommentAttacher attacher(std::move(comments));
  attacher.set_blank_lines(std::move(blank));
  std::vector<ast::Comment> top_closing;
  attacher.attach(file.blocks, 0, &top_closing);
  attacher.rest(file.dangling_comments);
  return file;
}

}  // namespace paydrc::parse
