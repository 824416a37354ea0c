// Forgetting: DELETE /v1/recordings/{id}, DELETE /v1/logs?from=&to= and DELETE /v1/me. A user
// deletes only their own data; another user's recording id answers 404 like an unknown one, so
// ids leak nothing. The store overwrites what it deletes (secure_delete, storage/sqlite_db.cpp).
#include <nlohmann/json.hpp>

#include <functional>

#include "services/server/request_parsing.h"
#include "services/server/router.h"
#include "services/server/user_accounts.h"

namespace imu2clip::server {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
// As for GET /v1/logs: a mistyped year should not wipe a decade.
constexpr int64_t kMaxEraseSpanMs = 400 * kDayMs;
constexpr size_t kMaxConfirmBodyBytes = 4096;

// Runs a delete while nothing tagged before it can be written back after it: the user's uploads
// submitted so far finish first (and are deleted with the rest), and the live taggers wait between
// passes and then reload their sessions from the database (tagger/live: run_exclusive).
void erase_exclusively(ServerState& state, int64_t user_id, const std::function<void()>& erase) {
  state.jobs->run_exclusive(user_id, [&] {
    state.live->run_exclusive([&] {
      if (state.live_audio) {
        state.live_audio->run_exclusive(erase);
      } else {
        erase();
      }
    });
  });
}

nlohmann::json counts_json(const ErasedCounts& counts) {
  return {{"recordings", counts.recordings}, {"log_lines", counts.log_lines}, {"windows", counts.windows}};
}

void delete_recording(Call& call) {
  const int64_t id = parse_id_text(call.req.matches[1], "id");
  std::optional<ErasedCounts> counts;
  erase_exclusively(call.state, call.user.id, [&] {
    auto store = call.state.stores->borrow();
    counts = store->erasure().remove_recording(call.user.id, id);
  });
  if (!counts) throw not_found("no recording " + std::to_string(id));
  call.send_json(200, counts_json(*counts));
}

void delete_logs(Call& call) {
  const std::string tz = parse_tz_param(call.query("tz"), call.user.tz);
  const auto from_text = call.query("from");
  const auto to_text = call.query("to");
  // No defaults, unlike GET: deleting needs the period spelled out.
  if (!from_text) throw bad_request("'from' is required: the start of the period to delete", "from");
  if (!to_text) throw bad_request("'to' is required: the end of the period to delete", "to");
  const int64_t from = parse_instant_text(*from_text, "from", tz);
  const int64_t to = parse_instant_text(*to_text, "to", tz);
  if (from >= to) throw bad_request("'from' must be before 'to'", "from");
  if (to - from > kMaxEraseSpanMs) throw bad_request("delete at most 400 days at a time", "from");
  ErasedCounts counts;
  erase_exclusively(call.state, call.user.id, [&] {
    auto store = call.state.stores->borrow();
    counts = store->erasure().remove_between(call.user.id, from, to);
  });
  call.send_json(200, counts_json(counts));
}

void delete_me(Call& call) {
  // Typing one's own name guards against a stray request wiping a whole life log.
  const auto refuse = [] {
    return bad_request("to delete your account and all its data send {\"confirm\": \"<your user name>\"}", "confirm");
  };
  if (call.body.empty()) throw refuse();
  const auto confirm = optional_string(parse_json_object(call.body), "confirm", 200);
  if (!confirm || *confirm != call.user.name) throw refuse();
  erase_exclusively(call.state, call.user.id, [&] {
    auto store = call.state.stores->borrow();
    delete_user(*store, call.user.name);
  });
  call.send_json(200, {{"deleted", call.user.name}});
}

}  // namespace

void add_erasure_routes(Router& router) {
  router.add({"DELETE", R"(/v1/recordings/([^/]+))", "/v1/recordings/{id}"}, delete_recording);
  router.add({"DELETE", "/v1/logs", "/v1/logs"}, delete_logs);
  router.add({"DELETE", "/v1/me", "/v1/me", true, BodyMode::Buffered, kMaxConfirmBodyBytes}, delete_me);
}

}  // namespace imu2clip::server
