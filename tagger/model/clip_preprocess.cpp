#include "tagger/model/clip_preprocess.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace imu2clip {
namespace {

double bicubic(double x) {  // PIL's, a = -0.5
  constexpr double a = -0.5;
  x = std::fabs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

double bilinear(double x) {
  x = std::fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

// PIL's precompute_coeffs + normalize_coeffs_8bpc: for each output position, the first input index and
// fixed-point weights (22 fractional bits).
struct Taps {
  int first = 0;
  std::vector<int32_t> weights;
};
constexpr int kPrecisionBits = 32 - 8 - 2;

std::vector<Taps> coefficients(int in_size, int out_size, bool cubic) {
  const double support_1 = cubic ? 2.0 : 1.0;
  const double scale = double(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = support_1 * filterscale;
  std::vector<Taps> out(static_cast<size_t>(out_size));
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    std::vector<double> k(static_cast<size_t>(std::max(xmax, 0)));
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double arg = (x + xmin - center + 0.5) * ss;
      k[x] = cubic ? bicubic(arg) : bilinear(arg);
      ww += k[x];
    }
    auto& taps = out[static_cast<size_t>(xx)];
    taps.first = xmin;
    for (double w : k) {
      if (ww != 0.0) w /= ww;
      const double f = w * (1 << kPrecisionBits);
      taps.weights.push_back(static_cast<int32_t>(w < 0 ? f - 0.5 : f + 0.5));
    }
  }
  return out;
}

uint8_t clip8(int64_t acc) {
  const int64_t v = acc >> kPrecisionBits;
  return static_cast<uint8_t>(std::clamp<int64_t>(v, 0, 255));
}

// One separable pass along x (horizontal) or y.
RgbImage pass(const RgbImage& in, int out_size, bool horizontal, bool cubic) {
  const int in_size = horizontal ? in.width : in.height;
  const auto taps = coefficients(in_size, out_size, cubic);
  RgbImage out;
  out.width = horizontal ? out_size : in.width;
  out.height = horizontal ? in.height : out_size;
  out.pixels.resize(size_t(out.width) * out.height * 3);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      const auto& t = taps[static_cast<size_t>(horizontal ? x : y)];
      for (int c = 0; c < 3; ++c) {
        int64_t acc = int64_t(1) << (kPrecisionBits - 1);
        for (size_t k = 0; k < t.weights.size(); ++k) {
          const int src = t.first + static_cast<int>(k);
          const size_t at = horizontal ? (size_t(y) * in.width + src) * 3 + c : (size_t(src) * in.width + x) * 3 + c;
          acc += int64_t(in.pixels[at]) * t.weights[k];
        }
        out.pixels[(size_t(y) * out.width + x) * 3 + c] = clip8(acc);
      }
    }
  }
  return out;
}

void check_image(const RgbImage& image) {
  if (image.width < 1 || image.height < 1) throw Error(ErrorKind::InvalidInput, "the image has no pixels");
  if (image.pixels.size() != size_t(image.width) * image.height * 3) {
    throw Error(ErrorKind::InvalidInput, "the image's pixel buffer is not width x height x 3 bytes");
  }
}

}  // namespace

RgbImage resize_like_pil(const RgbImage& image, int width, int height, const std::string& interpolation) {
  check_image(image);
  if (width < 1 || height < 1) throw Error(ErrorKind::InvalidInput, "cannot resize an image to no pixels");
  const bool cubic = interpolation != "bilinear";
  RgbImage out = image;
  if (width != image.width) out = pass(out, width, /*horizontal=*/true, cubic);
  if (height != image.height) out = pass(out, height, /*horizontal=*/false, cubic);
  return out;
}

std::vector<float> clip_preprocess(const RgbImage& image, const ClipImagePreprocess& o) {
  check_image(image);
  // torchvision Resize(int): the shorter side becomes o.resize, the longer int(resize * long / short).
  int w = o.resize, h = o.resize;
  if (image.width < image.height) h = static_cast<int>(double(o.resize) * image.height / image.width);
  else if (image.height < image.width) w = static_cast<int>(double(o.resize) * image.width / image.height);
  const RgbImage resized = resize_like_pil(image, w, h, o.interpolation);
  const int top = static_cast<int>(std::nearbyint((h - o.crop) / 2.0));
  const int left = static_cast<int>(std::nearbyint((w - o.crop) / 2.0));
  std::vector<float> out(size_t(3) * o.crop * o.crop);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < o.crop; ++y) {
      for (int x = 0; x < o.crop; ++x) {
        const float v = resized.pixels[(size_t(top + y) * w + (left + x)) * 3 + c] / 255.0f;
        out[(size_t(c) * o.crop + y) * o.crop + x] = (v - o.mean[c]) / o.std[c];
      }
    }
  }
  return out;
}

}  // namespace imu2clip
