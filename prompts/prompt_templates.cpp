#include "prompts/prompt_templates.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace imu2clip::prompts {
namespace {

namespace fs = std::filesystem;

struct Placeholder {
  size_t begin = 0;  // position of "{{"
  size_t end = 0;    // one past "}}"
  std::string name;
};

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

int64_t line_of(const std::string& text, size_t pos) {
  int64_t line = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

std::vector<Placeholder> scan(const std::string& text, const std::string& template_name) {
  std::vector<Placeholder> out;
  size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string::npos) {
    size_t close = text.find("}}", pos + 2);
    if (close == std::string::npos) {
      throw Error(ErrorKind::InvalidInput, "'{{' without a closing '}}'",
                  ErrorContext{template_name, line_of(text, pos), ""});
    }
    std::string inner = text.substr(pos + 2, close - pos - 2);
    size_t b = inner.find_first_not_of(' ');
    size_t e = inner.find_last_not_of(' ');
    std::string name = b == std::string::npos ? "" : inner.substr(b, e - b + 1);
    bool ok = !name.empty();
    for (char c : name) ok = ok && is_name_char(c);
    if (!ok) {
      throw Error(ErrorKind::InvalidInput,
                  "malformed placeholder '{{" + inner + "}}'; names are letters, digits and '_'",
                  ErrorContext{template_name, line_of(text, pos), ""});
    }
    out.push_back({pos, close + 2, name});
    pos = close + 2;
  }
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Io, "cannot read prompt template", ErrorContext{path.string(), 0, ""});
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::vector<std::string> placeholders(const std::string& text, const std::string& template_name) {
  std::vector<std::string> names;
  for (const auto& p : scan(text, template_name)) {
    bool seen = false;
    for (const auto& n : names) seen = seen || n == p.name;
    if (!seen) names.push_back(p.name);
  }
  return names;
}

std::string render(const std::string& text, const Values& values, const std::string& template_name) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  for (const auto& p : scan(text, template_name)) {
    auto it = values.find(p.name);
    if (it == values.end()) {
      std::string known;
      for (const auto& kv : values) known += (known.empty() ? "" : ", ") + kv.first;
      throw Error(ErrorKind::InvalidInput,
                  "unknown placeholder {{" + p.name + "}}; the values available here are: " +
                      (known.empty() ? "(none)" : known),
                  ErrorContext{template_name, line_of(text, p.begin), p.name});
    }
    out.append(text, copied, p.begin - copied);
    out += it->second;
    copied = p.end;
  }
  out.append(text, copied, std::string::npos);
  return out;
}

PromptTemplates PromptTemplates::builtin() {
  PromptTemplates t;
  for (const auto& [name, text] : builtin_templates()) t.templates_[name] = {text, "built-in"};
  return t;
}

PromptTemplates PromptTemplates::load(const std::string& dir) {
  PromptTemplates t = builtin();
  if (dir.empty()) return t;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(ErrorKind::NotFound, "prompt template folder not found; pass a folder holding system.txt etc., "
                                     "or none to use the built-in templates",
                ErrorContext{dir, 0, ""});
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".txt") continue;
    std::string text = read_file(entry.path());
    scan(text, entry.path().string());  // malformed placeholders fail at start, not mid-request
    t.templates_[entry.path().stem().string()] = {std::move(text), entry.path().string()};
  }
  return t;
}

bool PromptTemplates::has(const std::string& name) const { return templates_.count(name) > 0; }

const std::string& PromptTemplates::text(const std::string& name) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) {
    std::string known;
    for (const auto& kv : templates_) known += (known.empty() ? "" : ", ") + kv.first;
    throw Error(ErrorKind::NotFound, "no prompt template '" + name + "'; known: " + known);
  }
  return it->second.text;
}

const std::string& PromptTemplates::origin(const std::string& name) const {
  text(name);
  return templates_.at(name).origin;
}

std::vector<std::string> PromptTemplates::names() const {
  std::vector<std::string> out;
  for (const auto& kv : templates_) out.push_back(kv.first);
  return out;
}

std::string PromptTemplates::render(const std::string& name, const Values& values) const {
  return prompts::render(text(name), values, origin(name));
}

}  // namespace imu2clip::prompts
