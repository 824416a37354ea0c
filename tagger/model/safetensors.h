#pragma once
// The safetensors file format (8-byte little-endian header length, JSON header with an
// optional "__metadata__" string map, then raw little-endian tensor bytes), written and read
// without torch so any module can inspect a bundle. Python's `safetensors` reads our files.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace imu2clip {

enum class DType { F32, F16, BF16, F64, I64, I32, U8 };
const char* dtype_name(DType d);    // "F32", ... as in the safetensors spec
size_t dtype_size(DType d);

struct TensorData {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;       // little-endian, row-major
  int64_t numel() const;
};

struct SafetensorsFile {
  std::map<std::string, std::string> metadata;
  std::map<std::string, TensorData> tensors;
};

// Writes atomically (temporary file + rename) so a crash never leaves a half-written model.
void write_safetensors(const std::string& path, const SafetensorsFile& file);
// Validates header size, JSON, dtypes, shapes vs byte ranges, overlaps and bounds; throws
// Error(Corrupt) naming the file and the offending tensor or key.
SafetensorsFile read_safetensors(const std::string& path);
// The same for a file already in memory (e.g. a bundle embedded in the binary); `name` is
// used in error messages in place of the path.
SafetensorsFile read_safetensors_bytes(std::string_view content, const std::string& name);

// Conversions; F16/BF16 are rounded to nearest even.
TensorData tensor_from_f32(const std::vector<int64_t>& shape, const float* data, DType store);
std::vector<float> tensor_to_f32(const TensorData& t);

}  // namespace imu2clip
