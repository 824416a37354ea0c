// GET /v1/search?q=&k=&from=&to=: the user's windows ranked by similarity to a text query,
// through the served bundle's own text tower (tagger/search/window_search.h). Only the
// requesting user's windows are searched.
#include <memory>

#include <nlohmann/json.hpp>

#include "common/time/time_zone.h"
#include "services/server/request_parsing.h"
#include "services/server/router.h"
#include "tagger/model/text_towers.h"
#include "tagger/search/window_search.h"
#include "tagger/text/text_tower.h"

namespace imu2clip::server {
namespace {

constexpr size_t kMaxQueryChars = 500;
constexpr int64_t kMaxK = 100;

nlohmann::json hit_json(const SearchHit& hit, const std::string& tz) {
  const WindowDetails& w = hit.window;
  nlohmann::json out = {{"score", hit.score},
                        {"window_id", w.window_id},
                        {"recording_id", w.recording_id},
                        {"modality", w.modality},
                        {"offset_s", w.start_s},
                        {"end_offset_s", w.end_s},
                        {"label", w.top_label},
                        {"log_line", w.log_line}};
  if (w.start_utc_ms) {
    out["start"] = format_iso8601(*w.start_utc_ms, tz);
    out["end"] = format_iso8601(*w.end_utc_ms, tz);
    out["start_utc_ms"] = *w.start_utc_ms;
    out["end_utc_ms"] = *w.end_utc_ms;
  } else {
    out["start"] = nullptr;
    out["end"] = nullptr;
  }
  return out;
}

void search(Call& call, WindowSearch& searcher) {
  const std::string tz = parse_tz_param(call.query("tz"), call.user.tz);
  SearchQuery query;
  const auto q = call.query("q");
  if (!q || q->find_first_not_of(" \t\r\n") == std::string::npos) {
    throw bad_request("'q' is required: the text to search for, e.g. ?q=jumping", "q");
  }
  if (q->size() > kMaxQueryChars) {
    throw bad_request("'q' has at most " + std::to_string(kMaxQueryChars) + " characters", "q");
  }
  query.text = *q;
  if (auto k = call.query("k")) {
    const int64_t value = parse_id_text(*k, "k");
    if (value > kMaxK) throw bad_request("'k' is 1 to " + std::to_string(kMaxK), "k");
    query.k = static_cast<int>(value);
  }
  if (auto from = call.query("from")) query.range.from_utc_ms = parse_instant_text(*from, "from", tz);
  if (auto to = call.query("to")) query.range.to_utc_ms = parse_instant_text(*to, "to", tz);
  if (query.range.from_utc_ms && query.range.to_utc_ms && *query.range.from_utc_ms >= *query.range.to_utc_ms) {
    throw bad_request("'from' must be before 'to'", "from");
  }
  SearchResult result;
  {
    auto store = call.state.stores->borrow();
    result = searcher.search(*store, call.user.id, query);
  }
  nlohmann::json hits = nlohmann::json::array();
  for (const auto& hit : result.hits) hits.push_back(hit_json(hit, tz));
  call.send_json(200, {{"query", query.text},
                       {"k", query.k},
                       {"tz", tz},
                       {"text_tower", searcher.tower().id()},
                       {"models", result.models},
                       {"method", result.method},
                       {"searched_windows", result.vectors},
                       {"results", std::move(hits)}});
}

}  // namespace

void add_search_routes(Router& router) {
  const ServerOptions& o = router.state().options;
  std::vector<std::shared_ptr<const ModelBundle>> bundles = {o.bundle};
  if (o.audio_bundle) bundles.push_back(o.audio_bundle);
  WindowSearchOptions options;
  options.make_tower = build_text_tower;  // a CLIP bundle's queries go through its TorchScript tower
  auto searcher = std::make_shared<WindowSearch>(bundles, options);
  router.add({"GET", "/v1/search", "/v1/search"}, [searcher](Call& call) { search(call, *searcher); });
}

}  // namespace imu2clip::server
