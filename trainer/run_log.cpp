#include "trainer/run_log.h"

#include <ctime>

namespace bp::trainer {

RunLog::~RunLog() {
  EndProgress();
  if (file_) std::fclose(file_);
}

void RunLog::Open(const std::filesystem::path& path) {
  if (file_) std::fclose(file_);
  file_ = std::fopen(path.c_str(), "a");
}

void RunLog::Line(const char* level, const std::string& text) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  const std::string line = fmt::format("{} {} {}\n", stamp, level, text);
  if (file_) {
    std::fputs(line.c_str(), file_);
    std::fflush(file_);
  }
  if (progress_shown_) std::fputs("\r\033[2K", stderr);
  std::fputs(line.c_str(), stderr);
  progress_shown_ = false;
}

void RunLog::Progress(const std::string& text) {
  if (!interactive_) return;
  std::fprintf(stderr, "\r\033[2K%s", text.c_str());
  std::fflush(stderr);
  progress_shown_ = true;
}

void RunLog::EndProgress() {
  if (progress_shown_) std::fputs("\n", stderr);
  progress_shown_ = false;
}

}  // namespace bp::trainer
