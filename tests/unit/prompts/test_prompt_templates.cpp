#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "common/error.h"
#include "prompts/prompt_templates.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using namespace imu2clip::prompts;

TEST_CASE("render fills placeholders verbatim and keeps the rest", "[prompts]") {
  std::string out = render("Hi {{name}}, it is {{ time }}. {{name}}!", {{"name", "Ann {{x}}"}, {"time", "15:50"}});
  CHECK(out == "Hi Ann {{x}}, it is 15:50. Ann {{x}}!");
  CHECK(render("no placeholders", {}) == "no placeholders");
}

TEST_CASE("render rejects unknown and malformed placeholders with the template line", "[prompts]") {
  try {
    render("line one\nhello {{who}}", {{"name", "x"}}, "greeting.txt");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.context().file == "greeting.txt");
    CHECK(e.context().line == 2);
    CHECK(e.context().field == "who");
    CHECK_THAT(e.message(), Catch::Contains("name"));
  }
  CHECK_THROWS_AS(render("{{unclosed", {}), Error);
  CHECK_THROWS_AS(render("{{bad name}}", {{"bad name", "x"}}), Error);
  CHECK(placeholders("{{a}} {{b}} {{a}}") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("built-in templates exist and render with the assistant's values", "[prompts]") {
  auto t = PromptTemplates::builtin();
  for (const char* name : {"system", "context", "question"}) {
    REQUIRE(t.has(name));
    CHECK(t.origin(name) == "built-in");
  }
  Values v = {{"tz", "UTC"}, {"now", "2024-01-01T00:00:00Z"}, {"user", "ann"}, {"scope", "today"},
              {"log_note", "2 log lines"}, {"log_lines", "[15:50] Motion: sitting"}, {"facts", "[]"},
              {"question", "How long did I sit?"}, {"draft_answer", "You sat 5 minutes."}};
  CHECK_THAT(t.render("context", v), Catch::Contains("[15:50] Motion: sitting"));
  CHECK_THAT(t.render("question", v), Catch::Contains("How long did I sit?"));
  CHECK_THROWS_AS(t.text("nope"), Error);
}

TEST_CASE("a template folder overrides built-ins file by file", "[prompts]") {
  std::string dir = test::make_temp_dir("prompts");
  std::ofstream(dir + "/system.txt") << "Custom system for {{user}}.";
  auto t = PromptTemplates::load(dir);
  CHECK(t.render("system", {{"user", "ann"}}) == "Custom system for ann.");
  CHECK(t.origin("system") == dir + "/system.txt");
  CHECK(t.origin("context") == "built-in");

  std::ofstream(dir + "/broken.txt") << "oops {{";
  CHECK_THROWS_AS(PromptTemplates::load(dir), Error);
  CHECK_THROWS_AS(PromptTemplates::load(dir + "/missing"), Error);
}

TEST_CASE("built-in templates are prompts/templates/*.txt byte for byte", "[prompts]") {
  const auto& builtin = builtin_templates();
  REQUIRE_FALSE(builtin.empty());
  for (const char* name : {"system", "context", "question"}) {
    INFO(name);
    REQUIRE(builtin.count(name) == 1);
    std::ifstream in(test::source_dir() + "/prompts/templates/" + name + ".txt", std::ios::binary);
    const std::string on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(builtin.at(name) == on_disk);
  }
}
