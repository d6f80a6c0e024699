// End-to-end tests of train_blueprint: the real binary, real worker
// processes, real signals.
#include <doctest/doctest.h>
#include <sched.h>
#include <sys/mount.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "abstraction/leduc.h"
#include "solver/external_sampling.h"
#include "solver/full_width.h"
#include "solver/table_access.h"
#include "trainer/checkpoint.h"
#include "trainer/config.h"
#include "trainer/proc_stats.h"
#include "trainer/run_dir.h"
#include "trainer/shared_state.h"

using namespace bp;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Every run of this test binary works under one scratch directory, removed
// at exit unless BP_KEEP_TEST_DIRS is set (to look at a failure's logs).
const fs::path& ScratchRoot() {
  static const struct Root {
    fs::path path = fs::temp_directory_path() / ("bp-train-test-" + std::to_string(::getpid()));
    ~Root() {
      if (std::getenv("BP_KEEP_TEST_DIRS") == nullptr) {
        std::error_code ignored;
        fs::remove_all(path, ignored);
      }
    }
  } root;
  return root.path;
}

fs::path Scratch(const std::string& name) {
  const fs::path dir = ScratchRoot() / name;
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  return dir;
}

// Starts train_blueprint with `args`, output to `log`; `faults` in
// BP_WRITE_FAULTS (base/file_system.h) when not empty.
pid_t Spawn(const std::vector<std::string>& args, const fs::path& log, const std::string& faults = "") {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!faults.empty()) ::setenv("BP_WRITE_FAULTS", faults.c_str(), 1);
    std::FILE* out = std::fopen(log.c_str(), "w");
    ::dup2(::fileno(out), 1);
    ::dup2(::fileno(out), 2);
    std::vector<char*> argv{const_cast<char*>(TRAIN_BLUEPRINT)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(TRAIN_BLUEPRINT, argv.data());
    ::_exit(127);
  }
  return pid;
}

