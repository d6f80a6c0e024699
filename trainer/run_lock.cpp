#include "trainer/run_lock.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "trainer/run_dir.h"
#include "trainer/yaml_schema.h"

namespace bp::trainer {

RunLock RunLock::Acquire(const std::filesystem::path& logdir) {
  std::error_code ec;
  std::filesystem::create_directories(logdir, ec);
  if (ec) throw ConfigError(fmt::format("{}: cannot create the run directory: {}", logdir.string(), ec.message()));
  const std::filesystem::path path = RunDir(logdir).Lock();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw ConfigError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  struct flock lock{};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (::fcntl(fd, F_SETLK, &lock) != 0) {
    const int error = errno;
    struct flock holder{};
    holder.l_type = F_WRLCK;
    holder.l_whence = SEEK_SET;
    const bool known = ::fcntl(fd, F_GETLK, &holder) == 0 && holder.l_type != F_UNLCK;
    ::close(fd);
    if (error != EACCES && error != EAGAIN) {
      throw ConfigError(fmt::format("{}: cannot lock: {}", path.string(), std::strerror(error)));
    }
    throw ConfigError(fmt::format("{}: in use by another train_blueprint{}; wait for it to end or stop it (SIGINT "
                                  "checkpoints it), or choose another --logdir",
                                  logdir.string(), known ? fmt::format(" (pid {})", holder.l_pid) : ""));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  const bool noted = ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  static_cast<void>(noted);  // the pid is for people: the lock holds without it
  return RunLock(fd);
}

std::optional<pid_t> RunLock::Holder(const std::filesystem::path& logdir) {
  const std::filesystem::path path = RunDir(logdir).Lock();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock holder{};
  holder.l_type = F_WRLCK;
  holder.l_whence = SEEK_SET;
  const bool held = ::fcntl(fd, F_GETLK, &holder) == 0 && holder.l_type != F_UNLCK;
  ::close(fd);
  if (!held) return std::nullopt;
  return holder.l_pid;
}

RunLock::RunLock(RunLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the lock
}

}  // namespace bp::trainer
