// Chaos: Leduc with two workers for 60 s while workers are killed every 6 to
// 8 s and stopped for 3 s now and then. The run ends normally, every batch is
// applied exactly once, and it converges about as well as an undisturbed run
// of the same length.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

pid_t Spawn(const fs::path& logdir, const std::string& seconds) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* out = std::fopen((logdir.string() + ".out").c_str(), "w");
    ::dup2(::fileno(out), 1);
    ::dup2(::fileno(out), 2);
    const std::string config = std::string(CONFIG_DIR) + "/leduc.yaml";
    ::execl(TRAIN_BLUEPRINT, TRAIN_BLUEPRINT, "--config", config.c_str(), "--num-workers", "2", "--time-budget",
            seconds.c_str(), "--logdir", logdir.c_str(), "--set", "logging.progress=lines", nullptr);
    ::_exit(127);
  }
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<pid_t> Children(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> kids;
  for (pid_t k; in >> k;) kids.push_back(k);
  return kids;
}

nlohmann::json Last(const fs::path& logdir) {
  std::ifstream in(logdir / "metrics.jsonl");
  nlohmann::json last;
  for (std::string line; std::getline(in, line);) last = nlohmann::json::parse(line);
  return last;
}

}  // namespace

TEST_CASE("chaos: killed and stopped workers cost neither correctness nor much convergence") {
  const fs::path root = fs::temp_directory_path() / ("bp-chaos-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  constexpr int kSeconds = 60;

  REQUIRE(Wait(Spawn(root / "calm", std::to_string(kSeconds) + "s")) == 0);
  const nlohmann::json calm = Last(root / "calm");

  const pid_t coordinator = Spawn(root / "chaos", std::to_string(kSeconds) + "s");
  std::mt19937 rng(7);
  int kills = 0, stops = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(kSeconds - 8);
  std::this_thread::sleep_for(3s);
  while (std::chrono::steady_clock::now() < end) {
    const auto workers = Children(coordinator);
    if (workers.empty()) break;
    const pid_t victim = workers[rng() % workers.size()];
    if (rng() % 3 == 0) {  // stopped for 3 s, then let go
      if (::kill(victim, SIGSTOP) == 0) ++stops;
      std::this_thread::sleep_for(3s);
      ::kill(victim, SIGCONT);
    } else if (::kill(victim, SIGKILL) == 0) {
      ++kills;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(6000 + static_cast<int>(rng() % 2000)));
  }
  REQUIRE(Wait(coordinator) == 0);
  const nlohmann::json chaos = Last(root / "chaos");
  MESSAGE("chaos: ", kills, " kills, ", stops, " stops; exploitability ", chaos["exploitability"].get<double>(),
          " after ", chaos["iterations"].get<double>(), " iterations, undisturbed ",
          calm["exploitability"].get<double>(), " after ", calm["iterations"].get<double>());
  CHECK(kills >= 3);
  CHECK(chaos["final"] == true);
  CHECK(chaos["worker_deaths"].get<int>() >= kills);
  CHECK(chaos["batches_duplicate"] == 0);
  CHECK(chaos["batches_applied"].get<std::uint64_t>() ==
        chaos["batches_issued"].get<std::uint64_t>() - chaos["batches_lost"].get<std::uint64_t>() +
            chaos["batches_reissued"].get<std::uint64_t>());
  std::ifstream log(root / "chaos" / "train.log");
  const std::string text((std::istreambuf_iterator<char>(log)), {});
  CHECK(text.find("every batch applied exactly once") != std::string::npos);
  CHECK(chaos["exploitability"].get<double>() <= 2 * calm["exploitability"].get<double>());
  fs::remove_all(root);
}
