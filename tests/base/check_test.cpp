#include "base/check.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "support/process.h"

namespace {

// Runs `body` in a child with standard error into a pipe; returns (exit
// status as WaitChild gives it, what it wrote).
template <class Body>
std::pair<int, std::string> InChild(Body body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ForkChild([&] {
    ::signal(SIGABRT, SIG_DFL);
    ::dup2(fds[1], 2);
    body();
    return 0;
  });
  ::close(fds[1]);
  std::string out;
  char buffer[256];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof(buffer))) > 0;) out.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  return {WaitChild(pid), out};
}

}  // namespace

TEST_CASE("a failed check aborts with the place, the condition and the values") {
  const auto [status, message] = InChild([] {
    const int two = 1 + 1;
    BP_CHECK_EQ(two, 3);
  });
  CHECK(status == 128 + SIGABRT);
  CHECK(message.find("check failed at ") == 0);
  CHECK(message.find("check_test.cpp:") != std::string::npos);
  CHECK(message.find(": two == 3 (2 vs 3)\n") != std::string::npos);
  const auto plain = InChild([] { BP_CHECK(sizeof(int) == 1); });
  CHECK(plain.first == 128 + SIGABRT);
  CHECK(plain.second.find(": sizeof(int) == 1\n") != std::string::npos);
  // A check that holds does nothing.
  const auto fine = InChild([] {
    BP_CHECK_LT(1, 2);
    BP_CHECK(true);
  });
  CHECK(fine.first == 0);
  CHECK(fine.second.empty());
}

TEST_CASE("debug checks are compiled out of release builds (NDEBUG), and checked otherwise") {
  const auto [status, message] = InChild([] {
    int evaluated = 0;
    BP_DCHECK_EQ(++evaluated, 5);
    if (evaluated != 0) std::abort();  // a release build must not even evaluate it
  });
#ifdef NDEBUG
  CHECK(status == 0);
  CHECK(message.empty());
#else
  CHECK(status == 128 + SIGABRT);
#endif
}
