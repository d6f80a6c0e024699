#include "abstraction/betting_abstraction.h"

#include <cmath>
#include <stdexcept>

#include <fmt/core.h>

namespace bp::abstraction {
namespace {

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto end = s.find(sep, start);
    parts.push_back(Trim(s.substr(start, end == std::string::npos ? std::string::npos : end - start)));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

std::vector<std::vector<BetSize>> ParseSizes(const std::string& text) {
  std::vector<std::vector<BetSize>> out;
  if (Trim(text).empty()) return out;
  const auto depths = Split(text, '|');
  for (std::size_t d = 0; d < depths.size(); ++d) {
    std::vector<BetSize> sizes;
    for (const std::string& item : Split(depths[d], ',')) {
      if (item.empty()) throw std::invalid_argument(fmt::format("raise depth {} has an empty size", d));
      if (item == "allin" || item == "all-in" || item == "all_in") {
        sizes.push_back({0, true});
        continue;
      }
      std::size_t pos = 0;
      double f = 0;
      try {
        f = std::stod(item, &pos);
      } catch (const std::exception&) {
        pos = 0;
      }
      if (pos != item.size() || !std::isfinite(f) || f <= 0 || f > 100) {
        throw std::invalid_argument(
            fmt::format("raise depth {}: '{}' is not a pot fraction in (0, 100] or allin", d, item));
      }
      sizes.push_back({f, false});
    }
    out.push_back(std::move(sizes));
  }
  return out;
}

std::string FormatSizes(const std::vector<std::vector<BetSize>>& sizes) {
  std::string out;
  for (std::size_t d = 0; d < sizes.size(); ++d) {
    if (d > 0) out += " | ";
    for (std::size_t i = 0; i < sizes[d].size(); ++i) {
      if (i > 0) out += ", ";
      out += sizes[d][i].all_in ? std::string("allin") : fmt::format("{}", sizes[d][i].pot_fraction);
    }
  }
  return out;
}

}  // namespace bp::abstraction
