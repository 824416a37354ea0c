#pragma once
// The assistant's prompt templates: plain text files with {{name}} placeholders, read from a
// folder at start (so they can be edited without rebuilding) and compiled into the library as
// a fallback (so the binary works from any directory).
#include <map>
#include <string>
#include <vector>

namespace imu2clip::prompts {

using Values = std::map<std::string, std::string>;

// The placeholder names used in `text`, in order of first appearance. Throws InvalidInput for
// an unclosed "{{" or a malformed name (names are letters, digits and '_'; spaces inside the
// braces are allowed: "{{ name }}").
std::vector<std::string> placeholders(const std::string& text, const std::string& template_name = "");

// Replaces every {{name}} with values.at(name). Throws InvalidInput naming the template and the
// placeholder when a value is missing. Values are inserted verbatim (never re-expanded).
std::string render(const std::string& text, const Values& values, const std::string& template_name = "");

class PromptTemplates {
 public:
  // Only the templates compiled into the library.
  static PromptTemplates builtin();
  // Every "<name>.txt" in `dir` overrides the built-in template of that name; built-ins fill in
  // the rest. "" = built-in only. Throws NotFound when `dir` is given but is not a folder, and
  // InvalidInput when a file's placeholders are malformed.
  static PromptTemplates load(const std::string& dir);

  bool has(const std::string& name) const;
  // Throws NotFound listing the known names.
  const std::string& text(const std::string& name) const;
  // Where the template came from: its file path, or "built-in".
  const std::string& origin(const std::string& name) const;
  std::vector<std::string> names() const;
  std::string render(const std::string& name, const Values& values) const;

 private:
  struct Template {
    std::string text;
    std::string origin;
  };
  std::map<std::string, Template> templates_;
};

// The built-in templates, name -> text (generated at build time from prompts/templates/*.txt).
const std::map<std::string, std::string>& builtin_templates();

}  // namespace imu2clip::prompts
