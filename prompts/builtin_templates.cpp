// builtin_templates(): prompts/templates/*.txt as compiled into the library by
// imu2clip_embed_files (prompts/CMakeLists.txt).
#include "embedded_prompt_templates.h"
#include "prompts/prompt_templates.h"

namespace imu2clip::prompts {

const std::map<std::string, std::string>& builtin_templates() {
  static const std::map<std::string, std::string> templates = [] {
    std::map<std::string, std::string> out;
    for (const EmbeddedFile& file : embedded_prompt_templates()) {
      const std::string name = file.name;
      out[name.substr(0, name.find('.'))] = std::string(file.text());  // "system.txt" -> "system"
    }
    return out;
  }();
  return templates;
}

}  // namespace imu2clip::prompts
