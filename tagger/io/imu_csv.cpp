#include "tagger/io/imu_csv.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <numeric>
#include <optional>
#include <string_view>

#include "common/error.h"
#include "common/strings.h"
#include "tagger/io/csv_fields.h"
#include "tagger/io/csv_header_spec.h"
#include "tagger/io/line_reader.h"

namespace imu2clip {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Column slots a header name can map to.
constexpr int kIgnore = -1;
constexpr int kTime = 6;          // primary clock
constexpr int kTimeFallback = 7;  // Ego4D component clock, used only when no canonical clock exists
constexpr int kSlots = 8;

int channel_of(const std::string& name) {
  const int c = csv::channel_of_name(name);
  return c < 0 ? kIgnore : c;
}

struct ColumnPlan {
  size_t columns = 0;
  std::vector<int> slot_of_column;     // per header column
  std::vector<std::string> names;      // header names as written (trimmed), for messages
  int column_of_slot[kSlots];
  double time_to_ms = 1.0;
  double fallback_to_ms = 1.0;
  ColumnPlan() { std::fill(std::begin(column_of_slot), std::end(column_of_slot), -1); }
  const std::string& name_of_slot(int slot) const { return names[column_of_slot[slot]]; }
};

bool is_ego4d_header(const std::vector<std::string>& normalized) {
  for (const auto& n : normalized)
    if (n == "canonical_timestamp_ms" || n == "component_timestamp_ms") return true;
  return false;
}

std::vector<std::string> normalized_names(std::string_view header_line) {
  std::vector<std::string_view> fields;
  split_views(header_line, ',', fields);
  std::vector<std::string> out;
  for (auto f : fields) out.push_back(csv::normalize_header_name(f));
  return out;
}

ColumnPlan plan_columns(std::string_view header_line, ImuFileFormat format, const std::string& path,
                        ReadReport& report) {
  std::vector<std::string_view> fields;
  split_views(header_line, ',', fields);
  ColumnPlan plan;
  plan.columns = fields.size();
  plan.slot_of_column.assign(fields.size(), kIgnore);
  auto assign = [&](size_t col, int slot) {
    if (plan.column_of_slot[slot] >= 0)
      throw Error(ErrorKind::InvalidInput,
                  "column '" + plan.names[col] + "' means the same as column '" +
                      plan.names[plan.column_of_slot[slot]] + "'; remove one of them",
                  {path, 1, plan.names[col]});
    plan.column_of_slot[slot] = static_cast<int>(col);
    plan.slot_of_column[col] = slot;
  };
  for (size_t col = 0; col < fields.size(); ++col) {
    plan.names.emplace_back(csv::unquote_field(fields[col]));
    const std::string name = csv::normalize_header_name(fields[col]);
    if (int c = channel_of(name); c != kIgnore) {
      assign(col, c);
      continue;
    }
    if (format == ImuFileFormat::Ego4d) {
      if (name == "canonical_timestamp_ms") assign(col, kTime);
      else if (name == "component_timestamp_ms") assign(col, kTimeFallback);
      continue;
    }
    if (const double to_ms = csv::time_column_to_ms(name); to_ms > 0) {
      assign(col, kTime);
      plan.time_to_ms = to_ms;
    }
  }
  if (format == ImuFileFormat::Ego4d && plan.column_of_slot[kTime] < 0) {
    if (plan.column_of_slot[kTimeFallback] < 0)
      throw Error(ErrorKind::InvalidInput,
                  "missing required column 'canonical_timestamp_ms' (or component_timestamp_ms)",
                  {path, 1, "canonical_timestamp_ms"});
    const int col = plan.column_of_slot[kTimeFallback];
    plan.column_of_slot[kTimeFallback] = -1;
    plan.column_of_slot[kTime] = col;
    plan.slot_of_column[col] = kTime;
    report.warnings.push_back(
        "no canonical_timestamp_ms column; using component_timestamp_ms (device clock)");
  }
  if (plan.column_of_slot[kTime] < 0) {
    std::vector<std::string> names;
    for (const auto& a : csv::time_column_names()) names.emplace_back(a.name);
    throw Error(ErrorKind::InvalidInput,
                "missing required time column; accepted names: " + join(names, ", ") +
                    " (header is '" + std::string(header_line.substr(0, 200)) + "')",
                {path, 1, "t_ms"});
  }
  for (int c = 0; c < kImuChannels; ++c)
    if (plan.column_of_slot[c] < 0)
      throw Error(ErrorKind::InvalidInput,
                  std::string("missing required column '") + imu_channel_name(c) +
                      "'; accepted names: " + join(csv::channel_names(c), ", "),
                  {path, 1, imu_channel_name(c)});
  report.time_column = plan.name_of_slot(kTime);
  return plan;
}

// One parsed data row. Statuses tell the policy (strict or repairing) what was found.
struct Row {
  double t[2];  // primary, fallback (ms)
  bool t_missing[2];
  float v[6];
  bool v_missing[6];  // empty or NULL-like literal
};

[[noreturn]] void throw_not_number(const LineReader& in, const ColumnPlan& plan, size_t col,
                                   std::string_view field) {
  throw Error(ErrorKind::InvalidInput,
              "'" + std::string(csv::unquote_field(field).substr(0, 60)) +
                  "' is not a number; fix or remove this line",
              {in.path(), in.line_number(), plan.names[col]});
}

[[noreturn]] void throw_column_count(const LineReader& in, const ColumnPlan& plan,
                                     std::string_view line) {
  size_t found = 1;
  for (char c : line) found += c == ',';
  throw Error(ErrorKind::InvalidInput,
              "expected " + std::to_string(plan.columns) +
                  " comma-separated fields as in the header, found " + std::to_string(found) +
                  "; fix or remove this line",
              {in.path(), in.line_number(), ""});
}

// The hot loop: walks the fields once, parses only mapped columns, never allocates.
inline void parse_row(std::string_view line, const ColumnPlan& plan, const LineReader& in, Row& row) {
  const char* p = line.data();
  const char* const end = p + line.size();
  size_t col = 0;
  for (;;) {
    const char* comma = static_cast<const char*>(std::memchr(p, ',', static_cast<size_t>(end - p)));
    const char* field_end = comma ? comma : end;
    if (col >= plan.columns) throw_column_count(in, plan, line);
    const int slot = plan.slot_of_column[col];
    if (slot != kIgnore) {
      const std::string_view field(p, static_cast<size_t>(field_end - p));
      csv::Parse st;
      if (slot < kImuChannels) {
        st = csv::parse_float(field, row.v[slot]);
        row.v_missing[slot] = st == csv::Parse::Empty;
      } else {
        const int k = slot - kTime;
        st = csv::parse_double(field, row.t[k]);
        row.t_missing[k] = st == csv::Parse::Empty;
      }
      if (st == csv::Parse::NotNumber) {
        if (!csv::is_null_literal(csv::unquote_field(field))) throw_not_number(in, plan, col, field);
        if (slot < kImuChannels) row.v_missing[slot] = true;
        else row.t_missing[slot - kTime] = true;
      }
    }
    ++col;
    if (!comma) break;
    p = comma + 1;
  }
  if (col != plan.columns) throw_column_count(in, plan, line);
}

bool is_blank(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

void reserve_for(ImuSeries& s, const LineReader& in) {
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(in.path(), ec);
  if (ec) return;
  // ~45 bytes per row; gzip shrinks these CSVs about 3x.
  const size_t rows = static_cast<size_t>(bytes) * (in.compressed() ? 3 : 1) / 40 + 16;
  s.t_s.reserve(rows);
  for (auto& c : s.ch) c.reserve(rows);
}

std::string read_header(LineReader& in) {
  std::string_view line;
  while (in.next(line)) {
    if (!is_blank(line)) return std::string(line);
  }
  throw Error(ErrorKind::InvalidInput, "file is empty; expected a CSV header line",
              {in.path(), 0, ""});
}

void finish_report(ReadReport& report, const ImuSeries& s) {
  report.rows_kept = static_cast<int64_t>(s.size());
}

ImuSeries read_canonical(LineReader& in, const std::string& header, ReadReport& report) {
  report.format = "canonical";
  const ColumnPlan plan = plan_columns(header, ImuFileFormat::Canonical, in.path(), report);
  ImuSeries s;
  s.source = in.path();
  reserve_for(s, in);
  Row row{};
  std::string_view line;
  double first_ms = 0, prev_ms = 0;
  int64_t prev_line = 0;
  while (in.next(line)) {
    if (line.empty() || is_blank(line)) continue;
    ++report.rows;
    parse_row(line, plan, in, row);
    const double t_ms = row.t[0] * plan.time_to_ms;
    if (row.t_missing[0] || !std::isfinite(t_ms))
      throw Error(ErrorKind::InvalidInput,
                  "time is missing or not finite; every canonical row needs a timestamp",
                  {in.path(), in.line_number(), plan.name_of_slot(kTime)});
    if (s.t_s.empty()) {
      first_ms = t_ms;
    } else if (!(t_ms > prev_ms)) {
      throw Error(ErrorKind::InvalidInput,
                  "time " + std::to_string(row.t[0]) + " is not after line " +
                      std::to_string(prev_line) +
                      "'s; the canonical format needs strictly increasing time (sort the rows "
                      "and remove duplicates, or use the Ego4D layout which repairs this)",
                  {in.path(), in.line_number(), plan.name_of_slot(kTime)});
    }
    // Times far from the first one (1e300 after -1e300) give an infinite offset, or offsets that
    // double rounding makes equal: both would break the strictly increasing clock downstream.
    const double t_s = (t_ms - first_ms) * 1e-3;
    if (!std::isfinite(t_s) || (!s.t_s.empty() && !(t_s > s.t_s.back())))
      throw Error(ErrorKind::InvalidInput,
                  "time " + std::to_string(row.t[0]) + " is too far from the first row's (" +
                      std::to_string(first_ms) + " ms) to keep its order in seconds; the times look wrong",
                  {in.path(), in.line_number(), plan.name_of_slot(kTime)});
    prev_ms = t_ms;
    prev_line = in.line_number();
    s.t_s.push_back(t_s);
    for (int c = 0; c < kImuChannels; ++c) {
      float v = row.v_missing[c] ? kNaN : row.v[c];
      if (!std::isfinite(v)) {
        v = kNaN;
        ++report.nonfinite_values;
      }
      s.ch[c].push_back(v);
    }
  }
  if (s.t_s.empty())
    throw Error(ErrorKind::InvalidInput, "no data rows after the header", {in.path(), 0, ""});
  report.time_offset_ms = first_ms;
  if (report.nonfinite_values > 0)
    report.warnings.push_back(std::to_string(report.nonfinite_values) +
                              " NaN/inf/empty sensor values kept as NaN; windows containing "
                              "them will be skipped");
  finish_report(report, s);
  return s;
}

ImuSeries read_ego4d(LineReader& in, const std::string& header, ReadReport& report) {
  report.format = "ego4d";
  const ColumnPlan plan = plan_columns(header, ImuFileFormat::Ego4d, in.path(), report);
  const bool has_fallback = plan.column_of_slot[kTimeFallback] >= 0;
  // Rows with valid sensor values; times are NaN where the column was NULL.
  std::vector<double> t_main, t_fallback;
  ImuSeries s;
  s.source = in.path();
  reserve_for(s, in);
  t_main.reserve(s.t_s.capacity());
  if (has_fallback) t_fallback.reserve(s.t_s.capacity());
  Row row{};
  row.t_missing[1] = true;
  std::string_view line;
  int64_t missing_value = 0;
  while (in.next(line)) {
    if (line.empty() || is_blank(line)) continue;
    ++report.rows;
    parse_row(line, plan, in, row);
    bool complete = true;
    for (int c = 0; c < kImuChannels; ++c)
      complete &= !row.v_missing[c] && std::isfinite(row.v[c]);
    if (!complete) {
      ++missing_value;
      continue;
    }
    auto time_or_nan = [&](int k) {
      return row.t_missing[k] || !std::isfinite(row.t[k]) ? std::nan("") : row.t[k];
    };
    t_main.push_back(time_or_nan(0));
    if (has_fallback) t_fallback.push_back(time_or_nan(1));
    for (int c = 0; c < kImuChannels; ++c) s.ch[c].push_back(row.v[c]);
  }
  if (report.rows == 0)
    throw Error(ErrorKind::InvalidInput, "no data rows after the header", {in.path(), 0, ""});
  if (missing_value > 0) report.dropped["missing value"] = missing_value;

  // Choose the clock: the canonical one if any row has it, the device clock only as a whole.
  const bool any_main = std::any_of(t_main.begin(), t_main.end(), [](double t) { return !std::isnan(t); });
  std::vector<double>* clock = &t_main;
  std::string null_reason = "null canonical timestamp";
  if (!any_main && has_fallback && !t_main.empty()) {
    clock = &t_fallback;
    null_reason = "null component timestamp";
    report.time_column = plan.name_of_slot(kTimeFallback);
    report.warnings.push_back("every " + plan.name_of_slot(kTime) + " is NULL; using " +
                              plan.name_of_slot(kTimeFallback) +
                              " (device clock) for the whole file");
  }

  // Order of kept rows by time: stable, so equal times keep file order (the first wins).
  std::vector<size_t> order;
  order.reserve(clock->size());
  int64_t null_time = 0;
  for (size_t i = 0; i < clock->size(); ++i) {
    if (std::isnan((*clock)[i])) ++null_time;
    else order.push_back(i);
  }
  if (null_time > 0) report.dropped[null_reason] = null_time;
  bool sorted = true;
  for (size_t k = 1; k < order.size() && sorted; ++k)
    sorted = (*clock)[order[k]] >= (*clock)[order[k - 1]];
  if (!sorted) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return (*clock)[a] < (*clock)[b]; });
    report.resorted = true;
    report.warnings.push_back("rows were not in time order; sorted by " + report.time_column);
  }
  int64_t duplicates = 0;
  size_t kept = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    if (kept > 0 && (*clock)[order[k]] == (*clock)[order[kept - 1]]) {
      ++duplicates;
      continue;
    }
    order[kept++] = order[k];
  }
  order.resize(kept);
  if (duplicates > 0) report.dropped["duplicate timestamp"] = duplicates;
  if (order.empty())
    throw Error(ErrorKind::InvalidInput,
                "no usable rows: all " + std::to_string(report.rows) + " rows were dropped (" +
                    report.summary() + ")",
                {in.path(), 0, report.time_column});

  const bool identity = order.size() == clock->size() && sorted;
  const double first_ms = (*clock)[order[0]];
  s.t_s.resize(order.size());
  for (size_t k = 0; k < order.size(); ++k) {
    s.t_s[k] = ((*clock)[order[k]] - first_ms) * 1e-3;
    // As in the canonical reader: a span no double offset holds in order is not a recording.
    if (!std::isfinite(s.t_s[k]) || (k > 0 && !(s.t_s[k] > s.t_s[k - 1])))
      throw Error(ErrorKind::InvalidInput,
                  "timestamps from " + std::to_string(first_ms) + " to " + std::to_string((*clock)[order[k]]) +
                      " ms are too far apart to keep their order in seconds; the times look wrong",
                  {in.path(), 0, report.time_column});
  }
  if (!identity) {
    std::vector<float> tmp(order.size());
    for (auto& channel : s.ch) {
      for (size_t k = 0; k < order.size(); ++k) tmp[k] = channel[order[k]];
      channel.assign(tmp.begin(), tmp.end());
    }
  }
  report.time_offset_ms = first_ms;
  finish_report(report, s);
  return s;
}

}  // namespace

