#include "assistant/assistant.h"

#include <spdlog/spdlog.h>

#include <map>
#include <mutex>

#include "assistant/executor.h"
#include "assistant/llm_context.h"
#include "assistant/log_view.h"
#include "assistant/planner.h"
#include "assistant/vocabulary.h"
#include "common/error.h"
#include "common/strings.h"
#include "common/time/time_zone.h"
#include "prompts/prompt_templates.h"
#include "storage/log_store.h"
#include "storage/store_pool.h"

namespace imu2clip {
namespace {

using namespace assistant;

// Entries that start this long before the scope can still reach into it.
constexpr int64_t kLookBackMs = 60 * 60 * 1000;
constexpr size_t kCharsPerToken = 4;

AskResult to_result(const BuiltinAnswer& b) {
  AskResult r;
  r.answer = b.text;
  r.evidence = b.evidence;
  r.facts = b.facts;
  r.understood = b.understood;
  return r;
}


}  // namespace

struct Assistant::Impl {
  std::shared_ptr<StorePool> stores;  // one connection per concurrent ask
  std::optional<llm::ClientOptions> llm;
  prompts::PromptTemplates templates;
  AssistantOptions options;

  std::mutex vocabulary_mutex;
  struct CachedVocabulary {
    int64_t stamp = -1;  // MAX(log_entries.id) when read: any insert invalidates
    std::shared_ptr<const Vocabulary> vocabulary;
  };
  std::map<int64_t, CachedVocabulary> vocabularies;

  std::shared_ptr<const Vocabulary> vocabulary(LogStore& store, int64_t user_id) {
    int64_t stamp = store.log().last_id();
    {
      std::lock_guard<std::mutex> lock(vocabulary_mutex);
      auto it = vocabularies.find(user_id);
      if (it != vocabularies.end() && it->second.stamp == stamp) return it->second.vocabulary;
    }
    auto v = std::make_shared<const Vocabulary>(store.log().distinct_texts(user_id),
                                                store.log().texts_only_of_modality(user_id, kAudioModality));
    std::lock_guard<std::mutex> lock(vocabulary_mutex);
    vocabularies[user_id] = {stamp, v};
    return v;
  }

  struct Prepared {
    std::string tz;
    std::string user;
    int64_t as_of = 0;
    QueryPlan question;  // the question read as a plan
    std::unique_ptr<LogView> view;
    BuiltinAnswer builtin;
  };

  Prepared prepare(int64_t user_id, const AskRequest& request) {
    if (trim_view(request.question).empty()) {
      throw Error(ErrorKind::InvalidInput, "the question is empty; ask e.g. \"How long did I walk today?\"",
                  ErrorContext{"", 0, "question"});
    }
    if (request.question.size() > 2000) {
      throw Error(ErrorKind::InvalidInput, "the question is longer than 2000 characters; ask a shorter one",
                  ErrorContext{"", 0, "question"});
    }
    auto lease = stores->borrow();
    LogStore& store = *lease;
    UserRow user = store.users().get(user_id);
    Prepared p;
    p.user = user.name;
    p.tz = request.tz.empty() ? user.tz : request.tz;
    validate_time_zone(p.tz);
    p.as_of = request.as_of_utc_ms != 0 ? request.as_of_utc_ms : now_utc_ms();
    ScopeContext ctx{p.as_of, p.tz, request.focus_from_utc_ms, request.focus_to_utc_ms, {}};
    ctx.has_data = [&store, user_id](int64_t from, int64_t to) {
      return store.log().any_between(user_id, from, to);
    };
    auto vocab = vocabulary(store, user_id);
    p.question = plan_question(request.question, *vocab, ctx);
    auto entries = store.log().between(user_id, p.question.scope.from_utc_ms() - kLookBackMs,
                                       p.question.scope.to_utc_ms());
    p.view = std::make_unique<LogView>(std::move(entries), p.question.scope, options.episode_gap_ms);
    AnswerOptions answer_options;
    answer_options.episode_gap_ms = options.episode_gap_ms;
    answer_options.max_evidence = options.max_evidence;
    p.builtin = execute_plan(p.question, *p.view, p.tz, answer_options);
    return p;
  }

