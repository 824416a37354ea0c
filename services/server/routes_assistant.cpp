// Questions about the log: POST /v1/ask (JSON or SSE), the OpenAI-compatible
// POST /v1/chat/completions (plain or streamed) and GET /v1/models.
#include <functional>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "common/time/time_zone.h"
#include "services/server/api_token.h"
#include "services/server/openai_compat.h"
#include "services/server/request_parsing.h"
#include "services/server/router.h"

namespace imu2clip::server {
namespace {

constexpr size_t kMaxQuestionChars = 4000;

AskRequest parse_ask_request(const nlohmann::json& body, const UserRow& user, bool* stream) {
  AskRequest request;
  auto question = optional_string(body, "question", kMaxQuestionChars);
  if (!question) throw bad_request("missing 'question'", "question");
  if (trim_view(*question).empty())
    throw bad_request("'question' is blank", "question");
  request.question = *question;
  request.tz = optional_string(body, "tz", 64).value_or(user.tz);
  if (!is_valid_time_zone(request.tz))
    throw bad_request("'tz' is not an IANA time zone such as Europe/Berlin: '" + request.tz + "'", "tz");
  request.as_of_utc_ms = body.contains("as_of") && !body["as_of"].is_null()
                             ? parse_instant(body["as_of"], "as_of", request.tz)
                             : now_utc_ms();
  // The period the user is looking at (e.g. the day or week on screen): a question naming no
  // time is about it.
  const bool has_from = body.contains("focus_from") && !body["focus_from"].is_null();
  const bool has_to = body.contains("focus_to") && !body["focus_to"].is_null();
  if (has_from != has_to) throw bad_request("give both 'focus_from' and 'focus_to', or neither", has_from ? "focus_to" : "focus_from");
  if (has_from) {
    request.focus_from_utc_ms = parse_instant(body["focus_from"], "focus_from", request.tz);
    request.focus_to_utc_ms = parse_instant(body["focus_to"], "focus_to", request.tz);
    if (request.focus_to_utc_ms <= request.focus_from_utc_ms)
      throw bad_request("'focus_to' must be after 'focus_from'", "focus_to");
  }
  *stream = optional_bool(body, "stream").value_or(false);
  return request;
}

void count_llm(ServerState& state, const AskResult& result) {
  if (result.llm.used || !result.llm.error.empty()) state.metrics.count_llm_call(!result.llm.error.empty());
}

// Writes one server-sent event; false once the client has gone.
using Emit = std::function<bool(const nlohmann::json&)>;

// Answers with a text/event-stream whose events `produce` emits. Headers are gone by the time
// it runs, so an exception travels as an error event; the stream always ends with [DONE].
void stream_events(Call& call, std::function<void(const Emit&)> produce) {
  call.res.status = 200;
  call.res.set_header("Cache-Control", "no-cache");
  call.res.set_header("X-Accel-Buffering", "no");
  const std::string request_id = request_scope().id;
  call.res.set_chunked_content_provider(
      "text/event-stream", [produce = std::move(produce), request_id](size_t, httplib::DataSink& sink) {
        bool connected = true;
        auto write = [&](const std::string& text) {
          connected = connected && sink.write(text.data(), text.size());
          return connected;
        };
        const Emit emit = [&](const nlohmann::json& event) { return write(sse_event(event)); };
        try {
          produce(emit);
        } catch (...) {
          emit(error_json(http_error_from_exception(std::current_exception(), request_id)));
        }
        write(sse_done());
        sink.done();
        return true;
      });
}

// A slot for one assistant call, held until its answer (or stream) ends. An LLM call can hold a
// worker thread for minutes; without a cap, questions alone could take every thread and leave
// none for ingest. Full: 429, try again shortly.
std::shared_ptr<void> take_ask_slot(ServerState& state) {
  const int threads = std::max(1, state.options.threads);
  const int cap = state.options.max_concurrent_asks > 0 ? state.options.max_concurrent_asks : std::max(1, threads - 2);
  if (state.asks_running.fetch_add(1) >= cap) {
    --state.asks_running;
    throw HttpError(429, "rate_limit_error", "server_busy",
                    "the server is answering " + std::to_string(cap) + " questions already; retry in a few seconds");
  }
  return std::shared_ptr<void>(nullptr, [&state](void*) { --state.asks_running; });
}

void ask(Call& call) {
  bool stream = false;
  const AskRequest request = parse_ask_request(parse_json_object(call.body), call.user, &stream);
  auto slot = take_ask_slot(call.state);
  ServerState* state = &call.state;
  const int64_t user_id = call.user.id;
  if (!stream) {
    const AskResult result = state->assistant->ask(user_id, request);
    count_llm(*state, result);
    call.send_json(200, ask_result_json(result));
    return;
  }
  stream_events(call, [state, user_id, request, slot](const Emit& emit) {
    const AskResult result = state->assistant->ask(
        user_id, request, [&](const std::string& piece) { return emit({{"delta", piece}}); });
    count_llm(*state, result);
    nlohmann::json done = ask_result_json(result);
    done["done"] = true;
    emit(done);
  });
}

std::string completion_id() { return "chatcmpl-" + generate_api_token().substr(4, 24); }

void chat_completions(Call& call) {
  const ChatCompletionRequest chat = parse_chat_completion_request(parse_json_object(call.body));
  auto slot = take_ask_slot(call.state);
  const AskRequest request{chat.question, now_utc_ms(), call.user.tz};
  ServerState* state = &call.state;
  const int64_t user_id = call.user.id;
  const std::string id = completion_id();
  const int64_t created = request.as_of_utc_ms / 1000;
  if (!chat.stream) {
    const AskResult result = state->assistant->ask(user_id, request);
    count_llm(*state, result);
    call.send_json(200, chat_completion_json(id, created, result));
    return;
  }
  stream_events(call, [state, user_id, request, id, created, slot](const Emit& emit) {
    if (!emit(chat_completion_chunk(id, created, "", true))) return;
    bool sent_content = false;
    const AskResult result = state->assistant->ask(user_id, request, [&](const std::string& piece) {
      if (piece.empty()) return true;
      sent_content = true;
      return emit(chat_completion_chunk(id, created, piece));
    });
    count_llm(*state, result);
    if (!sent_content && !result.answer.empty() && !emit(chat_completion_chunk(id, created, result.answer))) return;
    emit(chat_completion_chunk(id, created, "", false, true));
  });
}

}  // namespace

void add_assistant_routes(Router& router) {
  const ServerOptions& o = router.state().options;
  router.add({"POST", "/v1/ask", "/v1/ask", true, BodyMode::Buffered, o.max_json_bytes}, ask);
  router.add({"POST", "/v1/chat/completions", "/v1/chat/completions", true, BodyMode::Buffered, o.max_json_bytes},
             chat_completions);
  const int64_t started_s = now_utc_ms() / 1000;
  router.add({"GET", "/v1/models", "/v1/models"}, [started_s](Call& call) { call.send_json(200, models_json(started_s)); });
}

}  // namespace imu2clip::server
