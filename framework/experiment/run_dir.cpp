#include "framework/experiment/run_dir.h"

#include "framework/core/check.h"
#include "framework/core/process.h"
#include "framework/core/runtime.h"
#include "framework/core/strings.h"
#include "framework/core/time_text.h"
#include "framework/io/atomic_file.h"

#include <chrono>
#include <filesystem>

#include <unistd.h>

namespace ptq {
namespace {

std::string timestamp() { return local_time_text("%Y%m%d-%H%M%S"); }

}  // namespace

std::string ptq_git_commit() {
  const std::string dir = PTQ_SOURCE_DIR;
  const std::string commit = run_command("git -C '" + dir + "' rev-parse HEAD 2>/dev/null").output;
  if (commit.empty()) return "unknown";
  const std::string dirty =
      run_command("git -C '" + dir + "' status --porcelain --untracked-files=no 2>/dev/null").output;
  return dirty.empty() ? commit : commit + "-dirty";
}

std::string host_name() {
  char buf[256] = {0};
  return ::gethostname(buf, sizeof buf - 1) == 0 ? std::string(buf) : "unknown";
}

nlohmann::json environment_json(uint64_t seed, int threads) {
  return {{"ptq_commit", ptq_git_commit()},
          {"libtorch", torch_version()},
          {"threads", threads},
          {"host", host_name()},
          {"started", timestamp()},
          {"seed", seed}};
}

RunDir::RunDir(const std::string& root, const config::Config& cfg, const std::vector<std::string>& argv,
               uint64_t seed, int threads, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!dir.empty()) {
    fs::create_directories(dir, ec);
    PTQ_CHECK(!ec, "cannot create the run directory '{}': {}; choose a writable --run-dir", dir, ec.message());
    PTQ_CHECK(!fs::exists(fs::path(dir) / "metrics.json"),
              "the run directory '{}' already holds a run (metrics.json); remove it or choose another --run-dir", dir);
    path_ = dir;
  } else {
    const fs::path base = fs::path(root) / cfg.name();
    fs::create_directories(base, ec);
    PTQ_CHECK(!ec, "cannot create the run directory '{}': {}; set output.dir to a writable folder", base.string(),
              ec.message());
    const std::string stamp = timestamp();
    fs::path stamped = base / stamp;
    for (int i = 1; !fs::create_directory(stamped, ec); ++i) {
      PTQ_CHECK(!ec, "cannot create the run directory '{}': {}", stamped.string(), ec.message());
      stamped = base / (stamp + "-" + std::to_string(i));
    }
    path_ = stamped.string();
  }
  const fs::path d(path_);
  io::write_text_atomic((d / "config.yaml").string(), cfg.to_yaml());
  io::write_text_atomic((d / "argv.txt").string(), join(argv, " ") + "\n");
  io::write_text_atomic((d / "env.json").string(), environment_json(seed, threads).dump(2) + "\n");
}

void RunDir::write_metrics(const nlohmann::json& metrics) const {
  io::write_text_atomic(path_ + "/metrics.json", metrics.dump(2) + "\n");
}

}  // namespace ptq
