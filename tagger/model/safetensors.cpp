#include "tagger/model/safetensors.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/model/float16.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors stores little-endian bytes; add byte swapping for big-endian hosts");

namespace imu2clip {
namespace {

// The reference implementation refuses headers above 100 MB; so do we, so a damaged length
// field cannot make us allocate gigabytes.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr const char* kMetadataKey = "__metadata__";

[[noreturn]] void corrupt(const std::string& path, const std::string& field, const std::string& what) {
  throw Error(ErrorKind::Corrupt,
              what + " (the file is not a valid safetensors file; re-export or re-download it)",
              ErrorContext{path, 0, field});
}

bool parse_dtype(const std::string& name, DType& out) {
  for (DType d : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I64, DType::I32, DType::U8}) {
    if (name == dtype_name(d)) {
      out = d;
      return true;
    }
  }
  return false;
}

// numel * element size, or false on overflow / negative dimensions.
bool byte_size(const std::vector<int64_t>& shape, DType dtype, uint64_t& out) {
  uint64_t n = dtype_size(dtype);
  for (int64_t dim : shape) {
    if (dim < 0) return false;
    if (dim != 0 && n > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(dim)) return false;
    n *= static_cast<uint64_t>(dim);
  }
  out = n;
  return true;
}

std::string read_whole_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw Error(ErrorKind::NotFound, "file does not exist; check the path", ErrorContext{path, 0, ""});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Io, "cannot open file for reading; check permissions", ErrorContext{path, 0, ""});
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(ErrorKind::Io, "read failed", ErrorContext{path, 0, ""});
  return content;
}

void write_all(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::Io, std::string("write failed: ") + std::strerror(errno), ErrorContext{path, 0, ""});
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// Temporary file in the target's directory + fsync + rename: readers see the old file or the
// complete new one, never a prefix, even if we crash mid-way.
void write_file_atomically(const std::string& path, const std::string& header,
                           const std::vector<const TensorData*>& payload) {
  static std::atomic<unsigned> counter{0};
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error(ErrorKind::Io,
                std::string("cannot create file: ") + std::strerror(errno) + "; check that the directory exists and is writable",
                ErrorContext{path, 0, ""});
  }
  try {
    write_all(fd, header.data(), header.size(), path);
    for (const TensorData* t : payload) {
      write_all(fd, reinterpret_cast<const char*>(t->bytes.data()), t->bytes.size(), path);
    }
    if (::fsync(fd) != 0) throw Error(ErrorKind::Io, std::string("fsync failed: ") + std::strerror(errno), ErrorContext{path, 0, ""});
    if (::close(fd) != 0) {
      fd = -1;
      throw Error(ErrorKind::Io, std::string("close failed: ") + std::strerror(errno), ErrorContext{path, 0, ""});
    }
    fd = -1;
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      throw Error(ErrorKind::Io, std::string("rename failed: ") + std::strerror(errno), ErrorContext{path, 0, ""});
    }
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  // Persist the rename itself; failure here is not fatal for the data already written.
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void check_tensor_for_write(const std::string& path, const std::string& name, const TensorData& t) {
  if (name.empty() || name == kMetadataKey) {
    throw Error(ErrorKind::InvalidInput, "tensor name must be non-empty and not \"__metadata__\"",
                ErrorContext{path, 0, name});
  }
  uint64_t expected = 0;
  if (!byte_size(t.shape, t.dtype, expected) || expected != t.bytes.size()) {
    throw Error(ErrorKind::InvalidInput,
                "tensor holds " + std::to_string(t.bytes.size()) + " bytes but its shape and dtype need " +
                    std::to_string(expected),
                ErrorContext{path, 0, name});
  }
}

