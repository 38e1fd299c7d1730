#include "framework/io/mapped_tensor.h"

#include "framework/core/check.h"
#include "framework/io/spill_file.h"

#include <cerrno>
#include <cstring>

#include <sys/mman.h>
#include <unistd.h>

namespace ptq::io {
namespace {

struct Mapping {
  void* address = nullptr;
  size_t bytes = 0;
  int fd = -1;
};

// The storage's deleter: unmaps and closes (the file was unlinked at creation, so its blocks
// are freed here). Also how is_mapped_tensor recognises the storage.
void release_mapping(void* context) {
  auto* m = static_cast<Mapping*>(context);
  if (m->address) ::munmap(m->address, m->bytes);
  if (m->fd >= 0) ::close(m->fd);
  delete m;
}

}  // namespace

torch::Tensor empty_mapped_tensor(at::IntArrayRef shape, const std::string& dir, const std::string& what,
                                  const std::string& fix) {
  int64_t numel = 1;
  for (const auto d : shape) numel *= d;
  const int64_t bytes = numel * static_cast<int64_t>(sizeof(float));
  auto* m = new Mapping;
  m->bytes = static_cast<size_t>(std::max<int64_t>(bytes, 1));
  try {
    m->fd = create_spill_file(dir, std::max<int64_t>(bytes, 1), what, fix);
  } catch (...) {
    delete m;
    throw;
  }
  m->address = ::mmap(nullptr, m->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
  if (m->address == MAP_FAILED) {
    const int err = errno;
    m->address = nullptr;
    release_mapping(m);
    PTQ_FAIL("{}: cannot map a {:.1f} MiB spill file: {} ({})", what, static_cast<double>(bytes) / (1 << 20),
             std::strerror(err), fix);
  }
  c10::DataPtr data(m->address, m, &release_mapping, c10::Device(c10::kCPU));
  c10::Storage storage(c10::Storage::use_byte_size_t(), static_cast<int64_t>(bytes), std::move(data),
                       /*allocator=*/nullptr, /*resizable=*/false);
  return torch::empty({0}, torch::kFloat).set_(std::move(storage), 0, shape);
}

bool is_mapped_tensor(const torch::Tensor& t) {
  return t.defined() && t.has_storage() && t.storage().data_ptr().get_deleter() == &release_mapping;
}

}  // namespace ptq::io
