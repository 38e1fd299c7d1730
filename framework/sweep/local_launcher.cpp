#include "framework/sweep/local_launcher.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/core/time_text.h"
#include "framework/results/run_record.h"

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptq {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_stop = 0;
void on_stop_signal(int) { g_stop = 1; }

// SIGINT/SIGTERM set g_stop while a sweep runs; the old handlers come back afterwards.
class StopSignals {
 public:
  StopSignals() {
    g_stop = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

// An exclusive, non-blocking flock on <root>/.lock for the launcher's lifetime.
class SweepLock {
 public:
  // `shared`: Slurm array tasks (--only) share the sweep's lock; a full launcher takes it alone.
  SweepLock(const std::string& root, const std::string& name, bool shared = false) {
    std::error_code ec;
    fs::create_directories(root, ec);
    PTQ_CHECK(!ec, "cannot create the sweep folder '{}': {}; set `output:` to a writable folder", root, ec.message());
    const std::string path = (fs::path(root) / name).string();
    fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    PTQ_CHECK(fd_ >= 0, "cannot open the sweep lock '{}': {}", path, std::strerror(errno));
    if (::flock(fd_, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
      ::close(fd_);
      PTQ_FAIL("another `ptq sweep` (or a Slurm array task of this sweep) is running {} (it holds {}); wait for "
               "it to end or stop it",
               name == ".lock" ? "this sweep" : "this run", path);
    }
  }
  ~SweepLock() { ::close(fd_); }

 private:
  int fd_ = -1;
};

std::string describe(const nlohmann::json& swept) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : swept.items()) parts.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
  return parts.empty() ? "base config" : join(parts, " ");
}

std::string self_exe() {
  std::error_code ec;
  const auto p = fs::read_symlink("/proc/self/exe", ec);
  PTQ_CHECK(!ec, "cannot find the ptq executable (/proc/self/exe): {}", ec.message());
  return p.string();
}

// The last non-empty line of a (log) file, at most `width` characters.
std::string last_line(const std::string& path, size_t width) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 4096);
  in.seekg(from);
  std::string tail(static_cast<size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  for (char& c : tail)
    if (c == '\r') c = '\n';
  std::string line;
  for (const auto& l : split(tail, '\n'))
    if (!trim(l).empty()) line = trim(l);
  return line.size() > width ? line.substr(0, width) : line;
}

std::string duration(double s) {
  if (s < 90) return fmt::format("{:.0f}s", s);
  if (s < 5400) return fmt::format("{:.0f}m", s / 60);
  return fmt::format("{:.1f}h", s / 3600);
}

struct Child {
  size_t point;
  std::string folder;
  Clock::time_point start;
};

pid_t spawn(const std::vector<std::string>& command, const std::string& log) {
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  PTQ_CHECK(pid >= 0, "cannot start a run (fork): {}", std::strerror(errno));
  if (pid == 0) {  // only async-signal-safe calls until exec
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    ::execv(argv[0], argv.data());
    const char* why = std::strerror(errno);  // exec failed: say so in the run's log
    (void)!::write(STDERR_FILENO, "ptq sweep: cannot execute the ptq binary: ", 41);
    (void)!::write(STDERR_FILENO, why, std::strlen(why));
    (void)!::write(STDERR_FILENO, "\n", 1);
    ::_exit(127);
  }
  return pid;
}

std::string exit_text(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return "ended abnormally";
}

void record_run(ResultsStore& store, const std::string& folder, const SweepPoint& point) {
  const auto run = read_run(folder);
  PTQ_CHECK(run.has_value(), "{} is not a complete run", folder);
  PTQ_CHECK(run->hash == point.hash,
            "{} holds a run of another config (hash {}, expected {}); its folder was edited by hand: move it away "
            "and rerun the sweep",
            folder, run->hash.substr(0, 16), point.short_hash);
  store.record(*run);
}

// Moves a half-written run folder to <root>/.incomplete/<hash>.<time>/ (its logs may explain a
// failure) instead of deleting it: nothing a run wrote is ever removed by the launcher.
void set_aside(const SweepSpec& spec, const SweepPoint& p) {
  const fs::path aside = fs::path(spec.root()) / ".incomplete";
  std::error_code ec;
  fs::create_directories(aside, ec);
  fs::path target = aside / (p.short_hash + "." + local_time_text("%Y%m%d-%H%M%S"));
  for (int i = 1; fs::exists(target); ++i) target = aside / (p.short_hash + "." + std::to_string(i));
  fs::rename(run_folder(spec, p), target, ec);
  PTQ_CHECK(!ec, "cannot move the half-written run folder {} aside to {}: {}; move or remove it by hand",
            run_folder(spec, p), target.string(), ec.message());
}

}  // namespace

