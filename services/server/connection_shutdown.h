#pragma once
// Ends a connection whose request body the server refused to read, once the answer is out.
//
// httplib keeps a connection alive after a handler answers, and would parse a body the server
// refused to read as the next request; closing a socket with unread input makes the kernel
// reset the connection, which can destroy the answer before the client reads it. So, after the
// answer is written: send FIN (the client sees the whole answer and its end), discard what still
// arrives (at most `max_discard_bytes`) until the client stops sending or `linger` has passed (a
// "lingering close"), then close the socket and leave httplib an end of stream, so that it ends
// the connection. A client that keeps sending holds the worker thread for `linger`. httplib exposes no handle to a connection's socket; it
// is found by the addresses httplib does expose (local and remote address and port).
#include <httplib.h>

#include <chrono>
#include <cstddef>

namespace imu2clip::server {

// False when no socket of this process matches the request's addresses (it is already gone).
bool close_after_answer(const httplib::Request& req, std::chrono::milliseconds linger, size_t max_discard_bytes);

}  // namespace imu2clip::server
