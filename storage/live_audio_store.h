#pragma once
// Live audio (tables live_audio_sessions, live_audio_chunks; schema v3): the raw audio a
// device posts, kept until it is tagged (or for good, when the server keeps audio), and each
// device's sessions. A session is a recording ("live-audio:<device>:<first ms>", modality
// "audio") whose audio is one time axis of samples at the model's rate: a chunk is placed by
// its start time, short pauses inside a session read as silence.
// A view over one open Database: cheap to construct, used from the connection's thread only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace imu2clip {

class Database;

struct LiveAudioAppendRequest {
  int64_t user_id = 0;
  std::string device;                  // created on first use
  std::string device_kind = "microphone";
  std::string model_id;                // a session belongs to one model
  int sample_rate_hz = 0;              // the model's rate, which `pcm16` is at
  int64_t start_utc_ms = 0;            // wall-clock time of the first sample
  int64_t max_gap_ms = 2000;           // a longer pause since the previous chunk's end starts a new session
  const int16_t* pcm16 = nullptr;      // n mono samples
  size_t n = 0;
};

struct LiveAudioAppendResult {
  int64_t device_id = 0;
  int64_t recording_id = 0;            // the session the chunk went to
  int64_t user_id = 0;
  int64_t session_start_utc_ms = 0;
  int64_t offset_samples = 0;          // the chunk's first sample, counted from the session's first
  int64_t end_samples = 0;             // where the session's stored audio ends now
  bool created = false;                // this chunk started the session
  std::optional<int64_t> closed_recording;   // the session this chunk ended (pause, model change)
};

// A live audio session that is not tagged to its end yet (the restart backlog).
struct LiveAudioSessionRow {
  int64_t recording_id = 0;
  int64_t user_id = 0;
  int64_t device_id = 0;
  int sample_rate_hz = 0;
  int64_t start_utc_ms = 0;
  int64_t end_samples = 0;
  int64_t tagged_samples = 0;          // the recording's tagged_until_s, in samples
  bool open = false;                   // still its device's current session
};

class LiveAudioStore {
 public:
  // Rows hold at most this much audio: a long chunk is split, so reading a few windows never
  // loads a huge BLOB.
  static constexpr int64_t kMaxRowSeconds = 60;
  // A chunk may start up to this much before the previous one's exact end (clients send whole
  // milliseconds); it then continues the previous chunk without overlap.
  static constexpr int64_t kStartToleranceMs = 1;

  explicit LiveAudioStore(Database& db) : db_(db) {}

  // Stores one chunk in one transaction: creates the device, starts a new session (recording in
  // status "tagging", modality "audio") at the device's first chunk, after a pause longer than
  // max_gap_ms since the previous chunk's end, when the model (or rate) changed, or when the
  // previous session was closed. Throws InvalidInput (field "start") when the chunk starts
  // before the device's previous chunk ended, NotFound for an unknown user; nothing is stored
  // then.
  LiveAudioAppendResult append(const LiveAudioAppendRequest& request);

  // The session's audio for samples [from_sample, to_sample) of its time axis: positions no
  // stored chunk covers (a pause inside the session, audio already deleted, past the end) are 0.
  std::vector<int16_t> samples(int64_t recording_id, int64_t from_sample, int64_t to_sample);

  // Ends the session if it is its device's current one (the device's next chunk starts a new
  // session); returns the session as it is now, nullopt when it does not exist.
  std::optional<LiveAudioSessionRow> close(int64_t recording_id);

  // Deletes the session's chunks that are tagged: those ending at or before its recording's
  // tagged_until_s, all of them once the recording is complete. Returns how many rows.
  int64_t delete_tagged(int64_t recording_id);
  // The same for every live audio session (after a crash between tagging and deleting).
  int64_t delete_all_tagged();

  // Sessions whose recording is still "tagging", by recording id.
  std::vector<LiveAudioSessionRow> pending();
  // One session, whatever its state; nullopt when it does not exist.
  std::optional<LiveAudioSessionRow> session(int64_t recording_id);
  // Samples of the user's sessions for `model_id` that are stored and not yet tagged (the
  // per-user backlog of that model's tagger).
  int64_t pending_samples(int64_t user_id, const std::string& model_id);

 private:
  Database& db_;
};

}  // namespace imu2clip
