#include "storage/live_sample_store.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "common/time/time_zone.h"
#include "storage/recording_store.h"
#include "storage/row_validation.h"
#include "storage/sqlite_db.h"
#include "storage/user_store.h"

namespace imu2clip {

using storage_checks::invalid;

LiveAppendResult LiveSampleStore::append(const LiveAppendRequest& r) {
  storage_checks::require_non_empty(r.device, "device");
  storage_checks::require_non_empty(r.model_id, "model_id");
  if (r.n == 0 || !r.t_utc_ms || !r.values) invalid("t_utc_ms", "a batch needs at least one sample");
  if (r.max_gap_ms < 0) invalid("max_gap_ms", "max_gap_ms must be >= 0");
  UserStore users(db_);
  const UserRow owner = users.get(r.user_id);
  const int64_t now = now_utc_ms();

  Transaction tx(db_);
  LiveAppendResult out;
  out.device_id = users.ensure_device(r.user_id, r.device, r.device_kind);

  std::optional<int64_t> current, last_t, current_start;
  bool same_model = false;
  {
    auto stream = db_.cached(
        "SELECT s.recording_id, s.last_t_utc_ms, rec.model_id, rec.start_utc_ms FROM live_streams s "
        "LEFT JOIN recordings rec ON rec.id = s.recording_id WHERE s.device_id = ?1");
    if (stream->bind_all(out.device_id).step()) {
      current = stream->column_optional_int64(0);
      last_t = stream->column_int64(1);
      same_model = current && !stream->column_is_null(2) && stream->column_text(2) == r.model_id;
      current_start = stream->column_optional_int64(3);
    }
  }
  if (last_t && r.t_utc_ms[0] <= *last_t) {
    invalid("t_utc_ms[0]", "t_utc_ms[0] = " + std::to_string(r.t_utc_ms[0]) +
                               " is not after the last sample already stored for device '" + r.device + "' (" +
                               std::to_string(*last_t) + "); send each device's samples in time order, once");
  }
  // A session without a known start cannot place its windows: start a new one.
  bool usable = current && same_model && current_start;

  RecordingRow session;
  session.user_id = r.user_id;
  session.device_id = out.device_id;
  session.source_path = "live:" + r.device;
  session.tz = owner.tz;
  session.modality = "imu";
  session.model_id = r.model_id;
  session.meta = {{"live", true}, {"device", r.device}};

  auto insert = db_.cached(
      "INSERT INTO live_samples(recording_id, t_utc_ms, ax, ay, az, gx, gy, gz) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  int64_t prev_t = last_t.value_or(0);
  for (size_t i = 0; i < r.n; ++i) {
    const int64_t t = r.t_utc_ms[i];
    if (i > 0 && t <= prev_t) {
      invalid("t_utc_ms[" + std::to_string(i) + "]", "timestamps must be strictly increasing");
    }
    if (!usable || t - prev_t > r.max_gap_ms) {
      if (current) out.closed_recordings.push_back(*current);
      session.source_key = "live:" + r.device + ":" + std::to_string(t);
      session.start_utc_ms = t;
      current = RecordingStore(db_).create(session);
      current_start = t;
      usable = true;
      out.parts.push_back({*current, t, t, t, 0, true});
    } else if (out.parts.empty()) {
      out.parts.push_back({*current, *current_start, t, t, 0, false});
    }
    const auto& v = r.values[i];
    insert->bind_all(*current, t, static_cast<double>(v[0]), static_cast<double>(v[1]), static_cast<double>(v[2]),
                     static_cast<double>(v[3]), static_cast<double>(v[4]), static_cast<double>(v[5]));
    insert->run();
    out.parts.back().last_t_utc_ms = t;
    ++out.parts.back().samples;
    prev_t = t;
  }
  db_.cached("INSERT INTO live_streams(device_id, recording_id, last_t_utc_ms, updated_utc_ms) "
             "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(device_id) DO UPDATE SET recording_id = excluded.recording_id, "
             "last_t_utc_ms = excluded.last_t_utc_ms, updated_utc_ms = excluded.updated_utc_ms")
      ->bind_all(out.device_id, *current, prev_t, now)
      .run();
  tx.commit();
  return out;
}

std::vector<LiveSample> LiveSampleStore::samples(int64_t recording_id, int64_t from_utc_ms, int64_t to_utc_ms,
                                                 int64_t limit) {
  auto s = db_.cached(
      "SELECT t_utc_ms, ax, ay, az, gx, gy, gz FROM live_samples "
      "WHERE recording_id = ?1 AND t_utc_ms >= ?2 AND t_utc_ms < ?3 ORDER BY t_utc_ms LIMIT ?4");
  s->bind_all(recording_id, from_utc_ms, to_utc_ms, limit);
  std::vector<LiveSample> out;
  while (s->step()) {
    LiveSample x;
    x.t_utc_ms = s->column_int64(0);
    for (int c = 0; c < 6; ++c) x.v[static_cast<size_t>(c)] = static_cast<float>(s->column_double(c + 1));
    out.push_back(x);
  }
  return out;
}

int64_t LiveSampleStore::delete_before(int64_t recording_id, int64_t before_utc_ms) {
  db_.cached("DELETE FROM live_samples WHERE recording_id = ?1 AND t_utc_ms < ?2")
      ->bind_all(recording_id, before_utc_ms)
      .run();
  return db_.changes();
}

int64_t LiveSampleStore::trim(int64_t recording_id, int64_t t_utc_ms) {
  db_.cached(
         "DELETE FROM live_samples WHERE recording_id = ?1 AND t_utc_ms < "
         "(SELECT max(t_utc_ms) FROM live_samples WHERE recording_id = ?1 AND t_utc_ms <= ?2)")
      ->bind_all(recording_id, t_utc_ms)
      .run();
  return db_.changes();
}

std::vector<LivePending> LiveSampleStore::pending() {
  auto s = db_.cached(
      "SELECT p.recording_id, min(p.t_utc_ms), max(p.t_utc_ms), count(*), "
      "EXISTS(SELECT 1 FROM live_streams s WHERE s.recording_id = p.recording_id) "
      "FROM live_samples p GROUP BY p.recording_id ORDER BY p.recording_id");
  std::vector<LivePending> out;
  while (s->step()) {
    out.push_back({s->column_int64(0), s->column_int64(1), s->column_int64(2), s->column_int64(3),
                   s->column_int64(4) != 0});
  }
  return out;
}

}  // namespace imu2clip