// Exit code, 128 + signal, or -1 if it did not end within `timeout` (then killed).
int Wait(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(10ms);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int Run(const std::vector<std::string>& args, const fs::path& log, const std::string& faults = "") {
  return Wait(Spawn(args, log, faults), 120s);
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<nlohmann::json> Metrics(const fs::path& logdir) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(logdir / "metrics.jsonl");
  for (std::string line; std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

// The CPUs thread `tid` may run on (for a process, its main thread).
std::vector<int> CpusOf(pid_t tid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(tid, sizeof(set), &set) != 0) return {};
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  }
  return cpus;
}

std::vector<pid_t> Children(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> kids;
  for (pid_t k; in >> k;) kids.push_back(k);
  return kids;
}

// Gone, or a zombie nobody has reaped yet.
bool Gone(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return true;
  return line.substr(line.rfind(')') + 2, 1) == "Z";
}

template <class Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

std::vector<std::string> Leduc(const fs::path& logdir, std::vector<std::string> extra) {
  std::vector<std::string> args{"--config", std::string(CONFIG_DIR) + "/leduc.yaml", "--logdir", logdir.string(),
                                "--set", "logging.progress=lines"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

void CheckAccounting(const nlohmann::json& last) {
  CHECK(last["final"] == true);
  CHECK(last["batches_duplicate"] == 0);
  CHECK(last["batches_applied"].get<std::uint64_t>() ==
        last["batches_issued"].get<std::uint64_t>() - last["batches_lost"].get<std::uint64_t>() +
            last["batches_reissued"].get<std::uint64_t>());
}

}  // namespace

TEST_CASE("deterministic mode with one or two workers equals the serial batched solver bit for bit") {
  constexpr std::uint64_t kBatch = 10000, kBatches = 20, kSeed = 5;
  abstraction::LeducHoldem game;
  solver::TableLayout layout(game);
  solver::Tables reference(layout.num_entries());
  std::vector<std::byte> buffer(solver::MaxDeltaBytes(layout.num_infosets(), layout.num_entries()));
  for (std::uint64_t k = 0; k < kBatches; ++k) {
    solver::ExternalSampling<abstraction::LeducHoldem, solver::DeltaAccess> es(
        game, layout, solver::DeltaAccess(reference.regrets().data(), layout.num_entries()),
        trainer::BatchSeed(kSeed, k));
    es.Iterate(kBatch);
    const auto bytes = es.access().EmitAndClear(buffer.data());
    REQUIRE(solver::ApplyDeltas(std::span<const std::byte>(buffer.data(), bytes), reference.View()));
  }
  for (const char* workers : {"1", "2"}) {
    CAPTURE(workers);
    const fs::path dir = Scratch(std::string("deterministic-") + workers);
    REQUIRE(Run(Leduc(dir, {"--deterministic", "--num-workers", workers, "--iters", "200000", "--batch-size", "10000",
                            "--seed", "5", "--time-budget", "0", "--checkpoint-interval", "off"}),
                dir.string() + ".out") == 0);
    const auto ckpt = trainer::ReadCheckpoint(dir / "checkpoints" / "ckpt-200000.bin");
    CHECK(ckpt.iterations == 200000);
    CHECK(ckpt.pending.empty());
    CHECK(std::ranges::equal(ckpt.Regrets<double>(), reference.regrets()));
    CHECK(std::ranges::equal(ckpt.strategy_sum, reference.strategy_sum()));
  }
}

TEST_CASE("full-width CFR+ with two workers: batches one at a time, bit for bit the serial batched solver") {
  // Full-width iterations are deterministic: without --deterministic the
  // run must still equal the serial solver batch by batch (a batch computed
  // before the previous one was applied would differ), and CFR+ on Leduc is
  // below 0.001 long before 2000 iterations.
  constexpr std::uint64_t kBatch = 20, kIterations = 2000;
  const trainer::Config config = trainer::LoadConfig(std::string(CONFIG_DIR) + "/leduc_cfr_plus.yaml", {});
  REQUIRE(config.solver.FullWidth());
  abstraction::LeducHoldem game;
  solver::TableLayout layout(game);
  solver::Tables reference(layout.num_entries());
  std::vector<std::byte> buffer(solver::MaxDeltaBytes(layout.num_infosets(), layout.num_entries()));
  for (std::uint64_t first = 0; first < kIterations; first += kBatch) {
    solver::FullWidthCfr<abstraction::LeducHoldem, solver::DeltaAccess> cfr(
        game, layout, solver::DeltaAccess(reference.regrets().data(), layout.num_entries()), 0,
        config.solver.SamplingOptionsFor(game.NumStreets()));
    cfr.Seek(first);
    cfr.Iterate(kBatch);
    const auto bytes = cfr.access().EmitAndClear(buffer.data());
    REQUIRE(solver::ApplyDeltas(std::span<const std::byte>(buffer.data(), bytes), reference.View(),
                                config.solver.regret_floor));
  }
  const fs::path dir = Scratch("full-width");
  REQUIRE(Run({"--config", std::string(CONFIG_DIR) + "/leduc_cfr_plus.yaml", "--logdir", dir.string(), "--set",
               "logging.progress=lines", "--num-workers", "2", "--iters", std::to_string(kIterations),
               "--batch-size", std::to_string(kBatch), "--time-budget", "0"},
              dir.string() + ".out") == 0);
  const auto ckpt = trainer::ReadCheckpoint(dir / "checkpoints" / ("ckpt-" + std::to_string(kIterations) + ".bin"));
  CHECK(std::ranges::equal(ckpt.Regrets<double>(), reference.regrets()));
  CHECK(std::ranges::equal(ckpt.strategy_sum, reference.strategy_sum()));
  const auto rows = Metrics(dir);
  REQUIRE(!rows.empty());
  CheckAccounting(rows.back());
  REQUIRE(rows.back().contains("exploitability"));
  CHECK(rows.back()["exploitability"].get<double>() < 1e-3);
  CHECK(Slurp(dir / "train.log").find("solver: full-width CFR") != std::string::npos);

  // Stopped halfway and resumed (with one worker): the same tables.
  const fs::path split = Scratch("full-width-split");
  REQUIRE(Run({"--config", std::string(CONFIG_DIR) + "/leduc_cfr_plus.yaml", "--logdir", split.string(), "--set",
               "logging.progress=lines", "--num-workers", "2", "--iters", std::to_string(kIterations / 2),
               "--batch-size", std::to_string(kBatch), "--time-budget", "0"},
              split.string() + ".out1") == 0);
  REQUIRE(Run({"--resume-from", split.string(), "--iters", std::to_string(kIterations), "--num-workers", "1"},
              split.string() + ".out2") == 0);
  const auto resumed =
      trainer::ReadCheckpoint(split / "checkpoints" / ("ckpt-" + std::to_string(kIterations) + ".bin"));
  CHECK(resumed.regrets == ckpt.regrets);
  CHECK(resumed.strategy_sum == ckpt.strategy_sum);
}

TEST_CASE("2N iterations in one go equal N, stop, resume, N more") {
  const fs::path whole = Scratch("whole"), split = Scratch("split");
  const std::vector<std::string> common{"--deterministic", "--num-workers", "1", "--batch-size", "10000",
                                        "--time-budget", "0"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), common.begin(), common.end());
    return extra;
  };
  REQUIRE(Run(Leduc(whole, with({"--iters", "200000"})), whole.string() + ".out") == 0);
  REQUIRE(Run(Leduc(split, with({"--iters", "100000"})), split.string() + ".out1") == 0);
  // Resume with the checkpoint's own config; workers may change on resume.
  REQUIRE(Run({"--resume-from", split.string(), "--iters", "200000", "--num-workers", "2"}, split.string() + ".out2") ==
          0);
  const auto a = trainer::ReadCheckpoint(whole / "checkpoints" / "ckpt-200000.bin");
  const auto b = trainer::ReadCheckpoint(split / "checkpoints" / "ckpt-200000.bin");
  CHECK(a.regrets == b.regrets);
  CHECK(a.strategy_sum == b.strategy_sum);
  CHECK(Slurp(split / "train.log").find("resumed at iteration 100000") != std::string::npos);
}

TEST_CASE("workers SIGKILLed mid-run are respawned; batches are re-issued and applied exactly once") {
  const fs::path dir = Scratch("worker-kill");
  const pid_t coordinator = Spawn(Leduc(dir, {"--num-workers", "2", "--time-budget", "8s"}), dir.string() + ".out");
  REQUIRE(WaitFor([&] { return Children(coordinator).size() == 2; }, 10s));
  int kills = 0;
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(1200ms);
    const auto kids = Children(coordinator);
    if (!kids.empty() && ::kill(kids[i % kids.size()], SIGKILL) == 0) ++kills;
  }
  CHECK(kills == 3);
  CHECK(Wait(coordinator, 60s) == 0);
  const auto rows = Metrics(dir);
  REQUIRE(!rows.empty());
  const auto& last = rows.back();
  CheckAccounting(last);
  CHECK(last["worker_deaths"] == 3);
  CHECK(last["batches_lost"].get<std::uint64_t>() >= 1);
  CHECK(last["batches_reissued"] == last["batches_lost"]);
  CHECK(last["exploitability"].get<double>() <= 0.05);
  const std::string log = Slurp(dir / "train.log");
  CHECK(log.find("killed by signal 9") != std::string::npos);
  CHECK(log.find("respawned as pid") != std::string::npos);
  CHECK(log.find("every batch applied exactly once") != std::string::npos);
}