const char* imu_channel_name(int channel) {
  static const char* names[] = {"ax", "ay", "az", "gx", "gy", "gz"};
  return channel >= 0 && channel < kImuChannels ? names[channel] : "?";
}

int64_t ReadReport::rows_dropped() const {
  int64_t n = 0;
  for (const auto& [reason, count] : dropped) n += count;
  return n;
}

std::string ReadReport::summary() const {
  std::string s = format + ": " + std::to_string(rows) + " rows, " + std::to_string(rows_kept) + " kept";
  if (!dropped.empty()) {
    s += "; dropped:";
    for (const auto& [reason, count] : dropped) s += " " + reason + " " + std::to_string(count) + ",";
    s.pop_back();
  }
  if (resorted) s += "; resorted";
  if (nonfinite_values > 0) s += "; " + std::to_string(nonfinite_values) + " NaN values";
  return s;
}

ImuSeries read_canonical_imu_csv(const std::string& path, ReadReport* report) {
  ReadReport local;
  ReadReport& r = report ? *report : local;
  r = ReadReport{};
  LineReader in(path);
  return read_canonical(in, read_header(in), r);
}

ImuSeries read_ego4d_imu_csv(const std::string& path, ReadReport* report) {
  ReadReport local;
  ReadReport& r = report ? *report : local;
  r = ReadReport{};
  LineReader in(path);
  return read_ego4d(in, read_header(in), r);
}

ImuFileFormat detect_imu_file_format(const std::string& path) {
  LineReader in(path);
  return is_ego4d_header(normalized_names(read_header(in))) ? ImuFileFormat::Ego4d
                                                            : ImuFileFormat::Canonical;
}

ImuSeries read_imu_file(const std::string& path, ReadReport* report) {
  ReadReport local;
  ReadReport& r = report ? *report : local;
  r = ReadReport{};
  LineReader in(path);
  const std::string header = read_header(in);
  if (is_ego4d_header(normalized_names(header))) return read_ego4d(in, header, r);
  return read_canonical(in, header, r);
}

}  // namespace imu2clip
