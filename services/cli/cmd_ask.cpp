// imu2clip ask: answer a question about a user's log, with the built-in grounded answerer or
// an OpenAI-compatible LLM (falling back to the built-in answer when it fails).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "assistant/assistant.h"
#include "common/error.h"
#include "common/strings.h"
#include "common/time/instant.h"
#include "common/time/time_zone.h"
#include "services/cli/commands.h"
#include "services/cli/llm_flags.h"
#include "storage/log_store.h"

namespace imu2clip::cli {
namespace {

// "2015-08-20T23:59:59" (read in `tz`), with an offset, or epoch milliseconds, as --help says.
int64_t parse_instant(const std::string& text, const std::string& tz, const std::string& option) {
  return parse_instant_utc_ms(text, EpochUnit::Milliseconds, tz, option);
}

}  // namespace

Runner add_ask_command(CLI::App& app) {
  struct Args {
    std::string db, user = "local", question, as_of, tz, focus_from, focus_to;
    std::string prompts, batch;
    LlmFlags llm;
    bool json = false;
    double episode_gap_min = 5;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("ask", "Answer a question about a user's log (\"How long did I walk today?\")");
  cmd->add_option("--db", a->db, "SQLite database")->required()->check(CLI::ExistingFile);
  cmd->add_option("--user", a->user, "Whose log");
  cmd->add_option("--as-of", a->as_of, "The question's \"now\": ISO-8601 (local to --tz without an offset) or epoch ms; default: now");
  cmd->add_option("--tz", a->tz, "IANA zone that \"today\", \"3pm\" refer to (default: the user's)");
  cmd->add_option("--focus-from", a->focus_from, "Start of the period being looked at (ISO-8601 or epoch ms); questions naming no time are about it");
  cmd->add_option("--focus-to", a->focus_to, "End (exclusive) of that period");
  cmd->add_option("--llm-url", a->llm.url, "OpenAI-compatible server, e.g. http://127.0.0.1:8080 (default: built-in answerer only)");
  cmd->add_option("--llm-model", a->llm.model, "Model name to request");
  cmd->add_option("--llm-api-key-env", a->llm.api_key_env, "Environment variable holding the API key");
  cmd->add_option("--prompts", a->prompts, "Folder with prompt templates (default: the built-in ones)");
  cmd->add_option("--episode-gap-min", a->episode_gap_min,
                  "Entries of one activity closer than this many minutes count as one episode (default 5)")
      ->check(CLI::Range(0.0, 24.0 * 60));
  cmd->add_flag("--json", a->json, "Print {answer, evidence, facts, understood, llm} as JSON");
  cmd->add_option("--batch", a->batch,
                  "Answer many questions: a JSONL file (- = stdin) of {\"id\", \"question\", \"as_of\"?, \"focus_from\"?, "
                  "\"focus_to\"?}; prints one JSON result per line");
  cmd->add_option("QUESTION", a->question, "The question");
  return [a] {
    std::optional<UserRow> user;
    {
      LogStore store(a->db);
      user = store.users().find(a->user);
    }
    if (!user) {
      throw Error(ErrorKind::NotFound, "no user '" + a->user + "' in " + a->db +
                                           "; import a log first (imu2clip logs import --user NAME FILE.jsonl)");
    }
    std::string tz = a->tz.empty() ? user->tz : a->tz;
    validate_time_zone(tz);
    if (a->batch.empty() && a->question.empty()) {
      throw Error(ErrorKind::InvalidInput, "give a QUESTION (or --batch FILE)", ErrorContext{"", 0, "QUESTION"});
    }
    auto make_request = [&](const std::string& question, const std::string& as_of, const std::string& focus_from,
                            const std::string& focus_to) {
      AskRequest request;
      request.question = question;
      request.tz = tz;
      request.as_of_utc_ms = as_of.empty() ? now_utc_ms() : parse_instant(as_of, tz, "--as-of");
      if (!focus_from.empty() || !focus_to.empty()) {
        if (focus_from.empty() || focus_to.empty()) {
          throw Error(ErrorKind::InvalidInput, "give both --focus-from and --focus-to", ErrorContext{"", 0, "--focus-to"});
        }
        request.focus_from_utc_ms = parse_instant(focus_from, tz, "--focus-from");
        request.focus_to_utc_ms = parse_instant(focus_to, tz, "--focus-to");
        if (request.focus_to_utc_ms <= request.focus_from_utc_ms) {
          throw Error(ErrorKind::InvalidInput, "--focus-to must be after --focus-from", ErrorContext{"", 0, "--focus-to"});
        }
      }
      return request;
    };
    const std::optional<llm::ClientOptions> llm = llm_client_options(a->llm);
    AssistantOptions options;
    options.episode_gap_ms = static_cast<int64_t>(a->episode_gap_min * 60000.0);
    Assistant assistant(a->db, llm, a->prompts, options);
    auto to_json = [](const AskResult& r) {
      return nlohmann::json{{"answer", r.answer},
                            {"evidence", r.evidence},
                            {"facts", r.facts},
                            {"understood", r.understood},
                            {"llm", {{"used", r.llm.used}, {"model", r.llm.model}, {"error", r.llm.error}}}};
    };
    if (!a->batch.empty()) {
      std::ifstream file;
      std::istream* in = &std::cin;
      if (a->batch != "-") {
        file.open(a->batch);
        if (!file) throw Error(ErrorKind::NotFound, "cannot open the batch file", ErrorContext{a->batch, 0, ""});
        in = &file;
      }
      std::string line;
      int64_t line_no = 0;
      while (std::getline(*in, line)) {
        ++line_no;
        if (trim_view(line).empty()) continue;
        nlohmann::json q;
        try {
          q = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error& e) {
          throw Error(ErrorKind::InvalidInput, std::string("not valid JSON: ") + e.what(), ErrorContext{a->batch, line_no, ""});
        }
        if (!q.is_object() || !q.contains("question") || !q["question"].is_string()) {
          throw Error(ErrorKind::InvalidInput, "each line needs a \"question\" string", ErrorContext{a->batch, line_no, "question"});
        }
        auto field = [&](const char* key, const std::string& fallback) {
          return q.contains(key) && q[key].is_string() ? q[key].get<std::string>() : fallback;
        };
        nlohmann::json out;
        try {
          AskResult r = assistant.ask(user->id, make_request(q["question"], field("as_of", a->as_of), field("focus_from", a->focus_from),
                                                    field("focus_to", a->focus_to)));
          out = to_json(r);
        } catch (const Error& e) {
          out = {{"error", e.what()}};
        }
        if (q.contains("id")) out["id"] = q["id"];
        std::printf("%s\n", out.dump().c_str());
      }
      return 0;
    }
    AskRequest request = make_request(a->question, a->as_of, a->focus_from, a->focus_to);
    bool stream = !a->json;
    AskResult r = assistant.ask(user->id, request, [&](const std::string& delta) {
      if (stream) {
        std::fwrite(delta.data(), 1, delta.size(), stdout);
        std::fflush(stdout);
      }
      return true;
    });
    if (a->json) {
      std::printf("%s\n", to_json(r).dump().c_str());
      return 0;
    }
    std::printf("\n");
    if (!r.evidence.empty()) {
      std::printf("\nEvidence:\n");
      for (const auto& line : r.evidence) std::printf("  %s\n", line.c_str());
    }
    if (!r.llm.error.empty()) std::fprintf(stderr, "note: LLM error: %s\n", r.llm.error.c_str());
    return 0;
  };
}

}  // namespace imu2clip::cli