TEST_CASE("SIGINT, SIGTERM and SIGUSR1: the run applies what arrived, checkpoints, and exits 0 within 5 s") {
 for (int sig : {SIGINT, SIGTERM, SIGUSR1}) {
  CAPTURE(sig);
  const fs::path dir = Scratch("signal-" + std::to_string(sig));
  const pid_t coordinator = Spawn(Leduc(dir, {"--num-workers", "2", "--time-budget", "10m"}), dir.string() + ".out");
  REQUIRE(WaitFor([&] { return Metrics(dir).size() >= 2; }, 20s));
  const auto workers = Children(coordinator);
  ::kill(coordinator, sig);
  CHECK(Wait(coordinator, 5s) == 0);
  for (pid_t w : workers) CHECK(Gone(w));
  const auto rows = Metrics(dir);
  CHECK(rows.back()["stop_reason"] == "signal");
  CheckAccounting(rows.back());
  // Every live interval describes both workers, their memory included.
  for (const auto& row : rows) {
    if (row.value("final", false)) continue;
    REQUIRE(row["workers"].size() == 2);
    for (const auto& w : row["workers"]) {
      CHECK(w["pid"].get<int>() > 0);
      CHECK(w["cpu_pct"].get<double>() >= 0);
      CHECK(w["anon_rss_bytes"].get<std::uint64_t>() > 0);
      CHECK(w.contains("put_waits"));
      CHECK(w.contains("put_timeouts"));
    }
    CHECK(row["rss_bytes"].get<std::uint64_t>() > 0);
  }
  REQUIRE(!trainer::RunDir(dir).ListCheckpoints().empty());
  const auto ckpt = trainer::ReadCheckpoint(trainer::RunDir(dir).ListCheckpoints().front());
  CHECK(ckpt.iterations == rows.back()["iterations"].get<std::uint64_t>());
 }
}

TEST_CASE("run.coordinator_cpu: follow binds the coordinator to its wakers' CPUs; workers keep the run's CPUs") {
  const std::vector<int> ours = CpusOf(0);
  for (const std::string mode : {"follow", "free", "auto"}) {
    CAPTURE(mode);
    const bool follows = mode == "follow" || (mode == "auto" && trainer::AvailableCores() <= 2);
    const fs::path dir = Scratch("coordinator-cpu-" + mode);
    const pid_t coordinator = Spawn(
        Leduc(dir, {"--num-workers", "2", "--time-budget", "10m", "--set", "run.coordinator_cpu=" + mode}),
        dir.string() + ".out");
    REQUIRE(WaitFor([&] { return Metrics(dir).size() >= 2; }, 20s));
    // Bound to one CPU at a time while following (always, once a worker has
    // woken it); otherwise left alone.
    if (follows) {
      CHECK(CpusOf(coordinator).size() == 1);
    } else {
      CHECK(CpusOf(coordinator) == ours);
    }
    const auto workers = Children(coordinator);
    REQUIRE(workers.size() == 2);
    for (pid_t w : workers) CHECK(CpusOf(w) == ours);
    // A worker forked while the coordinator is bound gets the run's CPUs too.
    ::kill(workers[0], SIGKILL);
    pid_t respawned = 0;
    REQUIRE(WaitFor([&] {
      for (pid_t k : Children(coordinator)) {
        if (k != workers[0] && k != workers[1] && !Gone(k)) respawned = k;
      }
      return respawned != 0;
    }, 10s));
    CHECK(WaitFor([&] { return CpusOf(respawned) == ours; }, 2s));
    ::kill(coordinator, SIGINT);
    CHECK(Wait(coordinator, 5s) == 0);
    const auto rows = Metrics(dir);
    CheckAccounting(rows.back());
    if (follows) {
      CHECK(rows.back()["coordinator_binds"].get<std::uint64_t>() >= 1);
    } else {
      CHECK(rows.back()["coordinator_binds"].get<std::uint64_t>() == 0);
    }
    const bool logged = Slurp(dir / "train.log").find("bind the coordinator") != std::string::npos;
    CHECK(logged == follows);
  }
}

TEST_CASE("coordinator SIGKILLed: workers exit within 2 s, and the next start cleans up and resumes") {
  const fs::path dir = Scratch("coordinator-kill");
  const pid_t coordinator = Spawn(Leduc(dir, {"--num-workers", "2", "--time-budget", "10m", "--checkpoint-interval",
                                              "500ms"}),
                                  dir.string() + ".out");
  REQUIRE(WaitFor([&] { return !trainer::RunDir(dir).ListCheckpoints().empty(); }, 20s));
  const auto workers = Children(coordinator);
  REQUIRE(workers.size() == 2);
  ::kill(coordinator, SIGKILL);
  ::waitpid(coordinator, nullptr, 0);
  CHECK(WaitFor([&] { return Gone(workers[0]) && Gone(workers[1]); }, 2s));
  const std::string prefix = "bp-mccfr-" + std::to_string(coordinator) + "-";
  auto leftover = [&] {
    for (const auto& e : fs::directory_iterator("/dev/shm")) {
      if (e.path().filename().string().rfind(prefix, 0) == 0) return true;
    }
    return false;
  };
  CHECK(leftover());  // what a SIGKILL leaves behind...
  CHECK(Run({"--resume-from", dir.string(), "--time-budget", "1s"}, dir.string() + ".resume") == 0);
  CHECK_FALSE(leftover());  // ...the next start removes
  const std::string log = Slurp(dir / "train.log");
  const auto removed = log.find("stale shared-memory segment");
  CHECK(removed != std::string::npos);
  CHECK(log.find(prefix, removed) != std::string::npos);  // names the killed coordinator's segment
  CHECK(log.find("resuming from") != std::string::npos);
}

