// Internal invariants: a broken one is a bug of this program, never a user's
// mistake (those are typed errors with a message: ConfigError, AssetError,
// CheckpointError, IpcError, FileError).
//
//   BP_CHECK(cond)          always checked: for cheap invariants, anywhere
//   BP_CHECK_EQ(a, b), _NE, _LT, _LE, _GT, _GE
//                           the same, and the message shows both values
//   BP_DCHECK(cond), BP_DCHECK_EQ(a, b), ...
//                           checked in debug builds only (compiled out with
//                           NDEBUG, as in Release): for the hot loops
//
// A failure prints "check failed at FILE:LINE: a == b (3 vs 4)" to standard
// error and aborts. Async-signal-unsafe, like any abort with a message; fine
// in a forked worker (it dies and is respawned, its batch issued again).
#pragma once

#include <fmt/format.h>

#include <string>
#include <type_traits>

namespace bp::base {

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition, const std::string& values);

template <class T>
std::string CheckValue(const T& v) {
  if constexpr (std::is_enum_v<T>) {
    return fmt::format("{}", static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (fmt::is_formattable<T>::value) {
    return fmt::format("{}", v);
  } else {
    return "?";
  }
}

}  // namespace bp::base

#define BP_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::bp::base::CheckFailed(__FILE__, __LINE__, #cond, std::string()))

#define BP_CHECK_OP_(a, op, b)                                                                            \
  do {                                                                                                    \
    const auto& bp_check_a_ = (a);                                                                        \
    const auto& bp_check_b_ = (b);                                                                        \
    if (!(bp_check_a_ op bp_check_b_)) {                                                                  \
      ::bp::base::CheckFailed(__FILE__, __LINE__, #a " " #op " " #b,                                      \
                              ::bp::base::CheckValue(bp_check_a_) + " vs " + ::bp::base::CheckValue(bp_check_b_)); \
    }                                                                                                     \
  } while (false)

#define BP_CHECK_EQ(a, b) BP_CHECK_OP_(a, ==, b)
#define BP_CHECK_NE(a, b) BP_CHECK_OP_(a, !=, b)
#define BP_CHECK_LT(a, b) BP_CHECK_OP_(a, <, b)
#define BP_CHECK_LE(a, b) BP_CHECK_OP_(a, <=, b)
#define BP_CHECK_GT(a, b) BP_CHECK_OP_(a, >, b)
#define BP_CHECK_GE(a, b) BP_CHECK_OP_(a, >=, b)

#ifdef NDEBUG
#define BP_DCHECK_UNUSED_(x) static_cast<void>(sizeof(static_cast<bool>(x)))
#define BP_DCHECK(cond) BP_DCHECK_UNUSED_(cond)
#define BP_DCHECK_EQ(a, b) BP_DCHECK_UNUSED_((a) == (b))
#define BP_DCHECK_NE(a, b) BP_DCHECK_UNUSED_((a) != (b))
#define BP_DCHECK_LT(a, b) BP_DCHECK_UNUSED_((a) < (b))
#define BP_DCHECK_LE(a, b) BP_DCHECK_UNUSED_((a) <= (b))
#define BP_DCHECK_GT(a, b) BP_DCHECK_UNUSED_((a) > (b))
#define BP_DCHECK_GE(a, b) BP_DCHECK_UNUSED_((a) >= (b))
#else
#define BP_DCHECK(cond) BP_CHECK(cond)
#define BP_DCHECK_EQ(a, b) BP_CHECK_EQ(a, b)
#define BP_DCHECK_NE(a, b) BP_CHECK_NE(a, b)
#define BP_DCHECK_LT(a, b) BP_CHECK_LT(a, b)
#define BP_DCHECK_LE(a, b) BP_CHECK_LE(a, b)
#define BP_DCHECK_GT(a, b) BP_CHECK_GT(a, b)
#define BP_DCHECK_GE(a, b) BP_CHECK_GE(a, b)
#endif
