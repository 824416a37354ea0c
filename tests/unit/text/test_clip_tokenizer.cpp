#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "tests/support/test_paths.h"
#include "tagger/text/clip_tokenizer.h"
#include "tagger/text/clip_unicode.h"
#include "tagger/text/html_unescape.h"

using namespace imu2clip;

namespace {

// Six merges in CLIP's format. Ids: bytes 0..255, their "</w>" forms 256..511, the merges 512..517
// (wa, lk</w>, walk</w>, in, ing</w>, aa), <|startoftext|> 518, <|endoftext|> 519.
const char* kTinyMerges =
    "#version: 0.2\n"
    "w a\n"
    "l k</w>\n"
    "wa lk</w>\n"
    "i n\n"
    "in g</w>\n"
    "a a\n";

// CLIP's byte token of a printable ASCII character (they come first, from '!').
int byte_id(char c) { return c - '!'; }
int byte_end_id(char c) { return 256 + byte_id(c); }

std::string utf8(const std::u32string& s) { return clip_unicode::encode_utf8(s); }

std::string cleaned(const std::string& text) { return utf8(clip_clean_text(text)); }

std::vector<std::string> pieces(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& p : clip_pre_tokenize(clip_clean_text(text))) out.push_back(utf8(p));
  return out;
}

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  FAIL("no Error thrown");
  return ErrorKind::Internal;
}

}  // namespace

TEST_CASE("clip tokenizer: merges apply lowest rank first, left to right, word ends marked", "[text][clip]") {
  const auto t = ClipTokenizer::from_text(kTinyMerges, "tiny");
  CHECK(t.vocab_size() == 520);
  CHECK(t.start_id() == 518);
  CHECK(t.end_id() == 519);
  // w a l k</w>: "w a" (rank 0), then "l k</w>" (1), then "wa lk</w>" (2).
  CHECK(t.encode("walk") == std::vector<int>{514});
  // k is not at the word end here, so "l k</w>" cannot apply.
  CHECK(t.encode("walking") == std::vector<int>{512, byte_id('l'), byte_id('k'), 516});
  // Non-overlapping occurrences, left to right: aa a a</w>.
  CHECK(t.encode("aaaa") == std::vector<int>{517, byte_id('a'), byte_end_id('a')});
  // Lowercased; each word on its own; a lone byte is its "</w>" token; punctuation is its own piece.
  CHECK(t.encode("Walk A!") == std::vector<int>{514, byte_end_id('a'), byte_end_id('!')});
  CHECK(t.token(514) == "walk</w>");
  CHECK(t.token_text(514) == "walk</w>");
  // Special tokens written in the text are the special ids.
  CHECK(t.encode("<|endoftext|>walk") == std::vector<int>{519, 514});
}

TEST_CASE("clip tokenizer: non-ASCII bytes use CLIP's printable byte alphabet", "[text][clip]") {
  const auto t = ClipTokenizer::from_text(kTinyMerges, "tiny");
  // U+00E9 is C3 A9. 0xA9 is printable (it stands for itself), 0xC3 too; both after the 94 ASCII ones.
  const auto ids = t.encode("\xC3\xA9");
  REQUIRE(ids.size() == 2);
  CHECK(t.token(ids[0]) == "\xC3\x83");          // U+00C3 spells byte 0xC3
  CHECK(t.token(ids[1]) == "\xC2\xA9</w>");      // U+00A9 spells byte 0xA9
  CHECK(t.token_text(ids[1]) == "\xA9</w>");
  // A space byte (not printable) is spelled U+0100 + n: CLIP's first such byte is 0x00 -> U+0100.
  CHECK(t.token(256 - 68) == "\xC4\x80");
}

TEST_CASE("clip tokenizer: context length keeps the start and end tokens", "[text][clip]") {
  const auto t = ClipTokenizer::from_text(kTinyMerges, "tiny");
  CHECK(t.encode_with_special("") == std::vector<int>{518, 519});
  CHECK(t.encode_with_special("walk walk") == std::vector<int>{518, 514, 514, 519});
  std::string many;
  for (int i = 0; i < 100; ++i) many += "walk ";
  const auto ids = t.encode_with_special(many);
  REQUIRE(ids.size() == 77);
  CHECK(ids.front() == 518);
  CHECK(ids[75] == 514);
  CHECK(ids.back() == 519);
  CHECK(t.encode_with_special(many, 4) == std::vector<int>{518, 514, 514, 519});
}

TEST_CASE("clip text cleanup: html unescape twice, whitespace runs, Python's lower()", "[text][clip]") {
  // Expected values are Python's html.unescape twice + strip + regex \s+ -> ' ' + lower().
  CHECK(cleaned("&amp;amp; &#39;x&#x41;&#X42 &ampfoo &nosuch; &#128;&#0;&#1; &copy2 &#xD800;") ==
        "& 'xab &foo &nosuch; \xE2\x82\xAC\xEF\xBF\xBD \xC2\xA9" "2 \xEF\xBF\xBD");
  CHECK(cleaned("&notit; &notin &#99999999999;") == "\xC2\xACit; \xC2\xACin \xEF\xBF\xBD");
  CHECK(cleaned("  A\xC2\xA0\xE2\x80\x83" "B\t\n ") == "a b");
  // U+0130 lowercases to i + U+0307; a word-final capital sigma to the final form.
  CHECK(cleaned("\xC4\xB0STANBUL \xCE\xA3\xCE\x91\xCE\xA3") == "i\xCC\x87stanbul \xCF\x83\xCE\xB1\xCF\x82");
  CHECK(cleaned("&lt;b&gt; &unknown") == "<b> &unknown");
  // Final_Sigma looks past case-ignorable characters (the apostrophe) and counts cased non-letters (U+216B).
  CHECK(cleaned("\xCE\xA3\xCE\x91\xCE\xA3's\xCE\xA3\xCE\x91\xCE\xA3") ==
        "\xCF\x83\xCE\xB1\xCF\x83's\xCF\x83\xCE\xB1\xCF\x82");
  CHECK(cleaned("\xCE\xA3\xCE\x91\xCE\xA3\xE2\x85\xAB") == "\xCF\x83\xCE\xB1\xCF\x83\xE2\x85\xBB");
}

