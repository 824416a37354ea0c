#include "services/server/connection_shutdown.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace imu2clip::server {

namespace {

bool same_endpoint(const sockaddr_storage& addr, const std::string& ip, int port) {
  char text[INET6_ADDRSTRLEN] = {0};
  int actual_port = -1;
  if (addr.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
    actual_port = ntohs(in.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    actual_port = ntohs(in6.sin6_port);
  } else {
    return false;
  }
  return actual_port == port && ip == text;
}

}  // namespace

namespace {

int socket_of(const httplib::Request& req) {
  DIR* fds = opendir("/proc/self/fd");
  if (!fds) return -1;
  int found = -1;
  while (dirent* entry = readdir(fds)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd == dirfd(fds)) continue;
    sockaddr_storage local{}, remote{};
    socklen_t local_len = sizeof local, remote_len = sizeof remote;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;    // not a socket
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remote_len) != 0) continue;  // not connected
    if (same_endpoint(local, req.local_addr, req.local_port) && same_endpoint(remote, req.remote_addr, req.remote_port)) {
      found = fd;
      break;
    }
  }
  closedir(fds);
  return found;
}

}  // namespace

bool close_after_answer(const httplib::Request& req, std::chrono::milliseconds linger, size_t max_discard_bytes) {
  const int fd = socket_of(req);
  if (fd < 0) return false;
  shutdown(fd, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + linger;
  char buffer[16384];
  size_t discarded = 0;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    if (discarded >= max_discard_bytes) {
      // A client that keeps sending waits on a full window from here on; it still has until
      // the deadline to read the answer before the close resets the connection.
      std::this_thread::sleep_for(left);
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n <= 0) break;  // the client finished (or reset)
    discarded += static_cast<size_t>(n);
  }
  // Linux still delivers input queued before a shutdown(SHUT_RD), which httplib would read as
  // requests; putting /dev/null in the socket's place closes the socket (the client has the
  // answer and its end by now) and gives httplib an end of stream, after which it closes the
  // descriptor it owns.
  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd >= 0) {
    dup2(null_fd, fd);
    close(null_fd);
  } else {
    shutdown(fd, SHUT_RDWR);
  }
  return true;
}

}  // namespace imu2clip::server
