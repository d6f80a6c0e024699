#include "trainer/yaml_schema.h"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace bp::trainer {

std::string Printable(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", u);
    }
  }
  return out;
}

Override ParseSetOverride(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(fmt::format("command line (--set): expected key.path=value, found '{}'", Printable(text)));
  }
  return {text.substr(0, eq), text.substr(eq + 1), "--set"};
}

std::uint64_t ParseUInt(const std::string& s, std::uint64_t lo, std::uint64_t hi) {
  const std::string expected = fmt::format("an integer from {} to {}", lo, hi);
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw Expected{expected};
  }
  errno = 0;
  const unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
  if (errno == ERANGE || v < lo || v > hi) throw Expected{expected};
  return v;
}

double ParseReal(const std::string& s, double lo, double hi) {
  const std::string expected = fmt::format("a number from {} to {}", lo, hi);
  std::size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(s, &pos);
  } catch (const std::exception&) {
    throw Expected{expected};
  }
  if (pos != s.size() || !std::isfinite(v) || v < lo || v > hi) throw Expected{expected};
  return v;
}

bool ParseBool(const std::string& s) {
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  throw Expected{"true or false"};
}

std::string ParseEnum(const std::string& s, std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* a : allowed) {
    if (s == a) return s;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  throw Expected{"one of " + list};
}

double ParseDurationSeconds(const std::string& text) {
  if (text.empty()) throw std::invalid_argument("empty duration");
  std::size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(text, &pos);
  } catch (const std::exception&) {
    throw std::invalid_argument("not a duration: " + text);
  }
  const std::string unit = text.substr(pos);
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  else if (unit == "ms") scale = 1e-3;
  else if (unit == "m" || unit == "min") scale = 60;
  else if (unit == "h") scale = 3600;
  else if (unit == "d") scale = 86400;
  // Finite after the unit too: 1e308h is not a duration.
  if (scale == 0 || !std::isfinite(v) || !std::isfinite(v * scale) || v < 0 || text[0] == '-' || text[0] == '+' ||
      std::isspace(static_cast<unsigned char>(text[0]))) {
    throw std::invalid_argument("not a duration: " + text);
  }
  return v * scale;
}

double ParseDurationField(const std::string& s, double min_s) {
  try {
    const double v = ParseDurationSeconds(s);
    if (v >= min_s) return v;
  } catch (const std::invalid_argument&) {
  }
  throw Expected{min_s > 0 ? fmt::format("a duration of at least {}s such as 90s, 30m, 8h", min_s)
                           : std::string("a duration such as 90s, 30m, 8h (0 = no limit)")};
}

std::string FormatSeconds(double s) {
  if (s == 0) return "0";
  if (std::fmod(s, 3600) == 0) return fmt::format("{}h", s / 3600);
  if (std::fmod(s, 60) == 0) return fmt::format("{}m", s / 60);
  if (s < 1) return fmt::format("{}ms", s * 1000);
  return fmt::format("{}s", s);
}

namespace schema_detail {
namespace {

std::size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

// " (did you mean 'x'?)" for the closest of `candidates`, if close enough.
std::string Suggest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(3, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = EditDistance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::string Where(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return fmt::format("{}:{}:{}", source, mark.line + 1, mark.column + 1);
}

std::string Found(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    default: return "'" + Printable(node.Scalar()) + "'";
  }
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::vector<std::string> Split(const std::string& path, char sep) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto at = path.find(sep, start);
    parts.push_back(path.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

std::string ValueText(const std::string& path, ListForm list, const YAML::Node& value, const std::string& source) {
  if (value.IsScalar()) return value.Scalar();
  if (!value.IsSequence() || list == ListForm::kNone) {
    throw ConfigError(fmt::format("{}: {}: expected {}, found {}", Where(source, value.Mark()), path,
                                  list == ListForm::kNone ? "a single value" : "a value or a list", Found(value)));
  }
  bool all_scalars = true;
  for (const auto& item : value) all_scalars = all_scalars && item.IsScalar();
  auto join_scalars = [&](const YAML::Node& items) {
    std::string out;
    for (const auto& item : items) {
      if (!item.IsScalar()) {
        throw ConfigError(fmt::format("{}: {}: expected a single value in the list, found {}",
                                      Where(source, item.Mark()), path, Found(item)));
      }
      out += (out.empty() ? "" : ", ") + item.Scalar();
    }
    return out;
  };
  if (list == ListForm::kList || all_scalars) return join_scalars(value);
  std::string out;
  for (const auto& depth : value) {
    if (!depth.IsSequence()) {
      throw ConfigError(fmt::format("{}: {}: expected a list per raise depth, found {}", Where(source, depth.Mark()),
                                    path, Found(depth)));
    }
    out += (out.empty() ? "" : " | ") + join_scalars(depth);
  }
  return out;
}

}  // namespace schema_detail
}  // namespace bp::trainer
