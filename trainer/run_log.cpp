#include "trainer/run_log.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace bp::trainer {

RunLog::~RunLog() {
  EndProgress();
  if (file_) std::fclose(file_);
}

void RunLog::Open(const std::filesystem::path& path) {
  if (file_) std::fclose(file_);
  file_ = std::fopen(path.c_str(), "a");
  if (file_ == nullptr) throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  path_ = path;
}

void RunLog::Line(const char* level, const std::string& text) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  const std::string line = fmt::format("{} {} {}\n", stamp, level, text);
  if (file_ && (std::fputs(line.c_str(), file_) < 0 || std::fflush(file_) != 0)) {
    const std::string why = std::strerror(errno);
    std::fclose(file_);
    file_ = nullptr;
    failed_ = true;
    if (progress_shown_) std::fputs("\r\033[2K", stderr);
    std::fprintf(stderr, "%s warn %s cannot be written (%s): the log goes on here only\n", stamp, path_.c_str(),
                 why.c_str());
    progress_shown_ = false;
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
