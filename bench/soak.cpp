// soak: memory over a long run. Runs the real train_blueprint (by default
// configs/hunl_quick.yaml, one worker per core) for --minutes, and every
// --every seconds samples the coordinator's and each worker's resident
// memory (VmRSS and RssAnon from /proc) and the size of the run's shared
// segment in /dev/shm. Prints the samples, then each series' growth per hour:
// the least-squares slope over the samples after the first --warmup seconds.
// A run that leaks shows a slope; one that does not, about zero.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/machine.h"

namespace fs = std::filesystem;

namespace {

// A field of /proc/PID/status in bytes ("VmRSS:   1234 kB"); 0 if absent.
double StatusBytes(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1)) * 1024;
  }
  return 0;
}

std::vector<pid_t> Children(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> kids;
  for (pid_t k; in >> k;) kids.push_back(k);
  return kids;
}

double SegmentBytes(pid_t coordinator) {
  const std::string prefix = "bp-mccfr-" + std::to_string(coordinator) + "-";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/dev/shm", ec)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) return static_cast<double>(fs::file_size(e.path(), ec));
  }
  return 0;
}

struct Sample {
  double t, coordinator_rss, coordinator_anon, workers_rss, workers_anon, segment;
};

// Least-squares slope of y over t, per hour.
double PerHour(const std::vector<Sample>& s, double Sample::*y, double warmup) {
  double n = 0, st = 0, sy = 0, stt = 0, sty = 0;
  for (const Sample& x : s) {
    if (x.t < warmup) continue;
    n += 1;
    st += x.t;
    sy += x.*y;
    stt += x.t * x.t;
    sty += x.t * x.*y;
  }
  const double d = n * stt - st * st;
  return n < 2 || d == 0 ? 0 : (n * sty - st * sy) / d * 3600;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Memory of a long train_blueprint run: resident memory of the coordinator and workers and the shared "
               "segment's size, sampled, and their growth per hour."};
  std::string config = std::string(CONFIG_DIR) + "/hunl_quick.yaml";
  double minutes = 30, every = 10, warmup = 60;
  int workers = 0;
  bool json = false;
  app.add_option("--config", config, "Config to train")->capture_default_str();
  app.add_option("--minutes", minutes, "How long to train")->capture_default_str();
  app.add_option("--every", every, "Seconds between samples")->capture_default_str();
  app.add_option("--warmup", warmup, "Seconds left out of the growth figures")->capture_default_str();
  app.add_option("--num-workers", workers, "Workers (0 = one per core)")->capture_default_str();
  app.add_flag("--json", json, "Print one JSON object");
  BP_BENCH_PARSE(app, argc, argv);

  const fs::path dir = fs::temp_directory_path() / fmt::format("bp-soak-{}", ::getpid());
  fs::remove_all(dir);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    const std::string budget = fmt::format("{}s", minutes * 60), w = std::to_string(workers);
    ::execl(TRAIN_BLUEPRINT, TRAIN_BLUEPRINT, "--config", config.c_str(), "--num-workers", w.c_str(), "--time-budget",
            budget.c_str(), "--logdir", dir.c_str(), nullptr);
    ::_exit(127);
  }
  std::vector<Sample> samples;
  const auto start = std::chrono::steady_clock::now();
  if (!json) {
    fmt::print("soak: {} for {} min, a sample every {} s\n{}\n", config, minutes, every, bp::bench::MachineDescription());
    fmt::print("{:>8} {:>14} {:>14} {:>14} {:>14} {:>12}\n", "t (s)", "coord RSS MiB", "coord anon MiB",
               "workers RSS MiB", "workers anon", "segment MiB");
  }
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Sample s{t, StatusBytes(pid, "VmRSS"), StatusBytes(pid, "RssAnon"), 0, 0, SegmentBytes(pid)};
    for (pid_t k : Children(pid)) {
      s.workers_rss += StatusBytes(k, "VmRSS");
      s.workers_anon += StatusBytes(k, "RssAnon");
    }
    if (s.coordinator_rss > 0) {
      samples.push_back(s);
      if (!json) {
        constexpr double kMiB = 1048576.0;
        fmt::print("{:>8.0f} {:>14.1f} {:>14.1f} {:>14.1f} {:>14.1f} {:>12.1f}\n", t, s.coordinator_rss / kMiB,
                   s.coordinator_anon / kMiB, s.workers_rss / kMiB, s.workers_anon / kMiB, s.segment / kMiB);
        std::fflush(stdout);
      }
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(every));
  }
  fs::remove_all(dir);
  constexpr double kMiB = 1048576.0;
  const double coord = PerHour(samples, &Sample::coordinator_rss, warmup) / kMiB;
  const double coord_anon = PerHour(samples, &Sample::coordinator_anon, warmup) / kMiB;
  const double work = PerHour(samples, &Sample::workers_rss, warmup) / kMiB;
  const double work_anon = PerHour(samples, &Sample::workers_anon, warmup) / kMiB;
  const double segment = PerHour(samples, &Sample::segment, warmup) / kMiB;
  if (json) {
    fmt::print("{}\n", nlohmann::json{{"config", config},
                                      {"minutes", minutes},
                                      {"samples", samples.size()},
                                      {"coordinator_rss_mib_per_hour", coord},
                                      {"coordinator_anon_mib_per_hour", coord_anon},
                                      {"workers_rss_mib_per_hour", work},
                                      {"workers_anon_mib_per_hour", work_anon},
                                      {"segment_mib_per_hour", segment}}
                           .dump());
  } else {
    fmt::print("growth per hour after {:.0f} s ({} samples): coordinator RSS {:+.2f} MiB, anon {:+.2f} MiB; workers "
               "RSS {:+.2f} MiB, anon {:+.2f} MiB; segment {:+.2f} MiB\n",
               warmup, samples.size(), coord, coord_anon, work, work_anon, segment);
  }
  return 0;
}
