#include "storage/live_audio_store.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "common/time/time_zone.h"
#include "storage/recording_store.h"
#include "storage/row_validation.h"
#include "storage/sqlite_db.h"
#include "storage/user_store.h"

namespace imu2clip {

using storage_checks::invalid;

namespace {

// The tagged part of a session in samples: tagged_until_s is a whole number of windows, so
// rounding only removes float noise.
constexpr const char* kTaggedSamplesSql = "CAST(ROUND(r.tagged_until_s * s.sample_rate_hz) AS INTEGER)";

// PCM16 BLOBs are little-endian whatever the host, so a database file moves between machines.
std::vector<unsigned char> to_le_bytes(const int16_t* x, size_t n) {
  std::vector<unsigned char> out(2 * n);
  for (size_t i = 0; i < n; ++i) {
    const auto u = static_cast<uint16_t>(x[i]);
    out[2 * i] = static_cast<unsigned char>(u & 0xff);
    out[2 * i + 1] = static_cast<unsigned char>(u >> 8);
  }
  return out;
}

LiveAudioSessionRow session_from_row(Statement& s) {
  LiveAudioSessionRow out;
  out.recording_id = s.column_int64(0);
  out.user_id = s.column_int64(1);
  out.device_id = s.column_int64(2);
  out.sample_rate_hz = static_cast<int>(s.column_int64(3));
  out.start_utc_ms = s.column_int64(4);
  out.end_samples = s.column_int64(5);
  out.tagged_samples = s.column_int64(6);
  out.open = s.column_int64(7) != 0;
  return out;
}

const std::string kSessionColumns = std::string(
    "s.recording_id, s.user_id, s.device_id, s.sample_rate_hz, s.start_utc_ms, s.end_samples, ") +
    kTaggedSamplesSql + ", s.open FROM live_audio_sessions s JOIN recordings r ON r.id = s.recording_id ";

}  // namespace

LiveAudioAppendResult LiveAudioStore::append(const LiveAudioAppendRequest& r) {
  storage_checks::require_non_empty(r.device, "device");
  storage_checks::require_non_empty(r.model_id, "model_id");
  if (r.n == 0 || !r.pcm16) invalid("samples", "an audio chunk needs at least one sample");
  if (r.sample_rate_hz <= 0) invalid("sample_rate_hz", "the sample rate must be a positive number of Hz");
  if (r.max_gap_ms < 0) invalid("max_gap_ms", "max_gap_ms must be >= 0");
  UserStore users(db_);
  const UserRow owner = users.get(r.user_id);
  const int64_t now = now_utc_ms();
  const double rate = static_cast<double>(r.sample_rate_hz);

  Transaction tx(db_);
  LiveAudioAppendResult out;
  out.user_id = r.user_id;
  out.device_id = users.ensure_device(r.user_id, r.device, r.device_kind);

  // The device's latest session: where its audio ended, and whether the chunk continues it.
  std::optional<LiveAudioSessionRow> last;
  std::string last_model;
  {
    auto s = db_.cached(
        "SELECT s.recording_id, s.user_id, s.device_id, s.sample_rate_hz, s.start_utc_ms, s.end_samples, 0, s.open, "
        "r.model_id FROM live_audio_sessions s JOIN recordings r ON r.id = s.recording_id "
        "WHERE s.device_id = ?1 ORDER BY s.recording_id DESC LIMIT 1");
    if (s->bind_all(out.device_id).step()) {
      last = session_from_row(*s);
      last_model = s->column_text(8);
    }
  }

  bool continues = false;
  int64_t offset = 0;
  if (last) {
    const double last_end_ms = static_cast<double>(last->start_utc_ms) +
                               static_cast<double>(last->end_samples) * 1000.0 / last->sample_rate_hz;
    if (static_cast<double>(r.start_utc_ms) < last_end_ms - static_cast<double>(kStartToleranceMs)) {
      invalid("start", "start = " + std::to_string(r.start_utc_ms) + " ms is before the end of the audio already stored for device '" +
                           r.device + "' (" + std::to_string(static_cast<int64_t>(std::floor(last_end_ms))) +
                           " ms); send each device's audio in time order, once");
    }
    if (last->open && last_model == r.model_id && last->sample_rate_hz == r.sample_rate_hz) {
      offset = std::llround(static_cast<double>(r.start_utc_ms - last->start_utc_ms) * rate / 1000.0);
      // Within the tolerance of the previous end (whole-millisecond start times) the chunk
      // continues it exactly: no overlap, no sliver of invented silence.
      const int64_t tolerance = static_cast<int64_t>(std::ceil(rate * static_cast<double>(kStartToleranceMs) / 1000.0));
      if (offset <= last->end_samples + tolerance) offset = last->end_samples;
      const double gap_ms = static_cast<double>(offset - last->end_samples) * 1000.0 / rate;
      continues = gap_ms <= static_cast<double>(r.max_gap_ms);
    }
  }

  if (continues) {
    out.recording_id = last->recording_id;
    out.session_start_utc_ms = last->start_utc_ms;
  } else {
    if (last && last->open) {
      db_.cached("UPDATE live_audio_sessions SET open = 0, updated_utc_ms = ?2 WHERE recording_id = ?1")
          ->bind_all(last->recording_id, now)
          .run();
      out.closed_recording = last->recording_id;
    }
    RecordingRow rec;
    rec.user_id = r.user_id;
    rec.device_id = out.device_id;
    rec.source_key = "live-audio:" + r.device + ":" + std::to_string(r.start_utc_ms);
    rec.source_path = "live-audio:" + r.device;
    rec.start_utc_ms = r.start_utc_ms;
    rec.tz = owner.tz;
    rec.modality = "audio";
    rec.model_id = r.model_id;
    rec.meta = {{"live", true}, {"device", r.device}, {"sample_rate_hz", r.sample_rate_hz}};
    out.recording_id = RecordingStore(db_).create(rec);
    out.session_start_utc_ms = r.start_utc_ms;
    out.created = true;
    offset = 0;
    db_.cached(
           "INSERT INTO live_audio_sessions(recording_id, user_id, device_id, sample_rate_hz, start_utc_ms, "
           "end_samples, open, updated_utc_ms) VALUES(?1, ?2, ?3, ?4, ?5, 0, 1, ?6)")
        ->bind_all(out.recording_id, r.user_id, out.device_id, static_cast<int64_t>(r.sample_rate_hz),
                   r.start_utc_ms, now)
        .run();
  }

  auto insert = db_.cached(
      "INSERT INTO live_audio_chunks(recording_id, user_id, device_id, offset_samples, start_utc_ms, samples, "
      "pcm16, created_utc_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  const size_t per_row = static_cast<size_t>(kMaxRowSeconds) * static_cast<size_t>(r.sample_rate_hz);
  for (size_t pos = 0; pos < r.n; pos += per_row) {
    const size_t k = std::min(per_row, r.n - pos);
    const std::vector<unsigned char> bytes = to_le_bytes(r.pcm16 + pos, k);
    const int64_t row_start_ms = r.start_utc_ms + std::llround(static_cast<double>(pos) * 1000.0 / rate);
    insert->bind_all(out.recording_id, r.user_id, out.device_id, offset + static_cast<int64_t>(pos), row_start_ms,
                     static_cast<int64_t>(k), BlobRef{bytes.data(), bytes.size()}, now);
    insert->run();
  }
  out.offset_samples = offset;
  out.end_samples = offset + static_cast<int64_t>(r.n);
  db_.cached("UPDATE live_audio_sessions SET end_samples = ?2, updated_utc_ms = ?3 WHERE recording_id = ?1")
      ->bind_all(out.recording_id, out.end_samples, now)
      .run();
  tx.commit();
  return out;
}

std::vector<int16_t> LiveAudioStore::samples(int64_t recording_id, int64_t from_sample, int64_t to_sample) {
  std::vector<int16_t> out(static_cast<size_t>(std::max<int64_t>(0, to_sample - from_sample)), 0);
  if (out.empty()) return out;
  // Rows are at most kMaxRowSeconds long, so only rows starting that much before from_sample
  // can reach into the range: the (recording_id, offset_samples) index bounds the scan.
  auto s = db_.cached(
      "SELECT offset_samples, samples, pcm16 FROM live_audio_chunks WHERE recording_id = ?1 "
      "AND offset_samples < ?3 AND offset_samples > ?2 - ?4 * "
      "(SELECT sample_rate_hz FROM live_audio_sessions WHERE recording_id = ?1) "
      "ORDER BY offset_samples");
  s->bind_all(recording_id, from_sample, to_sample, kMaxRowSeconds);
  while (s->step()) {
    const int64_t offset = s->column_int64(0);
    const int64_t n = s->column_int64(1);
    const BlobRef blob = s->column_blob(2);
    const auto* bytes = static_cast<const unsigned char*>(blob.data);
    const int64_t stored = std::min<int64_t>(n, static_cast<int64_t>(blob.size / 2));
    const int64_t begin = std::max(offset, from_sample);
    const int64_t end = std::min(offset + stored, to_sample);
    for (int64_t i = begin; i < end; ++i) {
      const size_t b = static_cast<size_t>(2 * (i - offset));
      const auto u = static_cast<uint16_t>(bytes[b] | (bytes[b + 1] << 8));
      out[static_cast<size_t>(i - from_sample)] = static_cast<int16_t>(u);
    }
  }
  return out;
}

std::optional<LiveAudioSessionRow> LiveAudioStore::close(int64_t recording_id) {
  db_.cached("UPDATE live_audio_sessions SET open = 0, updated_utc_ms = ?2 WHERE recording_id = ?1 AND open = 1")
      ->bind_all(recording_id, now_utc_ms())
      .run();
  return session(recording_id);
}

int64_t LiveAudioStore::delete_tagged(int64_t recording_id) {
  db_.cached(std::string("DELETE FROM live_audio_chunks WHERE recording_id = ?1 AND EXISTS (SELECT 1 "
                         "FROM recordings r JOIN live_audio_sessions s ON s.recording_id = r.id WHERE r.id = ?1 "
                         "AND (r.status = 'complete' OR live_audio_chunks.offset_samples + live_audio_chunks.samples <= ") +
             kTaggedSamplesSql + "))")
      ->bind_all(recording_id)
      .run();
  return db_.changes();
}

int64_t LiveAudioStore::delete_all_tagged() {
  db_.cached(std::string("DELETE FROM live_audio_chunks WHERE id IN (SELECT c.id FROM live_audio_chunks c "
                         "JOIN live_audio_sessions s ON s.recording_id = c.recording_id "
                         "JOIN recordings r ON r.id = c.recording_id "
                         "WHERE r.status = 'complete' OR c.offset_samples + c.samples <= ") +
             kTaggedSamplesSql + ")")
      ->run();
  return db_.changes();
}

std::vector<LiveAudioSessionRow> LiveAudioStore::pending() {
  auto s = db_.cached("SELECT " + kSessionColumns + "WHERE r.status = 'tagging' ORDER BY s.recording_id");
  std::vector<LiveAudioSessionRow> out;
  while (s->step()) out.push_back(session_from_row(*s));
  return out;
}

std::optional<LiveAudioSessionRow> LiveAudioStore::session(int64_t recording_id) {
  auto s = db_.cached("SELECT " + kSessionColumns + "WHERE s.recording_id = ?1");
  if (!s->bind_all(recording_id).step()) return std::nullopt;
  return session_from_row(*s);
}

int64_t LiveAudioStore::pending_samples(int64_t user_id, const std::string& model_id) {
  auto s = db_.cached(std::string("SELECT COALESCE(SUM(MAX(0, s.end_samples - ") + kTaggedSamplesSql +
                      ")), 0) FROM live_audio_sessions s JOIN recordings r ON r.id = s.recording_id "
                      "WHERE s.user_id = ?1 AND r.status = 'tagging' AND r.model_id = ?2");
  s->bind_all(user_id, model_id).step();
  return s->column_int64(0);
}

}  // namespace imu2clip