TEST_CASE("one train_blueprint per run directory: a second one is refused while the first runs") {
  const fs::path dir = Scratch("locked");
  const pid_t first = Spawn(Leduc(dir, {"--num-workers", "1", "--time-budget", "30s", "--checkpoint-interval", "1s"}),
                            dir.string() + ".first");
  REQUIRE(WaitFor([&] { return !trainer::RunDir(dir).ListCheckpoints().empty(); }, 20s));
  const std::string refused = "error: " + dir.string() + ": in use by another train_blueprint (pid " +
                              std::to_string(first) + "); wait for it to end or stop it (SIGINT checkpoints it), " +
                              "or choose another --logdir\n";
  // Neither a resume nor a new run into it starts, and the run is not touched.
  CHECK(Run({"--resume-from", dir.string(), "--time-budget", "2s"}, dir.string() + ".resume") == 2);
  CHECK(Slurp(dir.string() + ".resume") == refused);
  CHECK(Run(Leduc(dir, {"--time-budget", "2s"}), dir.string() + ".new") == 2);
  CHECK(Slurp(dir.string() + ".new") == refused);
  CHECK(Slurp(dir / ".lock") == std::to_string(first) + "\n");
  ::kill(first, SIGINT);
  CHECK(Wait(first, 10s) == 0);
  const std::string log = Slurp(dir / "train.log");
  CHECK(log.find("resuming from") == std::string::npos);  // only the first run wrote here
  // Once it has ended (or been killed: the kernel drops the lock), it resumes.
  CHECK(Run({"--resume-from", dir.string(), "--time-budget", "1s"}, dir.string() + ".after") == 0);
  CHECK(Slurp(dir / "train.log").find("resuming from") != std::string::npos);
}

