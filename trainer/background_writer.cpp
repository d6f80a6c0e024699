#include "trainer/background_writer.h"

#include <fmt/core.h>

#include <exception>
#include <utility>

namespace bp::trainer {

void BackgroundWriter::Start(const char* what, std::function<std::string()> job) {
  Join();
  busy_.store(true, std::memory_order_release);
  thread_ = std::thread([this, what, job = std::move(job)] {
    cpus_.ApplyToThisThread();
    Outcome outcome{what, "", false};
    try {
      outcome.line = job();
    } catch (const std::exception& e) {
      outcome.line = fmt::format("{} failed: {}", what, e.what());
      outcome.failed = true;
    }
    std::lock_guard lock(mutex_);
    outcome_ = std::move(outcome);
    busy_.store(false, std::memory_order_release);
  });
}

std::optional<BackgroundWriter::Outcome> BackgroundWriter::Join() {
  if (!thread_.joinable()) return std::nullopt;
  thread_.join();
  std::lock_guard lock(mutex_);
  Outcome outcome = std::move(outcome_);
  outcome_ = {};
  failed_ = failed_ || outcome.failed;
  return outcome;
}

}  // namespace bp::trainer
