#include "trainer/picture.h"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include <fmt/core.h>

#include "trainer/config.h"

namespace bp::trainer {
namespace fs = std::filesystem;

void CheckPictureName(const fs::path& out, const char* flag) {
  if (out.extension() != ".svg" && out.extension() != ".png") {
    throw ConfigError(fmt::format("{} {}: expected a file name ending in .svg or .png, found '{}'", flag, out.string(),
                                  out.extension().string()));
  }
}

void WritePicture(const std::string& svg, const fs::path& out, const char* flag) {
  CheckPictureName(out, flag);
  const fs::path svg_path = out.extension() == ".svg" ? out : fs::path(out.string() + ".tmp.svg");
  {
    std::ofstream f(svg_path);
    if (!f) throw ConfigError(fmt::format("{} {}: cannot write the file", flag, out.string()));
    f << svg;
  }
  if (svg_path == out) return;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execlp("rsvg-convert", "rsvg-convert", "--format", "png", "--output", out.c_str(), svg_path.c_str(), nullptr);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  fs::remove(svg_path);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(fmt::format("{} {}: rsvg-convert failed{}", flag, out.string(),
                                         WIFEXITED(status) && WEXITSTATUS(status) == 127
                                             ? " (not installed: apt-get install librsvg2-bin, or write .svg)"
                                             : ""));
  }
}

}  // namespace bp::trainer