TEST_CASE("clip pre-tokenisation: contractions, letter runs, single digits, punctuation runs", "[text][clip]") {
  // Python: regex.findall(CLIP's pattern, text) on the cleaned text.
  CHECK(pieces("it's ''s a.<|endoftext|>x \xC2\xB2\xC2\xBD we'RE") ==
        std::vector<std::string>{"it", "'s", "''", "s", "a", ".<|", "endoftext", "|>", "x", "\xC2\xB2", "\xC2\xBD",
                                 "we", "'re"});
  CHECK(pieces("\xC4\xB0STANBUL") == std::vector<std::string>{"i", "\xCC\x87", "stanbul"});
  CHECK(pieces("route 66") == std::vector<std::string>{"route", "6", "6"});
  // The pattern is case-insensitive: long s (U+017F) matches the "s" of "'s".
  CHECK(pieces("it'\xC5\xBF") == std::vector<std::string>{"it", "'\xC5\xBF"});
  // U+0345 matches no alternative under IGNORECASE (its case variants are letters), so it is skipped.
  CHECK(pieces("walking\xCD\x85 a\xCD\x85" "b") == std::vector<std::string>{"walking", "a", "b"});
  CHECK(pieces("") == std::vector<std::string>{});
}

TEST_CASE("clip unicode classes follow the regex module", "[text][clip]") {
  using namespace clip_unicode;
  CHECK(is_letter(U'\u00E9'));
  CHECK(is_letter(U'\u4E2D'));
  CHECK_FALSE(is_letter(U'\U0001F600'));
  CHECK(is_number(U'\u00BD'));
  CHECK(is_number(U'\u0663'));
  CHECK_FALSE(is_number(U'a'));
  CHECK(is_regex_space(U'\u3000'));
  CHECK_FALSE(is_regex_space(U'\u001C'));
  CHECK(is_strip_space(U'\u001C'));
  std::u32string low;
  append_lower(low, U'\u0100');
  append_lower(low, U'\u0410');
  append_lower(low, U'\u00DF');
  CHECK(low == U"\u0101\u0430\u00DF");
}

TEST_CASE("clip tokenizer: errors name the file, the line or the byte", "[text][clip]") {
  CHECK(kind_of([] { ClipTokenizer::from_file("/nonexistent/bpe.txt.gz"); }) == ErrorKind::NotFound);
  CHECK(kind_of([] { ClipTokenizer::from_text("#version\nw a\nwab\n", "bad"); }) == ErrorKind::Corrupt);
  try {
    ClipTokenizer::from_text("#version\nw a\nw a b\n", "bad.txt");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.context().file == "bad.txt");
    CHECK(e.context().line == 3);
  }
  const auto t = ClipTokenizer::from_text(kTinyMerges, "tiny");
  CHECK(kind_of([&] { t.encode("caf\xC3"); }) == ErrorKind::InvalidInput);
  CHECK(kind_of([&] { t.encode("\xED\xA0\x80"); }) == ErrorKind::InvalidInput);  // a surrogate
  // A merges file read from disk, plain text, gives the same tokenizer.
  const auto dir = test::make_temp_dir("clip_tok");
  std::ofstream(dir + "/merges.txt") << kTinyMerges;
  CHECK(ClipTokenizer::from_file(dir + "/merges.txt").encode("walking walk") ==
        std::vector<int>{512, byte_id('l'), byte_id('k'), 516, 514});
}

TEST_CASE("clip tokenizer: every golden case of OpenAI's tokenizer", "[text][clip][shared]") {
  IMU2CLIP_REQUIRE_SHARED(clip_dir, "clip");
  const auto t = ClipTokenizer::from_file(clip_dir + "/bpe_simple_vocab_16e6.txt.gz");
  CHECK(t.vocab_size() == 49408);
  CHECK(t.start_id() == 49406);
  CHECK(t.end_id() == 49407);
  std::ifstream cases(clip_dir + "/clip_tokenizer_cases.jsonl");
  REQUIRE(cases);
  std::string line;
  int n = 0;
  while (std::getline(cases, line)) {
    if (line.empty()) continue;
    const auto c = nlohmann::json::parse(line);
    const auto text = c.at("text").get<std::string>();
    INFO("text: " << text);
    CHECK(t.encode(text) == c.at("ids").get<std::vector<int>>());
    CHECK(t.encode_with_special(text) == c.at("with_special").get<std::vector<int>>());
    ++n;
  }
  CHECK(n >= 30);
}
