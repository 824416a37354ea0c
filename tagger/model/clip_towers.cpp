#include "tagger/model/clip_towers.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/text/clip_tokenizer.h"

namespace imu2clip {
namespace {

torch::jit::Module load_module(const std::string& path, const char* what) {
  if (!std::filesystem::is_regular_file(path)) {
    throw Error(ErrorKind::NotFound, std::string("CLIP ") + what + " tower not found (export it with scripts/export_clip.py)",
                ErrorContext{path, 0, ""});
  }
  try {
    auto m = torch::jit::load(path, torch::Device(torch::kCPU));
    m.eval();
    return m;
  } catch (const c10::Error& e) {
    throw Error(ErrorKind::Corrupt, std::string("not a TorchScript module: ") + e.what_without_backtrace(),
                ErrorContext{path, 0, ""});
  }
}

// Runs forward under no_grad and returns the rows of the [N, dim] result, each scaled to unit length.
std::vector<std::vector<float>> forward_rows(torch::jit::Module& m, std::mutex& mu, const torch::Tensor& input,
                                             int dim, const std::string& path) {
  torch::Tensor out;
  {
    std::lock_guard<std::mutex> lock(mu);
    torch::NoGradGuard no_grad;
    try {
      out = m.forward({input}).toTensor();
    } catch (const c10::Error& e) {
      throw Error(ErrorKind::Corrupt, std::string("the tower's forward failed: ") + e.what_without_backtrace(),
                  ErrorContext{path, 0, ""});
    }
  }
  if (out.dim() != 2 || out.size(0) != input.size(0) || out.size(1) != dim) {
    throw Error(ErrorKind::Corrupt,
                "the tower returned shape " + std::string(c10::str(out.sizes())) + ", expected [" +
                    std::to_string(input.size(0)) + ", " + std::to_string(dim) + "] (embed_dim of clip.json)",
                ErrorContext{path, 0, "embed_dim"});
  }
  out = out.to(torch::kFloat32).contiguous();
  std::vector<std::vector<float>> rows(static_cast<size_t>(out.size(0)));
  const float* p = out.data_ptr<float>();
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].assign(p + i * dim, p + (i + 1) * dim);
    double ss = 0;
    for (float v : rows[i]) ss += double(v) * v;
    const double n = std::sqrt(ss);
    if (n > 0) {
      for (float& v : rows[i]) v = static_cast<float>(v / n);
    }
  }
  return rows;
}

std::string dir_param(const nlohmann::json& params) {
  if (!params.is_object() || !params.contains("dir") || !params.at("dir").is_string() ||
      params.at("dir").get<std::string>().empty()) {
    throw Error(ErrorKind::InvalidInput,
                "text tower 'clip' needs {\"dir\": DIR}, the folder scripts/export_clip.py wrote (on the command "
                "line: --tower clip:DIR)",
                ErrorContext{"", 0, "dir"});
  }
  for (const auto& [key, value] : params.items()) {
    if (key != "dir" && key != "dim" && key != "model") {
      throw Error(ErrorKind::InvalidInput, "unknown key for text tower 'clip' (known: dir, dim, model)",
                  ErrorContext{"", 0, key});
    }
  }
  return std::filesystem::absolute(params.at("dir").get<std::string>()).lexically_normal().string();
}

}  // namespace

struct ClipTextTower::Impl {
  ClipConfig config;
  ClipTokenizer tokenizer;
  mutable torch::jit::Module module;
  mutable std::mutex mu;
};

ClipTextTower::ClipTextTower(const nlohmann::json& params) {
  const std::string dir = dir_param(params);
  auto config = ClipConfig::read(dir);
  if (params.contains("dim") && (!params.at("dim").is_number_integer() || params.at("dim").get<int>() != config.embed_dim)) {
    throw Error(ErrorKind::Corrupt,
                "the CLIP model in this folder embeds into " + std::to_string(config.embed_dim) +
                    " dimensions, not the recorded " + params.at("dim").dump() + ": a different model",
                ErrorContext{config.path(ClipConfig::kFileName), 0, "embed_dim"});
  }
  auto tokenizer = ClipTokenizer::from_file(config.path(config.vocab));
  auto module = load_module(config.path(config.text_tower), "text");
  impl_ = std::unique_ptr<Impl>(new Impl{std::move(config), std::move(tokenizer), std::move(module), {}});
}

ClipTextTower::~ClipTextTower() = default;
int ClipTextTower::dim() const { return impl_->config.embed_dim; }
const ClipConfig& ClipTextTower::config() const { return impl_->config; }

nlohmann::json ClipTextTower::params() const {
  return {{"dir", impl_->config.dir}, {"dim", impl_->config.embed_dim}, {"model", impl_->config.model}};
}

std::vector<float> ClipTextTower::embed(const std::string& text) const { return embed_batch({text}).at(0); }

std::vector<std::vector<float>> ClipTextTower::embed_batch(const std::vector<std::string>& texts) const {
  if (texts.empty()) return {};
  const int ctx = impl_->config.context_length;
  auto tokens = torch::zeros({static_cast<int64_t>(texts.size()), ctx}, torch::kInt64);
  auto acc = tokens.accessor<int64_t, 2>();
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto ids = impl_->tokenizer.encode_with_special(texts[i], ctx);
    for (size_t k = 0; k < ids.size(); ++k) acc[static_cast<int64_t>(i)][static_cast<int64_t>(k)] = ids[k];
  }
  return forward_rows(impl_->module, impl_->mu, tokens, dim(), impl_->config.path(impl_->config.text_tower));
}

struct ClipImageTower::Impl {
  ClipConfig config;
  mutable torch::jit::Module module;
  mutable std::mutex mu;
};

ClipImageTower::ClipImageTower(const std::string& dir) {
  auto config = ClipConfig::read(dir);
  auto module = load_module(config.path(config.image_tower), "image");
  impl_ = std::unique_ptr<Impl>(new Impl{std::move(config), std::move(module), {}});
}

ClipImageTower::~ClipImageTower() = default;
int ClipImageTower::dim() const { return impl_->config.embed_dim; }
const ClipConfig& ClipImageTower::config() const { return impl_->config; }

std::vector<std::vector<float>> ClipImageTower::embed(const std::vector<RgbImage>& images, int batch) const {
  if (batch < 1) throw Error(ErrorKind::InvalidInput, "batch must be positive", ErrorContext{"", 0, "batch"});
  const int crop = impl_->config.image.crop;
  const size_t per_image = size_t(3) * crop * crop;
  std::vector<std::vector<float>> out;
  out.reserve(images.size());
  for (size_t start = 0; start < images.size(); start += static_cast<size_t>(batch)) {
    const size_t n = std::min(images.size() - start, static_cast<size_t>(batch));
    auto input = torch::empty({static_cast<int64_t>(n), 3, crop, crop}, torch::kFloat32);
    float* dst = input.data_ptr<float>();
    for (size_t i = 0; i < n; ++i) {
      const auto pixels = clip_preprocess(images[start + i], impl_->config.image);
      std::copy(pixels.begin(), pixels.end(), dst + i * per_image);
    }
    auto rows = forward_rows(impl_->module, impl_->mu, input, dim(), impl_->config.path(impl_->config.image_tower));
    for (auto& r : rows) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace imu2clip