TensorData parse_tensor_entry(const std::string& path, const std::string& name, const nlohmann::json& entry,
                              uint64_t& begin, uint64_t& end) {
  // The writer refuses an empty name too: a file we read must be one we can write back.
  if (name.empty()) corrupt(path, name, "tensor name is empty");
  if (!entry.is_object()) corrupt(path, name, "header entry is not an object");
  auto dtype_it = entry.find("dtype");
  auto shape_it = entry.find("shape");
  auto offsets_it = entry.find("data_offsets");
  if (dtype_it == entry.end() || shape_it == entry.end() || offsets_it == entry.end()) {
    corrupt(path, name, "header entry needs \"dtype\", \"shape\" and \"data_offsets\"");
  }
  TensorData t;
  if (!dtype_it->is_string() || !parse_dtype(dtype_it->get<std::string>(), t.dtype)) {
    corrupt(path, name, "unsupported dtype " + dtype_it->dump() + " (supported: F32 F16 BF16 F64 I64 I32 U8)");
  }
  if (!shape_it->is_array()) corrupt(path, name, "shape is not an array");
  for (const auto& dim : *shape_it) {
    if (!dim.is_number_unsigned()) corrupt(path, name, "shape entry " + dim.dump() + " is not a non-negative integer");
    uint64_t d = dim.get<uint64_t>();
    if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) corrupt(path, name, "shape entry too large");
    t.shape.push_back(static_cast<int64_t>(d));
  }
  if (!offsets_it->is_array() || offsets_it->size() != 2 || !(*offsets_it)[0].is_number_unsigned() ||
      !(*offsets_it)[1].is_number_unsigned()) {
    corrupt(path, name, "data_offsets must be [begin, end] with non-negative integers");
  }
  begin = (*offsets_it)[0].get<uint64_t>();
  end = (*offsets_it)[1].get<uint64_t>();
  if (end < begin) corrupt(path, name, "data_offsets end is before begin");
  uint64_t expected = 0;
  if (!byte_size(t.shape, t.dtype, expected)) corrupt(path, name, "shape is too large");
  if (expected != end - begin) {
    corrupt(path, name,
            "shape and dtype need " + std::to_string(expected) + " bytes but data_offsets span " +
                std::to_string(end - begin));
  }
  return t;
}

}  // namespace

const char* dtype_name(DType d) {
  switch (d) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::F64: return "F64";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::U8: return "U8";
  }
  return "?";
}

size_t dtype_size(DType d) {
  switch (d) {
    case DType::F64:
    case DType::I64: return 8;
    case DType::F32:
    case DType::I32: return 4;
    case DType::F16:
    case DType::BF16: return 2;
    case DType::U8: return 1;
  }
  return 0;
}

int64_t TensorData::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

void write_safetensors(const std::string& path, const SafetensorsFile& file) {
  // Same layout as the reference writer: larger elements first, then by name, so every
  // tensor starts at a multiple of its element size (the header is padded to 8 bytes).
  std::vector<std::pair<const std::string*, const TensorData*>> order;
  for (const auto& [name, tensor] : file.tensors) {
    check_tensor_for_write(path, name, tensor);
    order.emplace_back(&name, &tensor);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return dtype_size(a.second->dtype) > dtype_size(b.second->dtype);
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!file.metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [k, v] : file.metadata) meta[k] = v;
    header[kMetadataKey] = std::move(meta);
  }
  std::vector<const TensorData*> payload;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : order) {
    const uint64_t size = tensor->bytes.size();
    header[*name] = {{"dtype", dtype_name(tensor->dtype)},
                     {"shape", tensor->shape},
                     {"data_offsets", {offset, offset + size}}};
    offset += size;
    payload.push_back(tensor);
  }
  std::string json;
  try {
    json = header.dump();
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::InvalidInput, std::string("metadata or tensor name is not valid UTF-8: ") + e.what(),
                ErrorContext{path, 0, ""});
  }
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string prefix(8, '\0');
  const uint64_t n = json.size();
  std::memcpy(prefix.data(), &n, 8);
  write_file_atomically(path, prefix + json, payload);
}

SafetensorsFile read_safetensors(const std::string& path) {
  const std::string content = read_whole_file(path);
  return read_safetensors_bytes(content, path);
}

