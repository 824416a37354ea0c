#pragma once
// A CLIP model folder as scripts/export_clip.py writes it, with tiny TorchScript towers of the same
// interface built here (torch::jit::Module::define), so loading, tokenising, batching and image
// preprocessing run without CLIP's weights. Include only from tests that link torch.
#include <torch/script.h>

#include <fstream>
#include <string>

namespace imu2clip::test {

// Six merges in CLIP's format. Ids: bytes 0..255, their "</w>" forms 256..511, the merges 512..517
// (wa, lk</w>, walk</w>, in, ing</w>, aa), <|startoftext|> 518, <|endoftext|> 519.
inline const char* tiny_clip_merges() {
  return "#version: 0.2\nw a\nl k</w>\nwa lk</w>\ni n\nin g</w>\na a\n";
}

// "exact": text -> [sum of ids, position of the largest id (the end token), the first id after the start]
//          (embed_dim 3), image -> per-channel mean of the preprocessed pixels (3), context length 8,
//          images resized to 4, cropped to 4, bilinear, mean 0.5, std (0.25, 0.5, 1).
// "train": text -> 8 values from the first 8 ids after the start token, image -> 8 values (embed_dim 8),
//          context length 16: enough spread between labels for a training run.
inline void write_tiny_clip(const std::string& dir, const std::string& kind = "exact") {
  const bool exact = kind == "exact";
  torch::jit::Module text("TinyClipText");
  if (exact) {
    text.define(R"(
def forward(self, tokens):
    return torch.stack([tokens.sum(1).float(), tokens.argmax(1).float(), tokens.select(1, 1).float()], 1)
)");
  } else {
    text.define(R"(
def forward(self, tokens):
    return torch.remainder(tokens.narrow(1, 1, 8), 7).float() - 3.0
)");
  }
  text.save(dir + "/text.pt");
  torch::jit::Module image("TinyClipImage");
  if (exact) {
    image.define(R"(
def forward(self, images):
    return images.mean([2, 3])
)");
  } else {
    image.define(R"(
def forward(self, images):
    return torch.cat([images.mean([2, 3]), images.amax([2, 3]), images.amin([2, 3]).narrow(1, 0, 2)], 1)
)");
  }
  image.save(dir + "/image.pt");
  std::ofstream(dir + "/vocab.txt") << tiny_clip_merges();
  std::ofstream(dir + "/clip.json") << (exact ? R"({"model": "tiny-exact", "embed_dim": 3, "context_length": 8,
      "vocab": "vocab.txt", "text_tower": "text.pt", "image_tower": "image.pt",
      "image": {"resize": 4, "crop": 4, "interpolation": "bilinear", "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.5, 1.0]}})"
                                              : R"({"model": "tiny-train", "embed_dim": 8, "context_length": 16,
      "vocab": "vocab.txt", "text_tower": "text.pt", "image_tower": "image.pt",
      "image": {"resize": 4, "crop": 4, "interpolation": "bicubic"}})");
}

}  // namespace imu2clip::test
