// The safetensors reader (tagger/model/safetensors.h), which reads model bundles a user may
// pass with --model. A damaged file is Error(Corrupt) naming it; an accepted one holds tensors
// whose bytes match shape and dtype, converts to floats, and written back reads back the same.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "tagger/model/safetensors.h"

using namespace imu2clip;

namespace {

const std::string kName = "fuzz.safetensors";

bool same_file(const SafetensorsFile& a, const SafetensorsFile& b) {
  if (a.metadata != b.metadata || a.tensors.size() != b.tensors.size()) return false;
  for (const auto& [name, t] : a.tensors) {
    auto it = b.tensors.find(name);
    if (it == b.tensors.end()) return false;
    if (it->second.dtype != t.dtype || it->second.shape != t.shape || it->second.bytes != t.bytes) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = fuzz::scratch_path(".safetensors");
  SafetensorsFile file;
  try {
    file = read_safetensors_bytes(std::string_view(reinterpret_cast<const char*>(data), size), kName);
  } catch (const Error& e) {
    fuzz::check_error(e);
    FUZZ_CHECK(e.kind() == ErrorKind::Corrupt);
    FUZZ_CHECK(e.context().file == kName);
    return 0;
  }
  for (const auto& [name, t] : file.tensors) {
    FUZZ_CHECK(name != "__metadata__");
    FUZZ_CHECK(t.numel() >= 0);
    for (int64_t d : t.shape) FUZZ_CHECK(d >= 0);
    FUZZ_CHECK(static_cast<uint64_t>(t.numel()) * dtype_size(t.dtype) == t.bytes.size());
    FUZZ_CHECK(tensor_to_f32(t).size() == static_cast<size_t>(t.numel()));
  }
  write_safetensors(path, file);
  FUZZ_CHECK(same_file(read_safetensors(path), file));
  return 0;
}
