// Standalone fake OpenAI-compatible server for scripts and end-to-end tests (TEST stand-in only).
//   fake_openai_server [--port N] [--reply TEXT] [--stream-delay-ms N] [--model NAME] [--api-key KEY]
// Prints "listening on PORT" (flushed) once it accepts connections; runs until SIGINT/SIGTERM.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "tests/support/fake_openai_server.h"

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop = true; }

int usage(const char* message) {
  std::cerr << "fake_openai_server: " << message << "\n"
            << "usage: fake_openai_server [--port N] [--reply TEXT] [--stream-delay-ms N] [--model NAME] "
               "[--api-key KEY]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  imu2clip::test::FakeReply reply;
  std::string api_key;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage("a test stand-in for an OpenAI-compatible LLM server");
      return 0;
    }
    if (i + 1 >= argc) return usage(("missing value for " + arg).c_str());
    std::string value = argv[++i];
    try {
      if (arg == "--port") port = std::stoi(value);
      else if (arg == "--reply") reply.text = value;
      else if (arg == "--stream-delay-ms") reply.chunk_delay_ms = std::stoi(value);
      else if (arg == "--model") reply.model = value;
      else if (arg == "--api-key") api_key = value;
      else return usage(("unknown option " + arg).c_str());
    } catch (const std::exception&) {
      return usage(("bad number for " + arg + ": " + value).c_str());
    }
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    imu2clip::test::FakeOpenAiServer server(port);
    server.set_default_reply(reply);
    server.set_models({reply.model});
    if (!api_key.empty()) server.require_api_key(api_key);
    std::cout << "listening on " << server.port() << std::endl;
    while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::cerr << "fake_openai_server: served " << server.request_count() << " requests\n";
  } catch (const std::exception& e) {
    std::cerr << "fake_openai_server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
