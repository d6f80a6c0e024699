#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace bp::base {

void CheckFailed(const char* file, int line, const char* condition, const std::string& values) {
  std::fprintf(stderr, "check failed at %s:%d: %s%s%s%s\n", file, line, condition, values.empty() ? "" : " (",
               values.c_str(), values.empty() ? "" : ")");
  std::fflush(stderr);
  std::abort();
}

}  // namespace bp::base
