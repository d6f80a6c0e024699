// RunLog: the human log of a run. Every line goes to LOGDIR/train.log with a
// timestamp and to standard error. On a terminal, a live progress line stays
// at the bottom and log lines are printed above it.
// Thread-compatible (the coordinator's thread only).
#pragma once

#include <fmt/core.h>

#include "base/file_system.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

namespace bp::trainer {

class RunLog {
 public:
  RunLog() = default;
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;
  ~RunLog();

  // Appends to `path` (creating it); base::FileError if it cannot.
  // Lines before Open go to stderr only.
  void Open(const std::filesystem::path& path);
  // A line could not be written to the file (it then goes to stderr only).
  bool failed() const { return failed_; }
  bool interactive() const { return interactive_; }
  void set_interactive(bool on) { interactive_ = on; }

  template <class... Args>
  void Info(fmt::format_string<Args...> format, Args&&... args) {
    Line("info", fmt::format(format, std::forward<Args>(args)...));
  }
  template <class... Args>
  void Warn(fmt::format_string<Args...> format, Args&&... args) {
    Line("warn", fmt::format(format, std::forward<Args>(args)...));
  }
  // Replaces the live progress line (terminal only).
  void Progress(const std::string& text);
  void EndProgress();

 private:
  void Line(const char* level, const std::string& text);

  std::unique_ptr<base::AppendFile> file_;
  bool failed_ = false;
  bool interactive_ = false;
  bool progress_shown_ = false;
};

}  // namespace bp::trainer
