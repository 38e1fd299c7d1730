#include "framework/recon/activation_cache.h"

#include "framework/core/check.h"
#include "framework/io/spill_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace ptq {
namespace {

void full_pwrite(int fd, const char* p, int64_t n, int64_t off, const std::string& what) {
  while (n > 0) {
    const auto w = ::pwrite(fd, p, static_cast<size_t>(n), off);
    PTQ_CHECK(w > 0, "activation cache: writing {} to the spill file failed: {} (free disk space, set "
                     "method.cache.spill_dir or raise method.cache.memory_mb)",
              what, std::strerror(errno));
    p += w, n -= w, off += w;
  }
}

void full_pread(int fd, char* p, int64_t n, int64_t off, const std::string& what) {
  while (n > 0) {
    const auto r = ::pread(fd, p, static_cast<size_t>(n), off);
    PTQ_CHECK(r > 0, "activation cache: reading {} from the spill file failed: {}", what, std::strerror(errno));
    p += r, n -= r, off += r;
  }
}

}  // namespace

ActivationCache::ActivationCache(CacheOptions options) : options_(std::move(options)) {
  PTQ_CHECK(options_.memory_mb >= 0, "cache.memory_mb: expected an integer >= 0, got {}", options_.memory_mb);
}

ActivationCache::~ActivationCache() {
  while (!entries_.empty()) release(entries_.begin()->first);
}

void ActivationCache::drop(Entry& e) {
  if (e.fd >= 0) {
    ::close(e.fd);
    disk_bytes_ -= e.rows * e.row_bytes;
    e.fd = -1;
  }
  if (e.data.defined()) {
    memory_bytes_ -= e.rows * e.row_bytes;
    e.data = torch::Tensor();
  }
}

const ActivationCache::Entry& ActivationCache::entry(const std::string& name) const {
  auto it = entries_.find(name);
  PTQ_INTERNAL_ASSERT(it != entries_.end(), "activation cache has no entry '{}'", name);
  return *it->second;
}

void ActivationCache::create(const std::string& name, int64_t rows, at::IntArrayRef row_shape) {
  release(name);
  Entry e;
  e.row_shape = row_shape.vec();
  e.rows = rows;
  int64_t numel = 1;
  for (auto d : e.row_shape) numel *= d;
  e.row_bytes = numel * static_cast<int64_t>(sizeof(float));
  const int64_t bytes = rows * e.row_bytes;
  if (memory_bytes_ + bytes <= options_.memory_mb * (int64_t{1} << 20)) {
    auto shape = e.row_shape;
    shape.insert(shape.begin(), rows);
    e.data = torch::empty(shape, torch::kFloat);
    memory_bytes_ += bytes;
    peak_memory_bytes_ = std::max(peak_memory_bytes_, memory_bytes_);
  } else {
    e.fd = io::create_spill_file(options_.spill_dir, bytes, fmt::format("activation cache: entry '{}'", name),
                                 "set method.cache.spill_dir to a folder on a larger disk, or raise "
                                 "method.cache.memory_mb");
    disk_bytes_ += bytes;
    ++spilled_;
  }
  entries_.emplace(name, std::make_shared<Entry>(std::move(e)));
}

void ActivationCache::alias(const std::string& name, const std::string& existing) {
  if (name == existing) return;
  auto it = entries_.find(existing);
  PTQ_INTERNAL_ASSERT(it != entries_.end(), "activation cache has no entry '{}' to alias", existing);
  auto shared = it->second;
  release(name);
  entries_.emplace(name, std::move(shared));
}

bool ActivationCache::same_data(const std::string& a, const std::string& b) const {
  auto ia = entries_.find(a), ib = entries_.find(b);
  return ia != entries_.end() && ib != entries_.end() && ia->second == ib->second;
}

void ActivationCache::write(const std::string& name, int64_t begin, const torch::Tensor& values) {
  auto& e = const_cast<Entry&>(entry(name));
  auto v = values.detach().to(torch::kFloat).contiguous();
  PTQ_INTERNAL_ASSERT(v.dim() == static_cast<int64_t>(e.row_shape.size()) + 1 &&
                          v.sizes().slice(1).vec() == e.row_shape && begin >= 0 && begin + v.size(0) <= e.rows,
                      "activation cache '{}': rows of shape [{}] written at {} do not fit", name,
                      fmt::join(v.sizes(), ", "), begin);
  if (e.data.defined()) {
    e.data.narrow(0, begin, v.size(0)).copy_(v);
  } else {
    full_pwrite(e.fd, static_cast<const char*>(v.data_ptr()), v.numel() * static_cast<int64_t>(sizeof(float)),
                begin * e.row_bytes, name);
  }
}

void ActivationCache::fill(const std::string& name, int64_t rows, int64_t batch,
                           const std::function<torch::Tensor(int64_t, int64_t)>& fn) {
  PTQ_INTERNAL_ASSERT(rows > 0 && batch > 0, "activation cache fill with {} rows, batch {}", rows, batch);
  for (int64_t b = 0; b < rows; b += batch) {
    auto v = fn(b, std::min(batch, rows - b));
    if (b == 0) create(name, rows, v.sizes().slice(1));
    write(name, b, v);
  }
}

torch::Tensor ActivationCache::gather(const std::string& name, const torch::Tensor& indices) const {
  const auto& e = entry(name);
  if (e.data.defined()) return e.data.index_select(0, indices);
  auto shape = e.row_shape;
  shape.insert(shape.begin(), indices.size(0));
  auto out = torch::empty(shape, torch::kFloat);
  auto idx = indices.to(torch::kLong).contiguous();
  const auto* p = idx.data_ptr<int64_t>();
  auto* dst = static_cast<char*>(out.data_ptr());
  for (int64_t i = 0; i < idx.numel(); ++i) {
    PTQ_INTERNAL_ASSERT(p[i] >= 0 && p[i] < e.rows, "activation cache '{}': row {} of {}", name, p[i], e.rows);
    full_pread(e.fd, dst + i * e.row_bytes, e.row_bytes, p[i] * e.row_bytes, name);
  }
  return out;
}

torch::Tensor ActivationCache::slice(const std::string& name, int64_t begin, int64_t count) const {
  const auto& e = entry(name);
  PTQ_INTERNAL_ASSERT(begin >= 0 && count >= 0 && begin + count <= e.rows, "activation cache '{}': slice {}+{} of {}",
                      name, begin, count, e.rows);
  if (e.data.defined()) return e.data.narrow(0, begin, count);
  return gather(name, torch::arange(begin, begin + count, torch::kLong));
}

torch::Tensor ActivationCache::in_memory(const std::string& name) const { return entry(name).data; }

std::vector<std::string> ActivationCache::names() const {
  std::vector<std::string> out;
  for (const auto& kv : entries_) out.push_back(kv.first);
  return out;
}

int64_t ActivationCache::rows(const std::string& name) const { return entry(name).rows; }
bool ActivationCache::on_disk(const std::string& name) const { return entry(name).fd >= 0; }

void ActivationCache::release(const std::string& name) {
  auto it = entries_.find(name);
  if (it == entries_.end()) return;
  if (it->second.use_count() == 1) drop(*it->second);  // the last name of its data
  entries_.erase(it);
}

void ActivationCache::rename(const std::string& from, const std::string& to) {
  if (from == to) return;
  release(to);
  auto node = entries_.extract(from);
  PTQ_INTERNAL_ASSERT(!node.empty(), "activation cache has no entry '{}' to rename", from);
  node.key() = to;
  entries_.insert(std::move(node));
}

}  // namespace ptq
