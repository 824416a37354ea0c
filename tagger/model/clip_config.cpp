#include "tagger/model/clip_config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"

namespace imu2clip {
namespace {

[[noreturn]] void bad(const std::string& source, const std::string& key, const std::string& what) {
  throw Error(ErrorKind::Corrupt, what, ErrorContext{source, 0, key});
}

int positive_int(const nlohmann::json& j, const char* key, int fallback, const std::string& source) {
  if (!j.contains(key)) return fallback;
  const auto& v = j.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 1000000) bad(source, key, "must be a positive integer");
  return v.get<int>();
}

std::string file_name(const nlohmann::json& j, const char* key, const std::string& fallback, const std::string& source) {
  if (!j.contains(key)) return fallback;
  const auto& v = j.at(key);
  if (!v.is_string() || v.get<std::string>().empty()) bad(source, key, "must be a file name");
  return v.get<std::string>();
}

std::array<float, 3> triple(const nlohmann::json& j, const char* key, std::array<float, 3> fallback,
                            const std::string& source, bool positive) {
  if (!j.contains(key)) return fallback;
  const auto& v = j.at(key);
  if (!v.is_array() || v.size() != 3) bad(source, std::string("image.") + key, "must be three numbers (R, G, B)");
  std::array<float, 3> out{};
  for (size_t i = 0; i < 3; ++i) {
    if (!v[i].is_number() || (positive && !(v[i].get<double>() > 0))) {
      bad(source, std::string("image.") + key, positive ? "must be three positive numbers" : "must be three numbers");
    }
    out[i] = v[i].get<float>();
  }
  return out;
}

}  // namespace

ClipConfig ClipConfig::read(const std::string& dir) {
  const std::string path = dir + "/" + kFileName;
  std::ifstream in(path);
  if (!in) {
    throw Error(ErrorKind::NotFound,
                "no CLIP model here: the folder needs clip.json, written by scripts/export_clip.py with the towers",
                ErrorContext{path, 0, "dir"});
  }
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::Corrupt, std::string("not valid JSON: ") + e.what(), ErrorContext{path, 0, ""});
  }
  return from_json(j, dir, path);
}

ClipConfig ClipConfig::from_json(const nlohmann::json& j, const std::string& dir, const std::string& source) {
  if (!j.is_object()) bad(source, "", "must be a JSON object");
  ClipConfig c;
  c.dir = dir;
  if (j.contains("model") && j.at("model").is_string()) c.model = j.at("model").get<std::string>();
  if (!j.contains("embed_dim")) bad(source, "embed_dim", "missing: the towers' embedding dimension");
  c.embed_dim = positive_int(j, "embed_dim", 0, source);
  c.context_length = positive_int(j, "context_length", c.context_length, source);
  if (c.context_length < 2) bad(source, "context_length", "must be at least 2 (start and end tokens)");
  c.vocab = file_name(j, "vocab", c.vocab, source);
  c.text_tower = file_name(j, "text_tower", c.text_tower, source);
  c.image_tower = file_name(j, "image_tower", c.image_tower, source);
  if (j.contains("image")) {
    const auto& im = j.at("image");
    if (!im.is_object()) bad(source, "image", "must be an object");
    c.image.resize = positive_int(im, "resize", c.image.resize, source);
    c.image.crop = positive_int(im, "crop", c.image.crop, source);
    if (im.contains("interpolation")) {
      const auto& v = im.at("interpolation");
      if (!v.is_string() || (v != "bicubic" && v != "bilinear")) {
        bad(source, "image.interpolation", "must be \"bicubic\" or \"bilinear\"");
      }
      c.image.interpolation = v.get<std::string>();
    }
    c.image.mean = triple(im, "mean", c.image.mean, source, false);
    c.image.std = triple(im, "std", c.image.std, source, true);
  }
  if (c.image.crop > c.image.resize) bad(source, "image.crop", "must not exceed image.resize");
  return c;
}

nlohmann::json ClipConfig::to_json() const {
  return {{"model", model},
          {"embed_dim", embed_dim},
          {"context_length", context_length},
          {"vocab", vocab},
          {"text_tower", text_tower},
          {"image_tower", image_tower},
          {"image",
           {{"resize", image.resize},
            {"interpolation", image.interpolation},
            {"crop", image.crop},
            {"mean", image.mean},
            {"std", image.std}}}};
}

}  // namespace imu2clip
