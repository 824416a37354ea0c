#include "services/cli/interrupt.h"

#include <csignal>
#include <unistd.h>

namespace imu2clip::cli {
namespace {
std::atomic<bool> g_stop{false};

extern "C" void on_signal(int sig) {
  if (g_stop.exchange(true)) _exit(128 + sig);
  static const char msg[] = "\ninterrupt: finishing the current batch and stopping (again to abort)\n";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
}
}  // namespace

const std::atomic<bool>& install_stop_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return g_stop;
}

}  // namespace imu2clip::cli
