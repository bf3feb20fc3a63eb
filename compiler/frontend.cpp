#include "frontend.h"

#include <fstream>
#include <sstream>
#include <system_error>

#include "check/check.h"
#include "check/values.h"
#include "parse/parse.h"

namespace paydrc::frontend {

std::filesystem::path project_root_for(const std::filesystem::path& spec_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::absolute(spec_dir, ec).lexically_normal();
  if (ec) return spec_dir;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / ".git", ec)) return p;
    if (p == p.root_path()) break;
  }
  return dir;
}

Loaded load(const std::string& path, bool check, std::string_view environment) {
  namespace fs = std::filesystem;
  Loaded out;
  out.sink = diag::Sink(path);
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    out.read_error = "is a directory";
    return out;
  }
  auto size = fs::file_size(path, ec);
  if (!ec && size > kMaxSpecBytes) {
    out.read_error = "is larger than 64 MiB; a spec is a few kilobytes";
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.read_error = "cannot be read";
    return out;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    out.read_error = "cannot be read";
    return out;
  }
  out.source = std::make_unique<SourceFile>(path, buffer.str());
  out.ast = parse::parse(*out.source, out.sink);
  if (!out.ast || !check) {
    out.sink.sort();
    return out;
  }
  check::Options options;
  options.today = check::today_utc();
  fs::path spec_dir = fs::path(path).parent_path();
  if (spec_dir.empty()) spec_dir = ".";
  options.project_root = project_root_for(spec_dir);
  options.spec_dir = fs::absolute(spec_dir, ec).lexically_normal();
  auto checked = check::check_all(*out.ast, options, out.sink);
  if (!checked) return out;
  out.environments = checked->environments;
  out.systems = std::move(checked->systems);
  for (ir::System& s : out.systems) s.spec_path = path;
  if (out.environments.empty()) {
    out.ir = out.systems.front();
  } else {
    for (const ir::System& s : out.systems) {
      if (s.environment == environment) out.ir = s;
    }
    if (!out.ir) out.undeclared_environment = std::string(environment);
  }
  return out;
}

}  // namespace paydrc::frontend