TEST_CASE("a corrupt newest checkpoint is reported and the previous one is used") {
  const fs::path dir = Scratch("corrupt");
  REQUIRE(Run(Leduc(dir, {"--deterministic", "--num-workers", "1", "--iters", "200000", "--batch-size", "10000",
                          "--time-budget", "0", "--checkpoint-interval", "50000"}),
              dir.string() + ".out") == 0);
  const auto all = trainer::RunDir(dir).ListCheckpoints();
  REQUIRE(all.size() == 3);
  CHECK(all[0].filename() == "ckpt-200000.bin");
  {
    std::fstream f(all[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\x5a');
  }
  CHECK(Run({"--resume-from", dir.string(), "--iters", "250000"}, dir.string() + ".resume") == 0);
  const std::string out = Slurp(dir.string() + ".resume");
  CHECK(out.find("ckpt-200000.bin: checksum mismatch: the content is corrupt; trying the previous checkpoint") !=
        std::string::npos);
  CHECK(out.find("resuming from " + all[1].string()) != std::string::npos);
  CHECK(trainer::ReadCheckpoint(dir / "checkpoints" / "ckpt-250000.bin").iterations == 250000);
  // None readable: one error naming the newest's problem; the run is left alone.
  const auto now = trainer::RunDir(dir).ListCheckpoints();
  for (const auto& path : now) fs::resize_file(path, 100);
  const auto before = Slurp(dir / "metrics.jsonl");
  CHECK(Run({"--resume-from", dir.string(), "--iters", "300000"}, dir.string() + ".none") != 0);
  const std::string none = Slurp(dir.string() + ".none");
  CHECK(none.find("error: " + (dir / "checkpoints").string() + ": none of its " + std::to_string(now.size()) +
                  " checkpoint(s) can be read; the newest: " + now[0].string() + ": truncated or padded") !=
        std::string::npos);
  CHECK(Slurp(dir / "metrics.jsonl") == before);
  CHECK(trainer::RunDir(dir).ListCheckpoints().size() == now.size());
}

TEST_CASE("bad usage exits 2 with one clear line and leaves an existing run alone") {
  const fs::path dir = Scratch("usage");
  CHECK(Run({"--config", "no/such.yaml"}, dir.string() + ".1") == 2);
  CHECK(Slurp(dir.string() + ".1") == "error: no/such.yaml: cannot read config file: No such file or directory\n");
  CHECK(Run({"--config", std::string(CONFIG_DIR) + "/leduc.yaml", "--batch-size", "zero"}, dir.string() + ".2") == 2);
  CHECK(Slurp(dir.string() + ".2") ==
        "error: command line (--batch-size): run.batch_size: expected an integer from 1 to 100000000, found 'zero'\n");
  CHECK(Run({}, dir.string() + ".3") == 2);
  REQUIRE(Run(Leduc(dir, {"--iters", "20000", "--time-budget", "0", "--num-workers", "1"}), dir.string() + ".4") == 0);
  const auto before = Slurp(dir / "metrics.jsonl");
  // A new run into the same directory is refused...
  CHECK(Run(Leduc(dir, {"--iters", "20000"}), dir.string() + ".5") == 2);
  CHECK(Slurp(dir.string() + ".5").find("already holds a run with checkpoints") != std::string::npos);
  // ...and so is resuming it with a config the tables do not fit.
  CHECK(Run({"--resume-from", dir.string(), "--config", std::string(CONFIG_DIR) + "/kuhn.yaml"}, dir.string() + ".6") ==
        2);
  CHECK(Slurp(dir.string() + ".6").find("game.name: checkpoint has 'leduc', config has 'kuhn'") != std::string::npos);
  CHECK(Slurp(dir / "metrics.jsonl") == before);
}

TEST_CASE("keys that mean nothing for the game: refused from the user, ignored in an older checkpoint") {
  const fs::path dir = Scratch("inapplicable");
  // A leduc run given a no-limit table is refused before anything starts.
  CHECK(Run(Leduc(dir, {"--set", "game.stacks=500"}), dir.string() + ".1") == 2);
  CHECK(Slurp(dir.string() + ".1") ==
        "error: command line (--set): game.stacks: expected only with game.name nlhe or nlhe_preflop (the table of "
        "no-limit hold'em), found with game.name leduc\n");
  CHECK_FALSE(fs::exists(dir));
  REQUIRE(Run(Leduc(dir, {"--iters", "20000", "--time-budget", "0", "--num-workers", "1"}), dir.string() + ".2") == 0);
  const std::string resolved = Slurp(dir / "config.yaml");
  CHECK(resolved.find("name: leduc") != std::string::npos);
  CHECK(resolved.find("stacks:") == std::string::npos);
  CHECK(resolved.find("betting:") == std::string::npos);
  // A checkpoint as earlier versions wrote it: every key of every game in its
  // config and identity. It still resumes (without --config) and inspects.
  const auto all = trainer::RunDir(dir).ListCheckpoints();
  REQUIRE(all.size() == 1);
  trainer::CheckpointData old = trainer::ReadCheckpoint(all[0]);
  const std::string game = "game:\n  name: leduc\n";
  REQUIRE(old.config_yaml.find(game) != std::string::npos);
  old.config_yaml.replace(old.config_yaml.find(game), game.size(),
                          game + "  players: 2\n  stacks: 20000\n  small_blind: 50\n  big_blind: 100\n  ante: 0\n"
                                 "abstraction:\n  buckets: \"\"\n  preflop_equity: assets/preflop_equity.bin\n"
                                 "betting:\n  flop:\n    max_raises: 2\n    sizes: 0.5, 1, allin | 1, allin\n");
  old.identity["game.stacks"] = "20000";
  old.identity["betting.flop.max_raises"] = "2";
  trainer::WriteCheckpoint(all[0], old);
  CHECK(Run({"inspect", all[0].string(), "--infoset", "Ks:r"}, dir.string() + ".3") == 0);
  CHECK(Slurp(dir.string() + ".3").find("Ks:r") != std::string::npos);
  CHECK(Run({"--resume-from", all[0].string(), "--iters", "40000"}, dir.string() + ".4") == 0);
  CHECK(trainer::ReadCheckpoint(dir / "checkpoints" / "ckpt-40000.bin").iterations == 40000);
  // The user's own keys on resume are still checked.
  CHECK(Run({"--resume-from", dir.string(), "--iters", "60000", "--set", "betting.flop.max_raises=1"},
            dir.string() + ".5") == 2);
  CHECK(Slurp(dir.string() + ".5").find("betting.flop.max_raises: expected only with game.name") != std::string::npos);
}

TEST_CASE("inspect summarises a run, plots it, and prints an infoset's strategy from a checkpoint") {
  const fs::path dir = Scratch("inspect");
  REQUIRE(Run(Leduc(dir, {"--deterministic", "--num-workers", "1", "--iters", "100000", "--batch-size", "10000",
                          "--time-budget", "0"}),
              dir.string() + ".out") == 0);
  const fs::path svg = dir / "plot.svg";
  CHECK(Run({"inspect", dir.string(), "--plot", svg.string()}, dir.string() + ".inspect") == 0);
  const std::string summary = Slurp(dir.string() + ".inspect");
  CHECK(summary.find("iterations 100000") != std::string::npos);
  CHECK(summary.find("10 issued, 0 lost, 0 issued again, 10 applied") != std::string::npos);
  CHECK(summary.find("ckpt-100000.bin") != std::string::npos);
  CHECK(Slurp(svg).rfind("<svg", 0) == 0);
  const fs::path png = dir / "plot.png";
  CHECK(Run({"inspect", dir.string(), "--plot", png.string()}, dir.string() + ".png.out") == 0);
  CHECK(Slurp(png).substr(1, 3) == "PNG");
  const std::string ckpt = (dir / "checkpoints" / "ckpt-100000.bin").string();
  CHECK(Run({"inspect", ckpt, "--infoset", "Ks:r"}, dir.string() + ".infoset") == 0);
  const std::string infoset = Slurp(dir.string() + ".infoset");
  CHECK(infoset.find("infoset Ks:r (player 1), after 100000 iterations") != std::string::npos);
  CHECK(infoset.find("       f ") != std::string::npos);
  CHECK(Run({"inspect", ckpt, "--infoset", "Zz:"}, dir.string() + ".bad") == 2);
  CHECK(Slurp(dir.string() + ".bad").find("no information set named 'Zz:'") != std::string::npos);
  CHECK(Run({"inspect", dir.string(), "--plot", (dir / "plot.pdf").string()}, dir.string() + ".pdf") == 2);
}

TEST_CASE("a checkpoint an earlier build wrote (version 3) resumes bit for bit like the same state written now") {
  // The earlier build drew from another random generator, so its first
  // 20,000 iterations are not this build's: the reference is the same
  // tables and counters written by this build (version 4) and resumed.
  const fs::path dir = Scratch("legacy-resume"), now = Scratch("legacy-now");
  fs::create_directories(dir / "checkpoints");
  fs::create_directories(now / "checkpoints");
  fs::copy_file(fs::path(TEST_DATA_DIR) / "legacy" / "leduc-ckpt-v3.bin", dir / "checkpoints" / "ckpt-20000.bin");
  const auto legacy = trainer::ReadCheckpoint(dir / "checkpoints" / "ckpt-20000.bin");
  REQUIRE(legacy.iterations == 20000);
  trainer::WriteCheckpoint(now / "checkpoints" / "ckpt-20000.bin", legacy);
  REQUIRE(Run({"--resume-from", dir.string(), "--iters", "40000"}, dir.string() + ".out") == 0);
  REQUIRE(Run({"--resume-from", now.string(), "--iters", "40000"}, now.string() + ".out") == 0);
  const auto a = trainer::ReadCheckpoint(dir / "checkpoints" / "ckpt-40000.bin");
  const auto b = trainer::ReadCheckpoint(now / "checkpoints" / "ckpt-40000.bin");
  CHECK(a.iterations == 40000);
  CHECK(b.iterations == 40000);
  CHECK(a.Regrets<double>() == b.Regrets<double>());
  CHECK(a.strategy_sum == b.strategy_sum);
  CHECK(a.Regrets<double>() != legacy.Regrets<double>());  // it did train on
}

namespace {
bool TemporaryLeft(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".tmp") return true;
  }
  return false;
}
}  // namespace