  std::vector<llm::Message> messages(const Prepared& p) const {
    LogContext log = build_log_context(*p.view, p.tz, options.context_budget_tokens * kCharsPerToken);
    prompts::Values values = {
        {"tz", p.tz},
        {"now", format_iso8601(p.as_of, p.tz)},
        {"user", p.user},
        {"scope", p.question.scope.description},
        {"log_note", log.note},
        {"log_lines", log.text},
        {"facts", p.builtin.facts.dump(1)},
        {"question", p.question.question},
        {"draft_answer", p.builtin.understood ? p.builtin.text
                                              : std::string("(none: the rule-based answerer could not read this question)")},
    };
    std::string user_message = templates.render("context", values) + "\n" + templates.render("question", values);
    return {{"system", templates.render("system", values)}, {"user", user_message}};
  }
};

Assistant::Assistant(std::string db_path, std::optional<llm::ClientOptions> llm, std::string prompts_dir)
    : Assistant(std::move(db_path), std::move(llm), std::move(prompts_dir), AssistantOptions{}) {}

Assistant::Assistant(std::string db_path, std::optional<llm::ClientOptions> llm, std::string prompts_dir,
                     AssistantOptions options)
    : Assistant(std::make_shared<StorePool>(std::move(db_path)), std::move(llm), std::move(prompts_dir),
                options) {}

Assistant::Assistant(std::shared_ptr<StorePool> stores, std::optional<llm::ClientOptions> llm,
                     std::string prompts_dir, AssistantOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->stores = std::move(stores);
  impl_->llm = std::move(llm);
  impl_->templates = prompts::PromptTemplates::load(prompts_dir);
  impl_->options = options;
  for (const char* name : {"system", "context", "question"}) impl_->templates.text(name);  // fail at start
  impl_->stores->borrow();  // opens (and migrates) the database now, so a bad path fails at start
}

Assistant::~Assistant() = default;

std::vector<llm::Message> Assistant::prompt_for(int64_t user_id, const AskRequest& request) {
  return impl_->messages(impl_->prepare(user_id, request));
}

AskResult Assistant::ask(int64_t user_id, const AskRequest& request,
                         const std::function<bool(const std::string&)>& on_delta) {
  Impl::Prepared p = impl_->prepare(user_id, request);
  AskResult result = to_result(p.builtin);
  if (!impl_->llm) {
    if (on_delta) on_delta(result.answer);
    return result;
  }

  llm::ChatRequest chat;
  chat.messages = impl_->messages(p);
  chat.temperature = impl_->options.temperature;
  chat.max_tokens = impl_->options.max_tokens;
  std::string streamed;
  bool caller_stopped = false;
  try {
    llm::OpenAiClient client(*impl_->llm);
    llm::ChatResult reply = client.chat_stream(chat, [&](const std::string& delta) {
      streamed += delta;
      if (on_delta && !on_delta(delta)) {
        caller_stopped = true;
        return false;
      }
      return true;
    });
    result.answer = reply.content.empty() ? streamed : reply.content;
    result.llm.used = true;
    result.llm.model = reply.model.empty() ? impl_->llm->model : reply.model;
    return result;
  } catch (const std::exception& e) {
    spdlog::warn("language model call failed: {}", e.what());
    result.llm.error = llm::public_message(e);
    if (caller_stopped) {
      result.answer = streamed;
      result.llm.used = true;
      result.llm.model = impl_->llm->model;
      return result;
    }
  }
  // The endpoint failed: fall back to the built-in answer and say so.
  std::string note = "(The language model could not be reached, so this is the built-in answer.) ";
  if (!streamed.empty()) {
    note = "\n\n(The language model stopped mid-answer; the built-in answer follows.) ";
    result.answer = streamed + note + p.builtin.text;
  } else {
    result.answer = note + p.builtin.text;
  }
  result.llm.used = false;
  result.llm.model = impl_->llm->model;
  if (on_delta) on_delta(note + p.builtin.text);
  return result;
}

}  // namespace imu2clip