const char* to_string(RunState s) {
  switch (s) {
    case RunState::done: return "done";
    case RunState::recorded: return "done";
    case RunState::pending: return "to run";
    case RunState::half_written: return "half-written";
  }
  return "?";
}

std::string run_folder(const SweepSpec& spec, const SweepPoint& point) {
  return (fs::path(spec.root()) / point.short_hash).string();
}

RunState run_state(const SweepSpec& spec, const SweepPoint& point, ResultsStore* store) {
  const std::string folder = run_folder(spec, point);
  if (fs::exists(folder) && run_is_complete(folder)) return RunState::done;
  if (store && store->contains(point.hash)) return RunState::recorded;
  return fs::exists(folder) ? RunState::half_written : RunState::pending;
}

std::vector<std::string> point_command(const std::string& ptq_binary, const SweepSpec& spec, const SweepPoint& point,
                                       int threads) {
  std::vector<std::string> cmd = {ptq_binary, "run", point.config_path};
  for (const auto& o : point.overrides) cmd.insert(cmd.end(), {"--set", o});
  cmd.insert(cmd.end(), {"--set", fmt::format("threads={}", threads), "--run-dir", run_folder(spec, point)});
  return cmd;
}

std::string sweep_plan(const SweepSpec& spec, ResultsStore* store) {
  std::map<RunState, size_t> counts;
  std::string out = fmt::format("sweep {} ({}): {} runs in {}\n", spec.name, spec.file, spec.points.size(), spec.root());
  for (const auto& p : spec.points) {
    const RunState s = run_state(spec, p, store);
    ++counts[s];
    out += fmt::format("  {:<12} {}  {}{}\n", to_string(s), p.short_hash, describe(p.swept),
                       s == RunState::recorded ? "  (recorded in the store from another folder)" : "");
  }
  out += fmt::format("{} done, {} to run, {} half-written (set aside and run again)\n",
                     counts[RunState::done] + counts[RunState::recorded], counts[RunState::pending],
                     counts[RunState::half_written]);
  return out;
}