TEST_CASE("a full disk: failed checkpoints are reported and retried; max_failures in a row stop the run, exit 1") {
  const fs::path dir = Scratch("disk-full");
  const auto args = Leduc(dir, {"--num-workers", "2", "--time-budget", "60s", "--checkpoint-interval", "300ms", "--set",
                                "checkpoint.max_failures=2"});
  const auto start = std::chrono::steady_clock::now();
  CHECK(Run(args, dir.string() + ".out", "ckpt-:enospc:skip=1") == 1);
  CHECK(std::chrono::steady_clock::now() - start < 30s);  // it did not train the hour it could not save
  const std::string log = Slurp(dir / "train.log");
  CHECK(log.find(".tmp: write failed: No space left on device (1 write failure(s) in a row; the last good checkpoint "
                 "is kept)") != std::string::npos);
  CHECK(log.find("stopping: 2 checkpoint or snapshot writes failed in a row (checkpoint.max_failures)") !=
        std::string::npos);
  // The one good checkpoint is intact, nothing half-written is left, and the
  // run's accounting and final metrics were still written.
  const auto all = trainer::RunDir(dir).ListCheckpoints();
  REQUIRE(all.size() == 1);
  CHECK(trainer::ReadCheckpoint(all[0]).iterations > 0);
  CHECK_FALSE(TemporaryLeft(dir));
  const auto rows = Metrics(dir);
  CHECK(rows.back()["stop_reason"] == "writes failed");
  CheckAccounting(rows.back());
  // It resumes from that checkpoint once the disk has room again.
  CHECK(Run({"--resume-from", dir.string(), "--time-budget", "1s"}, dir.string() + ".resume") == 0);
}

TEST_CASE("every file the run writes is checked: config.yaml, metrics.jsonl, train.log") {
  const fs::path a = Scratch("config-fails");
  CHECK(Run(Leduc(a, {"--num-workers", "1", "--time-budget", "5s"}), a.string() + ".out", "config.yaml:eio") == 1);
  CHECK(Slurp(a.string() + ".out").find("error: " + (a / "config.yaml.tmp").string() +
                                        ": write failed: Input/output error\n") != std::string::npos);
  CHECK_FALSE(fs::exists(a / "config.yaml"));
  CHECK_FALSE(TemporaryLeft(a));
  CHECK(trainer::RunDir(a).ListCheckpoints().empty());

  const fs::path b = Scratch("metrics-fail");
  CHECK(Run(Leduc(b, {"--num-workers", "1", "--time-budget", "2s"}), b.string() + ".out", "metrics.jsonl:enospc") == 1);
  CHECK(Slurp(b / "train.log").find("cannot write " + (b / "metrics.jsonl").string() +
                                    ": No space left on device; metrics are missing from here on") !=
        std::string::npos);
  CHECK(trainer::RunDir(b).ListCheckpoints().size() == 1);  // the run itself finished

  const fs::path c = Scratch("log-fails");
  CHECK(Run(Leduc(c, {"--num-workers", "1", "--time-budget", "2s"}), c.string() + ".out", "train.log:eio") == 1);
  CHECK(Slurp(c.string() + ".out").find("warn cannot write " + (c / "train.log").string() +
                                        ": Input/output error; the log goes on here only") != std::string::npos);
  CHECK(trainer::RunDir(c).ListCheckpoints().size() == 1);

  CHECK(Run(Leduc(Scratch("bad-spec"), {}), a.string() + ".spec", "ckpt-:melt") == 2);
  CHECK(Slurp(a.string() + ".spec").find("error: BP_WRITE_FAULTS: expected PATTERN:FAULT") == 0);
}

