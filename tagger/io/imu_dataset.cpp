#include "tagger/io/imu_dataset.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "tagger/io/csv_fields.h"
#include "tagger/io/line_reader.h"

namespace imu2clip {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// "x.csv.gz" -> "x", "x.csv" -> "x"; empty for anything else.
std::string recording_stem(const std::string& filename) {
  for (const char* ext : {".csv.gz", ".csv"})
    if (ends_with(filename, ext)) return filename.substr(0, filename.size() - std::string(ext).size());
  return {};
}

std::optional<std::string> optional_string(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

void attach_manifest(ImuDataset& ds, const fs::path& manifest) {
  json doc;
  {
    std::ifstream f(manifest, std::ios::binary);
    if (!f) throw Error(ErrorKind::Io, "cannot open for reading", {manifest.string(), 0, ""});
    try {
      doc = json::parse(f);
    } catch (const json::parse_error& e) {
      throw Error(ErrorKind::Corrupt, std::string("not valid JSON: ") + e.what(), {manifest.string(), 0, ""});
    }
  }
  if (!doc.is_object() || !doc.contains("recordings") || !doc["recordings"].is_array())
    throw Error(ErrorKind::Corrupt, "lacks the \"recordings\" array", {manifest.string(), 0, "recordings"});
  ds.manifest_path = manifest.string();
  if (auto n = optional_string(doc, "name")) ds.name = *n;

  std::map<std::string, RecordingEntry*> by_stem;
  for (auto& r : ds.recordings) by_stem[recording_stem(fs::path(r.path).filename().string())] = &r;
  int64_t without_file = 0;
  for (const auto& rec : doc["recordings"]) {
    if (!rec.is_object()) continue;
    const auto id = optional_string(rec, "id");
    if (!id) continue;
    // The manifest's "file" names the file; its stem normally equals the id.
    std::string stem = *id;
    if (auto file = optional_string(rec, "file")) stem = recording_stem(fs::path(*file).filename().string());
    auto it = by_stem.find(stem);
    if (it == by_stem.end()) it = by_stem.find(*id);
    if (it == by_stem.end()) {
      ++without_file;
      continue;
    }
    RecordingEntry& e = *it->second;
    e.id = *id;
    e.in_manifest = true;
    e.subject = optional_string(rec, "subject");
    e.split = optional_string(rec, "split");
    auto epoch = rec.find("start_epoch_ms");
    if (epoch != rec.end() && epoch->is_number()) e.start_epoch_ms = epoch->get<int64_t>();
  }
  if (without_file > 0)
    ds.warnings.push_back(std::to_string(without_file) + " manifest recordings have no file in " +
                          ds.recordings_dir);
  const fs::path labels = manifest.parent_path() / "labels.csv";
  std::error_code ec;
  if (fs::is_regular_file(labels, ec)) ds.labels_path = labels.string();
}

}  // namespace

ImuDataset list_imu_recordings(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(ErrorKind::NotFound, "directory not found; pass the folder holding the CSV recordings",
                {dir, 0, ""});
  ImuDataset ds;
  ds.dir = dir;
  const fs::path root = fs::path(dir);
  fs::path abs_dir = fs::absolute(root, ec).lexically_normal();
  if (abs_dir.filename().empty()) abs_dir = abs_dir.parent_path();  // "dir/" -> "dir"
  fs::path files_dir = root;
  fs::path manifest;
  if (fs::is_regular_file(root / "manifest.json", ec)) {
    manifest = root / "manifest.json";
    if (fs::is_directory(root / "recordings", ec)) files_dir = root / "recordings";
  } else if (fs::is_regular_file(abs_dir.parent_path() / "manifest.json", ec)) {
    manifest = abs_dir.parent_path() / "manifest.json";  // DIR is the dataset's recordings/
  }
  ds.recordings_dir = files_dir.string();
  ds.name = abs_dir.filename().string();

  for (const auto& entry : fs::directory_iterator(files_dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const std::string filename = entry.path().filename().string();
    const std::string stem = recording_stem(filename);
    if (stem.empty() || filename.front() == '.') continue;
    RecordingEntry r;
    r.id = stem;
    r.path = entry.path().string();
    ds.recordings.push_back(std::move(r));
  }
  if (ec) throw Error(ErrorKind::Io, "cannot list directory: " + ec.message(), {files_dir.string(), 0, ""});
  std::sort(ds.recordings.begin(), ds.recordings.end(),
            [](const RecordingEntry& a, const RecordingEntry& b) { return a.path < b.path; });
  if (!manifest.empty()) attach_manifest(ds, manifest);
  return ds;
}

std::vector<LabelSegment> read_labels_csv(const std::string& path) {
  LineReader in(path);
  std::string_view line;
  if (!in.next(line)) throw Error(ErrorKind::InvalidInput, "file is empty; expected a header", {path, 0, ""});
  std::vector<std::string_view> fields;
  split_views(line, ',', fields);
  const size_t columns = fields.size();
  int col_id = -1, col_start = -1, col_end = -1, col_label = -1, col_source = -1;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string n = csv::normalize_header_name(fields[i]);
    const int c = static_cast<int>(i);
    if (n == "recording_id") col_id = c;
    else if (n == "start_ms") col_start = c;
    else if (n == "end_ms") col_end = c;
    else if (n == "label") col_label = c;
    else if (n == "source_label") col_source = c;
  }
  for (auto [col, name] : {std::pair{col_id, "recording_id"}, {col_start, "start_ms"},
                           {col_end, "end_ms"}, {col_label, "label"}})
    if (col < 0)
      throw Error(ErrorKind::InvalidInput, std::string("missing required column '") + name + "'",
                  {path, 1, name});

  std::vector<LabelSegment> out;
  while (in.next(line)) {
    if (trim_view(line).empty()) continue;
    split_views(line, ',', fields);
    if (fields.size() != columns)
      throw Error(ErrorKind::InvalidInput,
                  "expected " + std::to_string(columns) + " fields as in the header, found " +
                      std::to_string(fields.size()) + " (labels must not contain commas)",
                  {path, in.line_number(), ""});
    LabelSegment s;
    s.recording_id = std::string(csv::unquote_field(fields[col_id]));
    s.label = std::string(csv::unquote_field(fields[col_label]));
    if (col_source >= 0) s.source_label = std::string(csv::unquote_field(fields[col_source]));
    if (s.recording_id.empty())
      throw Error(ErrorKind::InvalidInput, "empty recording_id", {path, in.line_number(), "recording_id"});
    if (s.label.empty())
      throw Error(ErrorKind::InvalidInput, "empty label", {path, in.line_number(), "label"});
    for (auto [col, dest, name] : {std::tuple{col_start, &s.start_ms, "start_ms"},
                                   std::tuple{col_end, &s.end_ms, "end_ms"}}) {
      if (csv::parse_double(fields[col], *dest) != csv::Parse::Ok || !std::isfinite(*dest))
        throw Error(ErrorKind::InvalidInput,
                    "'" + std::string(csv::unquote_field(fields[col])) + "' is not a finite number",
                    {path, in.line_number(), name});
    }
    if (s.end_ms < s.start_ms)
      throw Error(ErrorKind::InvalidInput, "end_ms is before start_ms", {path, in.line_number(), "end_ms"});
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace imu2clip
