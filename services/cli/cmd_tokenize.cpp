// imu2clip tokenize: CLIP's BPE token ids of texts (tagger/text/clip_tokenizer.h), to check a vocabulary
// file against Python's clip.tokenize or to see how a label splits. With --bench, strings/s instead.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/error.h"
#include "services/cli/commands.h"
#include "tagger/text/clip_tokenizer.h"

namespace imu2clip::cli {
namespace {

struct TokenizeArgs {
  std::string vocab;
  std::vector<std::string> texts;
  bool json = false, bench = false;
  int repeats = 5, strings = 20000;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Label- and narration-like strings, all distinct so nothing is cached anywhere.
std::vector<std::string> bench_strings(int n) {
  static const char* kPhrases[] = {"a person walking upstairs", "C opens the fridge and takes out the milk",
                                   "riding a bike in the park", "I'm cooking pasta!", "brushing teeth",
                                   "Typing on a laptop keyboard", "café naïve résumé", "numbers 123 4567 89"};
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back(std::string(kPhrases[i % 8]) + " " + std::to_string(i));
  return out;
}

int run_bench(const TokenizeArgs& a) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto tokenizer = ClipTokenizer::from_file(a.vocab);
  const double load_s = seconds_since(t0);
  const auto strings = a.texts.empty() ? bench_strings(a.strings) : a.texts;
  std::vector<double> rates;
  size_t ids = 0;
  for (int rep = 0; rep < a.repeats; ++rep) {
    ids = 0;
    const auto t1 = std::chrono::steady_clock::now();
    for (const auto& s : strings) ids += tokenizer.encode_with_special(s).size();
    rates.push_back(double(strings.size()) / seconds_since(t1));
  }
  std::sort(rates.begin(), rates.end());
  const double median = rates[rates.size() / 2];
  if (a.json) {
    const nlohmann::json j = {{"strings", strings.size()}, {"runs", rates.size()}, {"strings_per_s_median", median},
                              {"strings_per_s_min", rates.front()}, {"strings_per_s_max", rates.back()},
                              {"ids_per_run", ids}, {"vocab_load_s", load_s}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("clip tokenizer: median %.0f strings/s over %zu runs of %zu strings, one thread (min %.0f, max %.0f);"
                " vocabulary loaded in %.3f s\n",
                median, rates.size(), strings.size(), rates.front(), rates.back(), load_s);
  }
  return 0;
}

int run_tokenize(const TokenizeArgs& a) {
  if (a.bench) return run_bench(a);
  if (a.texts.empty()) throw Error(ErrorKind::InvalidInput, "give at least one TEXT to tokenize", ErrorContext{"", 0, "TEXT"});
  const auto tokenizer = ClipTokenizer::from_file(a.vocab);
  for (const auto& text : a.texts) {
    const auto ids = tokenizer.encode(text);
    if (a.json) {
      const nlohmann::ordered_json j = {{"text", text}, {"ids", ids}};
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      continue;
    }
    std::printf("%s\n", text.c_str());
    std::printf("  %zu tokens (%zu of %d fit the text tower's context with the start and end tokens)\n", ids.size(),
                std::min<size_t>(ids.size(), ClipTokenizer::kContextLength - 2), ClipTokenizer::kContextLength);
    for (int id : ids) std::printf("  %6d  %s\n", id, tokenizer.token_text(id).c_str());
  }
  return 0;
}

}  // namespace

Runner add_tokenize_command(CLI::App& app) {
  auto a = std::make_shared<TokenizeArgs>();
  auto* cmd = app.add_subcommand("tokenize", "CLIP BPE token ids of texts (as OpenAI's clip.tokenize, without the special tokens)");
  cmd->add_option("--vocab", a->vocab, "CLIP's merges file, bpe_simple_vocab_16e6.txt.gz (gzip or plain)")->required();
  cmd->add_flag("--json", a->json, "One JSON object per text: {\"text\": ..., \"ids\": [...]}");
  cmd->add_flag("--bench", a->bench, "Measure strings/s (one thread) on the TEXTs or on built-in phrases");
  cmd->add_option("--bench-strings", a->strings, "Built-in phrases per --bench run")->check(CLI::Range(1, 10000000));
  cmd->add_option("--repeats", a->repeats, "--bench runs; the median is reported")->check(CLI::Range(1, 100));
  cmd->add_option("TEXT", a->texts, "Texts to tokenize");
  return [a] { return run_tokenize(*a); };
}

}  // namespace imu2clip::cli