TEST_CASE("the next start removes the temporary files interrupted writes left, and only those") {
  const fs::path dir = Scratch("stale-tmp");
  REQUIRE(Run(Leduc(dir, {"--num-workers", "1", "--iters", "20000", "--time-budget", "0"}), dir.string() + ".out") == 0);
  fs::create_directories(dir / "snapshots");
  for (const fs::path& p : {dir / "checkpoints" / "ckpt-5.bin.tmp", dir / "snapshots" / "snapshot-3.bin.tmp",
                            dir / "blueprint.bin.tmp", dir / "notes.tmp", dir / "checkpoints" / "mine.tmp"}) {
    std::ofstream(p) << "half a file";
  }
  REQUIRE(Run({"--resume-from", dir.string(), "--iters", "40000"}, dir.string() + ".resume") == 0);
  CHECK(Slurp(dir / "train.log").find("removed 3 temporary file(s) that interrupted writes left: ") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(dir / "checkpoints" / "ckpt-5.bin.tmp"));
  CHECK_FALSE(fs::exists(dir / "snapshots" / "snapshot-3.bin.tmp"));
  CHECK_FALSE(fs::exists(dir / "blueprint.bin.tmp"));
  CHECK(fs::exists(dir / "notes.tmp"));  // not the run's
  CHECK(fs::exists(dir / "checkpoints" / "mine.tmp"));
}

TEST_CASE("a hung worker (stopped) is killed by the watchdog, respawned, and its batches are issued again") {
  const fs::path dir = Scratch("hung-worker");
  const pid_t coordinator = Spawn(
      Leduc(dir, {"--num-workers", "2", "--time-budget", "8s", "--set", "run.worker_timeout=1s"}), dir.string() + ".out");
  REQUIRE(WaitFor([&] { return Children(coordinator).size() == 2; }, 10s));
  std::this_thread::sleep_for(1500ms);
  const pid_t stopped = Children(coordinator).front();
  REQUIRE(::kill(stopped, SIGSTOP) == 0);
  CHECK(Wait(coordinator, 60s) == 0);
  const std::string log = Slurp(dir / "train.log");
  CHECK(log.find("(pid " + std::to_string(stopped) + ") sent no heartbeat for ") != std::string::npos);
  CHECK(log.find("(run.worker_timeout 1.0 s): killing it") != std::string::npos);
  CHECK(log.find("(pid " + std::to_string(stopped) + ") killed by signal 9") != std::string::npos);
  CHECK(log.find("every batch applied exactly once") != std::string::npos);
  const auto last = Metrics(dir).back();
  CheckAccounting(last);
  CHECK(last["worker_deaths"] == 1);
  CHECK(last["batches_lost"].get<std::uint64_t>() >= 1);
  CHECK(Gone(stopped));
}

TEST_CASE("SIGINT ends the run within 5 s even while a worker is stopped; its batches stay pending") {
  const fs::path dir = Scratch("signal-hung");
  const pid_t coordinator =
      Spawn(Leduc(dir, {"--num-workers", "2", "--time-budget", "10m"}), dir.string() + ".out");
  REQUIRE(WaitFor([&] { return Metrics(dir).size() >= 2; }, 20s));
  const auto workers = Children(coordinator);
  REQUIRE(workers.size() == 2);
  REQUIRE(::kill(workers[0], SIGSTOP) == 0);
  std::this_thread::sleep_for(300ms);
  const auto start = std::chrono::steady_clock::now();
  ::kill(coordinator, SIGINT);
  CHECK(Wait(coordinator, 10s) == 0);
  CHECK(std::chrono::steady_clock::now() - start < 6s);
  for (pid_t w : workers) CHECK(WaitFor([&] { return Gone(w); }, 2s));
  const auto ckpt = trainer::ReadCheckpoint(trainer::RunDir(dir).ListCheckpoints().front());
  CHECK_FALSE(ckpt.pending.empty());
  CheckAccounting(Metrics(dir).back());  // those batches count as lost
  CHECK(Slurp(dir / "train.log").find("batch(es) still in flight when the workers stopped are pending in the final "
                                      "checkpoint") != std::string::npos);
  // Resumed, the pending batches are issued again and applied once.
  REQUIRE(Run({"--resume-from", dir.string(), "--time-budget", "1s"}, dir.string() + ".resume") == 0);
  CheckAccounting(Metrics(dir).back());
  CHECK(Slurp(dir / "train.log").find("every batch applied exactly once") != std::string::npos);
}

TEST_CASE("inspect reads a run whose metrics end in a cut-off line or hold rows without some keys") {
  const fs::path dir = Scratch("inspect-damaged");
  REQUIRE(Run(Leduc(dir, {"--num-workers", "1", "--time-budget", "2s"}), dir.string() + ".out") == 0);
  const auto lines = Metrics(dir).size();  // whole lines before the bad ones
  {
    std::ofstream out(dir / "metrics.jsonl", std::ios::app);
    out << "{\"t\": 9.5}\n" << "{\"t\": 10, \"iterations\": 5, \"workers\": [{\"cpu_pct\": \"x\"}, 7]}\n"
        << "[1, 2]\n" << "{\"t\": 11, \"iterati";
  }
  CHECK(Run({"inspect", dir.string()}, dir.string() + ".inspect") == 0);
  const std::string out = Slurp(dir.string() + ".inspect");
  const std::string metrics = (dir / "metrics.jsonl").string();
  CHECK(out.find(metrics + ":" + std::to_string(lines + 1) + ": skipped: no iterations") != std::string::npos);
  CHECK(out.find(metrics + ":" + std::to_string(lines + 3) + ": skipped: not a whole JSON object (cut off?)") !=
        std::string::npos);
  CHECK(out.find(metrics + ":" + std::to_string(lines + 4) + ": skipped: not a whole JSON object (cut off?)") !=
        std::string::npos);
  CHECK(out.find("iterations 5  time 10.0 s  still running or killed") != std::string::npos);
}