SweepReport run_sweep_local(const SweepSpec& spec, ResultsStore& store, const LocalLaunchOptions& options) {
  std::vector<bool> selected(spec.points.size(), options.only.empty());
  for (const auto& h : options.only) {
    bool found = false;
    for (size_t i = 0; i < spec.points.size(); ++i)
      if (spec.points[i].short_hash == h) selected[i] = found = true;
    PTQ_CHECK(found, "sweep {}: no point has the hash {} (ptq sweep {} --dry-run lists them)", spec.name, h, spec.file);
  }
  SweepLock lock(spec.root(), ".lock", !options.only.empty());
  std::vector<std::unique_ptr<SweepLock>> point_locks;  // --only: each point's own lock
  for (const auto& h : options.only) point_locks.push_back(std::make_unique<SweepLock>(spec.root(), ".lock-" + h));
  SweepReport report;
  report.total = options.only.empty() ? spec.points.size() : options.only.size();
  // One look at every point: complete runs the store lacks are recorded (a launcher killed
  // between a run and its store write loses nothing), selected points not done are queued.
  std::vector<size_t> queue;
  size_t recorded = 0;
  for (size_t i = 0; i < spec.points.size(); ++i) {
    const auto& p = spec.points[i];
    const RunState s = run_state(spec, p, options.record ? &store : nullptr);
    if (s == RunState::done && options.record && !store.contains(p.hash)) {
      record_run(store, run_folder(spec, p), p);
      ++recorded;
    }
    if (!selected[i]) continue;
    if (is_done(s)) {
      if (s == RunState::recorded) store.add_to_sweep(p.hash, spec.name, p.swept);
      ++report.already_done;
      continue;
    }
    if (s == RunState::half_written) {
      set_aside(spec, spec.points[i]);
      ++report.redone;
    }
    queue.push_back(i);
  }
  if (recorded)
    std::fprintf(stderr, "sweep %s: recorded %zu finished runs the store lacked\n", spec.name.c_str(), recorded);
  const int jobs = std::max(1, options.jobs > 0 ? options.jobs : spec.jobs);
  int total_threads = options.threads > 0 ? options.threads : spec.threads;
  if (total_threads <= 0) total_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::max(1, total_threads / std::max<int>(1, std::min<int>(jobs, queue.size())));
  const std::string binary = options.ptq_binary.empty() ? self_exe() : options.ptq_binary;
  const bool tty = options.progress && ::isatty(STDERR_FILENO);

  StopSignals signals;
  std::map<pid_t, Child> running;
  size_t next = 0, finished_now = 0;
  double seconds_sum = 0.0;
  bool drawn = false;
  auto last_draw = Clock::now() - std::chrono::seconds(10);
  const auto draw = [&](bool force) {
    if (!tty || (!force && Clock::now() - last_draw < std::chrono::milliseconds(500))) return;
    last_draw = Clock::now();
    const size_t done = report.already_done + finished_now;
    const double frac = report.total ? static_cast<double>(done) / report.total : 1.0;
    const int filled = static_cast<int>(frac * 24);
    const size_t remaining = report.total - done;
    const std::string eta = finished_now ? duration(seconds_sum / finished_now * remaining / jobs) : "?";
    std::string current = "waiting";
    if (!running.empty()) {
      const auto& c = running.begin()->second;
      current = fmt::format("{} ({}): {}", spec.points[c.point].short_hash, describe(spec.points[c.point].swept),
                            last_line(c.folder + "/stdout.log", 100));
    }
    std::fprintf(stderr, "\r\033[Ksweep %s [%s%s] %zu/%zu runs, %zu running, ETA %s\n\r\033[K  %s\033[1A\r",
                 spec.name.c_str(), std::string(filled, '#').c_str(),
                 std::string(24 - filled, '.').c_str(), done, report.total, running.size(), eta.c_str(),
                 current.substr(0, 160).c_str());
    std::fflush(stderr);
    drawn = true;
  };

  while ((next < queue.size() && !g_stop) || !running.empty()) {
    while (!g_stop && next < queue.size() && running.size() < static_cast<size_t>(jobs)) {
      const size_t i = queue[next++];
      const auto& p = spec.points[i];
      const std::string folder = run_folder(spec, p);
      try {
        std::error_code ec;
        fs::create_directories(folder, ec);
        PTQ_CHECK(!ec, "cannot create {}: {}", folder, ec.message());
        const auto cmd = point_command(binary, spec, p, threads);
        write_sweep_point(folder, spec.name, p.hash, p.swept, cmd);
        running[spawn(cmd, folder + "/stdout.log")] = {i, folder, Clock::now()};
      } catch (const std::exception& e) {  // this point fails; the others go on
        report.failed.push_back(fmt::format("{} ({}): could not start: {}", p.short_hash, describe(p.swept), e.what()));
        continue;
      }
      if (!tty && options.progress)
        std::fprintf(stderr, "sweep %s: started %s (%s)\n", spec.name.c_str(), p.short_hash.c_str(),
                     describe(p.swept).c_str());
    }
    bool reaped = false;
    for (auto it = running.begin(); it != running.end();) {
      int status = 0;
      const pid_t r = ::waitpid(it->first, &status, WNOHANG);
      if (r == 0) {
        ++it;
        continue;
      }
      reaped = true;
      const Child c = it->second;
      it = running.erase(it);
      const auto& p = spec.points[c.point];
      const double secs = std::chrono::duration<double>(Clock::now() - c.start).count();
      bool ok = false;
      std::string problem = r > 0 ? exit_text(status) : "lost";
      try {
        ok = r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && run_is_complete(c.folder);
        if (ok && options.record) record_run(store, c.folder, p);
      } catch (const std::exception& e) {  // e.g. the store stayed locked: the folder is complete, the
        ok = false;                         // next start records it
        problem = e.what();
      }
      if (ok) {
        ++report.ran;
        ++finished_now;
        seconds_sum += secs;
      } else if (!g_stop) {
        report.failed.push_back(
            fmt::format("{} ({}): {}; see {}/stdout.log", p.short_hash, describe(p.swept), problem, c.folder));
      }
      if (!tty && options.progress)
        std::fprintf(stderr, "sweep %s: %zu/%zu runs done; %s %s in %s\n", spec.name.c_str(),
                     report.already_done + finished_now, report.total, p.short_hash.c_str(),
                     ok ? "finished" : "FAILED", duration(secs).c_str());
    }
    if (g_stop && !report.interrupted) {
      report.interrupted = true;
      for (const auto& [pid, c] : running) ::kill(pid, SIGTERM);
    }
    if (!reaped) {
      draw(false);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  if (drawn) {
    draw(true);
    std::fprintf(stderr, "\n\n");
  }
  return report;
}

}  // namespace ptq
