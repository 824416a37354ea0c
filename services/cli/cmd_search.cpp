// imu2clip search: a user's windows ranked by similarity to a text query (the CLI face of
// GET /v1/search), through the model's own text tower.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <limits>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/time/instant.h"
#include "common/time/time_zone.h"
#include "services/cli/commands.h"
#include "services/cli/model_resolver.h"
#include "storage/log_store.h"
#include "tagger/model/text_towers.h"
#include "tagger/search/window_search.h"

namespace imu2clip::cli {

Runner add_search_command(CLI::App& app) {
  struct Args {
    std::string db, user = "local", model, audio_model, from, to, query;
    int k = 10;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "search", "Find a user's windows whose motion (or sound) matches a text, e.g. 'jumping' (stored embeddings, "
                "ranked by cosine through the model's text tower)");
  cmd->add_option("--db", a->db, "SQLite database")->required()->check(CLI::ExistingFile);
  cmd->add_option("--user", a->user, "Whose windows");
  cmd->add_option("--model", a->model, "Model bundle whose windows and text tower to use; default as for 'tag'");
  cmd->add_option("--audio-model", a->audio_model,
                  "Audio bundle whose windows are searched too (same text tower); default as for 'serve'");
  cmd->add_option("-k", a->k, "How many windows")->check(CLI::Range(1, 100));
  cmd->add_option("--from", a->from, "Only windows after this instant (ISO-8601, local time of the user, or epoch ms)");
  cmd->add_option("--to", a->to, "Only windows before this instant");
  cmd->add_flag("--json", a->json, "Print the same JSON object as GET /v1/search");
  cmd->add_option("QUERY", a->query, "What to look for")->required();
  return [a] {
    LogStore store(a->db);
    auto user = store.users().find(a->user);
    if (!user) throw Error(ErrorKind::NotFound, "no user '" + a->user + "' in the database", ErrorContext{a->db, 0, "user"});
    std::vector<std::shared_ptr<const ModelBundle>> bundles;
    bundles.push_back(std::make_shared<const ModelBundle>(resolve_model(a->model).bundle));
    try {
      auto audio = std::make_shared<const ModelBundle>(resolve_audio_model(a->audio_model).bundle);
      // Sounds are searched with the same query only when they live in the same text space.
      if (audio->text_tower_id == bundles.front()->text_tower_id &&
          audio->text_tower_params == bundles.front()->text_tower_params) {
        bundles.push_back(std::move(audio));
      } else if (!a->audio_model.empty()) {
        throw Error(ErrorKind::InvalidInput,
                    "the audio model uses text tower " + audio->text_tower_id + ", the model " +
                        bundles.front()->text_tower_id + "; their windows cannot be ranked by one query",
                    ErrorContext{a->audio_model, 0, "audio-model"});
      }
    } catch (const Error& e) {
      if (!a->audio_model.empty()) throw;
      spdlog::debug("search: no audio model ({})", e.message());
    }
    // One query per process: an exact scan costs less than building an index to use once.
    WindowSearchOptions options;
    options.make_tower = build_text_tower;
    options.min_indexed = std::numeric_limits<int64_t>::max();
    WindowSearch searcher(bundles, options);
    SearchQuery query;
    query.text = a->query;
    query.k = a->k;
    if (!a->from.empty()) query.range.from_utc_ms = parse_instant_utc_ms(a->from, EpochUnit::Milliseconds, user->tz, "from");
    if (!a->to.empty()) query.range.to_utc_ms = parse_instant_utc_ms(a->to, EpochUnit::Milliseconds, user->tz, "to");
    const SearchResult result = searcher.search(store, user->id, query);
    if (a->json) {
      nlohmann::json hits = nlohmann::json::array();
      for (const auto& h : result.hits) {
        const auto& w = h.window;
        hits.push_back({{"score", h.score}, {"window_id", w.window_id}, {"recording_id", w.recording_id},
                        {"modality", w.modality}, {"offset_s", w.start_s}, {"end_offset_s", w.end_s},
                        {"start", w.start_utc_ms ? nlohmann::json(format_iso8601(*w.start_utc_ms, user->tz)) : nullptr},
                        {"label", w.top_label}, {"log_line", w.log_line}});
      }
      std::printf("%s\n", nlohmann::json({{"query", query.text}, {"k", query.k}, {"method", result.method},
                                          {"models", result.models}, {"searched_windows", result.vectors},
                                          {"results", hits}})
                              .dump()
                              .c_str());
      return 0;
    }
    if (result.hits.empty()) {
      std::printf("no windows of user '%s' have stored embeddings of model %s\n", a->user.c_str(),
                  result.models.empty() ? "?" : result.models.front().c_str());
      return 0;
    }
    for (const auto& h : result.hits) {
      const auto& w = h.window;
      const std::string when = w.start_utc_ms ? format_local_datetime(*w.start_utc_ms, user->tz)
                                              : "recording " + std::to_string(w.recording_id) + " +" +
                                                    std::to_string(static_cast<int64_t>(w.start_s)) + " s";
      std::printf("%.3f  %s  %-5s  %s\n", h.score, when.c_str(), w.modality.c_str(),
                  w.log_line.empty() ? w.top_label.c_str() : w.log_line.c_str());
    }
    return 0;
  };
}

}  // namespace imu2clip::cli
