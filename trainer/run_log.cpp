#include "trainer/run_log.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace bp::trainer {

RunLog::~RunLog() { EndProgress(); }

void RunLog::Open(const std::filesystem::path& path) { file_ = std::make_unique<base::AppendFile>(path); }

void RunLog::Line(const char* level, const std::string& text) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  const std::string line = fmt::format("{} {} {}\n", stamp, level, text);
  if (file_) {
    try {
      file_->Append(line);
    } catch (const std::exception& e) {
      file_.reset();
      failed_ = true;
      if (progress_shown_) std::fputs("\r\033[2K", stderr);
      std::fprintf(stderr, "%s warn %s; the log goes on here only\n", stamp, e.what());
      progress_shown_ = false;
    }
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
