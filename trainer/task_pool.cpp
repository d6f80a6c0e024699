#include "trainer/task_pool.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include <fmt/core.h>

namespace bp::trainer {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

std::string FormatDuration(double s) {
  if (s < 90) return fmt::format("{:.0f}s", s);
  if (s < 5400) return fmt::format("{:.0f}m{:02.0f}s", std::floor(s / 60), std::fmod(s, 60));
  return fmt::format("{:.0f}h{:02.0f}m", std::floor(s / 3600), std::fmod(s / 60, 60));
}

TaskPool::TaskPool(int threads, std::FILE* out)
    : threads_(std::max(1, threads)), out_(out), tty_(::isatty(::fileno(out)) != 0) {}

void TaskPool::Run(std::size_t tasks, const std::function<void(std::size_t)>& body, const std::string& label) {
  std::atomic<std::size_t> next{0}, done{0};
  auto work = [&] {
    for (std::size_t t; (t = next.fetch_add(1)) < tasks;) {
      body(t);
      done.fetch_add(1);
    }
  };
  std::vector<std::thread> threads;
  const auto n = std::min<std::size_t>(static_cast<std::size_t>(threads_), std::max<std::size_t>(tasks, 1));
  for (std::size_t i = 0; i < n; ++i) threads.emplace_back(work);
  const auto start = Clock::now();
  auto last_line = start;
  while (!label.empty() && done.load() < tasks) {
    std::this_thread::sleep_for(std::chrono::milliseconds(tty_ ? 200 : 500));
    const std::size_t d = done.load();
    const double elapsed = Since(start);
    const double frac = static_cast<double>(d) / static_cast<double>(tasks);
    const std::string eta = d == 0 ? "?" : FormatDuration(elapsed / frac - elapsed);
    if (tty_) {
      const int width = 30, filled = static_cast<int>(frac * width);
      fmt::print(out_, "\r  {:<22} [{}{}] {:5.1f}%  {} elapsed, ETA {}   ", label,
                 std::string(static_cast<std::size_t>(filled), '#'), std::string(static_cast<std::size_t>(width - filled), '.'),
                 100 * frac, FormatDuration(elapsed), eta);
      std::fflush(out_);
    } else if (Since(last_line) >= 10) {
      fmt::print(out_, "  {}: {:.1f}%, {} elapsed, ETA {}\n", label, 100 * frac, FormatDuration(elapsed), eta);
      std::fflush(out_);
      last_line = Clock::now();
    }
  }
  for (auto& t : threads) t.join();
  if (!label.empty()) {
    if (tty_) fmt::print(out_, "\r{}\r", std::string(100, ' '));
    fmt::print(out_, "  {}: done in {}\n", label, FormatDuration(Since(start)));
    std::fflush(out_);
  }
}

abstraction::ParallelFor TaskPool::AsParallelFor() {
  return [this](std::size_t tasks, const std::function<void(std::size_t)>& body) { Run(tasks, body); };
}

}  // namespace bp::trainer