TEST_CASE("bad input exits 2: an empty config, a resume from nothing or from a file that is not a checkpoint") {
  const fs::path dir = Scratch("bad-input");
  fs::create_directories(dir);
  std::ofstream(dir / "empty.yaml") << "# nothing but a comment\n";
  CHECK(Run({"--config", (dir / "empty.yaml").string()}, dir.string() + ".1") == 2);
  CHECK(Slurp(dir.string() + ".1") == "error: " + (dir / "empty.yaml").string() +
                                          ": expected a config with at least game.name (e.g. 'game: {name: leduc}'), "
                                          "found no keys\n");
  CHECK(Run({"--resume-from", (dir / "no-such-run").string()}, dir.string() + ".2") == 2);
  CHECK(Slurp(dir.string() + ".2") ==
        "error: " + (dir / "no-such-run").string() + ": no such run directory or checkpoint file\n");
  std::ofstream(dir / "garbage.bin", std::ios::binary) << std::string("\x01\x02\xff garbage, not a checkpoint", 29);
  CHECK(Run({"--resume-from", (dir / "garbage.bin").string()}, dir.string() + ".3") == 2);
  CHECK(Slurp(dir.string() + ".3") ==
        "error: " + (dir / "garbage.bin").string() + ": not a checkpoint file (magic is not BPCKPT02)\n");
  CHECK(Run(Leduc(dir / "run", {"--batch-size", std::string("1\x07", 2)}), dir.string() + ".4") == 2);
  CHECK(Slurp(dir.string() + ".4").find("found '1\\x07'") != std::string::npos);
}

TEST_CASE("a real full disk (a 1 MiB tmpfs): the run stops with exit 1, its last good checkpoint intact") {
  const fs::path mount_point = Scratch("tmpfs");
  fs::create_directories(mount_point);
  if (::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=1m") != 0) {
    MESSAGE("skipped: mounting a tmpfs is not permitted here (", std::strerror(errno),
            "); the fault-injection tests above cover the same paths");
    return;
  }
  struct Unmount {
    fs::path at;
    ~Unmount() { ::umount2(at.c_str(), MNT_DETACH); }
  } unmount{mount_point};
  {
    // Leave about 100 KiB: room for a few checkpoints of Leduc (36 KB each), not for long.
    std::ofstream filler(mount_point / "filler", std::ios::binary);
    filler << std::string((1 << 20) - (100 << 10), 'x');
  }
  const fs::path dir = mount_point / "run", log = Scratch("tmpfs-run.out");
  const int code =
      Run(Leduc(dir, {"--num-workers", "2", "--time-budget", "60s", "--checkpoint-interval", "200ms"}), log);
  CHECK(code == 1);
  const std::string out = Slurp(log);
  CHECK(out.find("No space left on device") != std::string::npos);
  const auto all = trainer::RunDir(dir).ListCheckpoints();
  REQUIRE_FALSE(all.empty());
  CHECK(trainer::ReadCheckpoint(all.front()).iterations > 0);
  CHECK_FALSE(TemporaryLeft(dir));
}

TEST_CASE("run.max_worker_deaths: more deaths than that within a minute stop the run, exit 1") {
  const fs::path dir = Scratch("deaths");
  const pid_t coordinator = Spawn(
      Leduc(dir, {"--num-workers", "1", "--time-budget", "60s", "--set", "run.max_worker_deaths=2"}), dir.string() + ".out");
  REQUIRE(WaitFor([&] { return Children(coordinator).size() == 1; }, 10s));
  pid_t last = 0;
  for (int kill = 0; kill < 3; ++kill) {
    REQUIRE(WaitFor([&] {
      const auto kids = Children(coordinator);
      return !kids.empty() && kids[0] != last && !Gone(kids[0]);
    }, 10s));
    last = Children(coordinator)[0];
    std::this_thread::sleep_for(200ms);
    ::kill(last, SIGKILL);
  }
  CHECK(Wait(coordinator, 30s) == 1);
  CHECK(Slurp(dir / "train.log").find("more than 2 worker deaths in a minute (run.max_worker_deaths): stopping the "
                                      "run") != std::string::npos);
  CHECK(Metrics(dir).back()["stop_reason"] == "workers keep dying");
}

TEST_CASE("tree: bucket counts given on the command line do not open the config's bucket file") {
  const fs::path dir = Scratch("tree");
  fs::create_directories(dir);
  CHECK(Run({"tree", "--config", std::string(CONFIG_DIR) + "/hunl_200bb.yaml", "--set",
             "abstraction.buckets=/no/such/buckets.bin", "--buckets-per-street", "169,10,10,10"},
            dir / "tree.out") == 0);
  CHECK(Slurp(dir / "tree.out").find("infoset-actions: int32 regrets") != std::string::npos);
  // Without them the config's file is what counts, and a missing one is named.
  CHECK(Run({"tree", "--config", std::string(CONFIG_DIR) + "/hunl_200bb.yaml", "--set",
             "abstraction.buckets=/no/such/buckets.bin"},
            dir / "tree2.out") == 2);
  CHECK(Slurp(dir / "tree2.out") ==
        "error: /no/such/buckets.bin: cannot open bucket file: No such file or directory\n");
}
