#pragma once
// Answers questions about a user's life log. The built-in answerer parses the question (time
// scope, activity, what is asked), computes the answer from the log entries of the scope and
// cites them; with an LLM configured the log lines and computed facts go into the prompt and
// the model's answer is streamed, falling back to the built-in answer if the endpoint fails.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "llm/openai_client.h"

namespace imu2clip {

class StorePool;

struct AskRequest {
  std::string question;
  int64_t as_of_utc_ms = 0;  // "now" for the question
  std::string tz;            // IANA zone the question's "today" etc. refer to ("" = the user's zone)
  // Optional: the period the user is looking at (e.g. a day or week chart), [from, to) UTC ms;
  // 0/0 = none. A question naming no time is about it, and "today"/"this week"/"these days"
  // that would fall outside it refer to it.
  int64_t focus_from_utc_ms = 0;
  int64_t focus_to_utc_ms = 0;
};

struct AssistantOptions {
  int64_t episode_gap_ms = 5 * 60 * 1000;  // entries this close are one episode ("how many times")
  size_t context_budget_tokens = 3000;     // log lines in the LLM prompt (about 4 characters per token)
  size_t max_evidence = 20;
  double temperature = 0.2;
  int max_tokens = 400;
};

struct AskResult {
  std::string answer;
  std::vector<std::string> evidence;                // log lines used, "[15:50] Motion: sitting"
  nlohmann::json facts = nlohmann::json::array();   // computed facts (objects)
  bool understood = true;  // false when the built-in answerer could not parse the question
  struct Llm {
    bool used = false;
    std::string model;
    std::string error;
  } llm;
};

class Assistant {  // thread-safe
 public:
  // llm: nullopt = no LLM configured (built-in grounded answerer only). prompts_dir: folder with
  // the templates ("" = the templates compiled into the binary).
  Assistant(std::string db_path, std::optional<llm::ClientOptions> llm, std::string prompts_dir);
  Assistant(std::string db_path, std::optional<llm::ClientOptions> llm, std::string prompts_dir,
            AssistantOptions options);
  // Borrows its connections from `stores` (the server shares its pool this way).
  Assistant(std::shared_ptr<StorePool> stores, std::optional<llm::ClientOptions> llm, std::string prompts_dir,
            AssistantOptions options = {});
  ~Assistant();
  Assistant(const Assistant&) = delete;
  Assistant& operator=(const Assistant&) = delete;

  // on_delta (optional): receives the answer text piece by piece (LLM stream, or the built-in
  // answer in one piece); returning false stops the stream.
  AskResult ask(int64_t user_id, const AskRequest& request,
                const std::function<bool(const std::string&)>& on_delta = {});

  // The prompt messages the LLM would get for this question (system, user), for inspection.
  std::vector<llm::Message> prompt_for(int64_t user_id, const AskRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imu2clip