SafetensorsFile read_safetensors_bytes(std::string_view content, const std::string& path) {
  if (content.size() < 8) {
    corrupt(path, "", "file is " + std::to_string(content.size()) + " bytes, shorter than the 8-byte header length");
  }
  uint64_t header_len = 0;
  std::memcpy(&header_len, content.data(), 8);
  if (header_len > kMaxHeaderBytes) corrupt(path, "", "header length " + std::to_string(header_len) + " is absurd");
  if (header_len > content.size() - 8) {
    corrupt(path, "", "header length " + std::to_string(header_len) + " exceeds the file size (truncated file?)");
  }
  const std::string_view header_text(content.data() + 8, header_len);
  if (header_text.empty() || header_text.front() != '{') corrupt(path, "", "header does not start with '{'");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(header_text);
  } catch (const nlohmann::json::exception& e) {
    corrupt(path, "", std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) corrupt(path, "", "header is not a JSON object");

  const uint64_t data_start = 8 + header_len;
  const uint64_t data_size = content.size() - data_start;
  SafetensorsFile out;
  struct Span {
    uint64_t begin, end;
    std::string name;
  };
  std::vector<Span> spans;
  for (const auto& [name, entry] : header.items()) {
    if (name == kMetadataKey) {
      if (!entry.is_object()) corrupt(path, name, "metadata is not a JSON object");
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string()) corrupt(path, "__metadata__." + k, "metadata values must be strings");
        out.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    uint64_t begin = 0, end = 0;
    TensorData t = parse_tensor_entry(path, name, entry, begin, end);
    if (end > data_size) {
      corrupt(path, name,
              "data_offsets end " + std::to_string(end) + " is past the " + std::to_string(data_size) +
                  " data bytes (truncated file?)");
    }
    t.bytes.assign(reinterpret_cast<const uint8_t*>(content.data()) + data_start + begin,
                   reinterpret_cast<const uint8_t*>(content.data()) + data_start + end);
    spans.push_back({begin, end, name});
    out.tensors.emplace(name, std::move(t));
  }
  // Tensors must tile the data buffer exactly: no overlaps, no holes, no trailing bytes.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected_begin = 0;
  for (const Span& s : spans) {
    if (s.begin < expected_begin) corrupt(path, s.name, "data overlaps the previous tensor");
    if (s.begin > expected_begin) corrupt(path, s.name, "gap of unused bytes before this tensor");
    expected_begin = s.end;
  }
  if (expected_begin != data_size) {
    corrupt(path, "", std::to_string(data_size - expected_begin) + " bytes after the last tensor belong to no tensor");
  }
  return out;
}

TensorData tensor_from_f32(const std::vector<int64_t>& shape, const float* data, DType store) {
  TensorData t;
  t.dtype = store;
  t.shape = shape;
  const int64_t n = t.numel();
  if (n < 0) throw Error(ErrorKind::InvalidInput, "tensor shape has a negative dimension");
  t.bytes.resize(static_cast<size_t>(n) * dtype_size(store));
  uint8_t* out = t.bytes.data();
  switch (store) {
    case DType::F32:
      if (n > 0) std::memcpy(out, data, static_cast<size_t>(n) * 4);
      break;
    case DType::F64:
      for (int64_t i = 0; i < n; ++i) {
        const double v = data[i];
        std::memcpy(out + 8 * i, &v, 8);
      }
      break;
    case DType::F16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t v = f32_to_f16(data[i]);
        std::memcpy(out + 2 * i, &v, 2);
      }
      break;
    case DType::BF16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t v = f32_to_bf16(data[i]);
        std::memcpy(out + 2 * i, &v, 2);
      }
      break;
    default:
      throw Error(ErrorKind::InvalidInput,
                  std::string("cannot store float values as ") + dtype_name(store) + "; use F32, F16, BF16 or F64");
  }
  return t;
}

std::vector<float> tensor_to_f32(const TensorData& t) {
  const int64_t n = t.numel();
  if (n < 0 || static_cast<uint64_t>(n) * dtype_size(t.dtype) != t.bytes.size()) {
    throw Error(ErrorKind::InvalidInput, "tensor byte size does not match its shape and dtype");
  }
  std::vector<float> out(static_cast<size_t>(n));
  const uint8_t* in = t.bytes.data();
  auto load = [in](auto& value, int64_t i) { std::memcpy(&value, in + sizeof(value) * i, sizeof(value)); };
  for (int64_t i = 0; i < n; ++i) {
    switch (t.dtype) {
      case DType::F32: { float v; load(v, i); out[i] = v; break; }
      case DType::F64: { double v; load(v, i); out[i] = static_cast<float>(v); break; }
      case DType::F16: { uint16_t v; load(v, i); out[i] = f16_to_f32(v); break; }
      case DType::BF16: { uint16_t v; load(v, i); out[i] = bf16_to_f32(v); break; }
      case DType::I64: { int64_t v; load(v, i); out[i] = static_cast<float>(v); break; }
      case DType::I32: { int32_t v; load(v, i); out[i] = static_cast<float>(v); break; }
      case DType::U8: { uint8_t v; load(v, i); out[i] = v; break; }
    }
  }
  return out;
}

}  // namespace imu2clip
