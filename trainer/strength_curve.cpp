#include "trainer/strength_curve.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace bp::trainer {

std::string CurveRowJson(const CurveRow& r) {
  const nlohmann::json j = {{"iterations", r.iterations},
                            {"t", r.t},
                            {"actions", r.actions},
                            {"streets", r.streets},
                            {"flop_samples", r.flop_samples},
                            {"preflop_samples", r.preflop_samples},
                            {"preflop_equity", r.preflop_equity},
                            {"seed", r.seed},
                            {"deals", r.deals},
                            {"hands", r.hands},
                            {"mbb", r.mbb},
                            {"ci95", r.ci95},
                            {"seat0_mbb", r.seat0_mbb},
                            {"seat0_ci95", r.seat0_ci95},
                            {"seat1_mbb", r.seat1_mbb},
                            {"seat1_ci95", r.seat1_ci95},
                            {"seconds", r.seconds},
                            {"threads", r.threads}};
  return j.dump();
}

std::vector<CurveRow> ReadCurve(const std::filesystem::path& path, std::vector<std::string>& skipped) {
  std::vector<CurveRow> rows;
  std::ifstream in(path);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      CurveRow r;
      r.iterations = j.at("iterations").get<std::uint64_t>();
      r.t = j.at("t").get<double>();
      r.actions = j.at("actions").get<std::string>();
      r.streets = j.at("streets").get<std::string>();
      r.flop_samples = j.value("flop_samples", 0);
      r.preflop_samples = j.value("preflop_samples", 0);
      r.preflop_equity = j.value("preflop_equity", false);
      r.seed = j.value("seed", std::uint64_t{0});
      r.deals = j.value("deals", std::uint64_t{0});
      r.hands = j.at("hands").get<std::uint64_t>();
      r.mbb = j.at("mbb").get<double>();
      r.ci95 = j.at("ci95").get<double>();
      r.seat0_mbb = j.value("seat0_mbb", 0.0);
      r.seat0_ci95 = j.value("seat0_ci95", 0.0);
      r.seat1_mbb = j.value("seat1_mbb", 0.0);
      r.seat1_ci95 = j.value("seat1_ci95", 0.0);
      r.seconds = j.value("seconds", 0.0);
      r.threads = j.value("threads", 0);
      rows.push_back(std::move(r));
    } catch (const std::exception& e) {
      skipped.push_back(fmt::format("{}:{}: not a curve row ({})", path.string(), number, e.what()));
    }
  }
  return rows;
}

double TrainingSecondsAt(const std::vector<MetricsRow>& rows, std::uint64_t iterations) {
  if (rows.empty()) return 0;
  const MetricsRow* before = nullptr;
  const MetricsRow* after = nullptr;
  for (const MetricsRow& r : rows) {
    if (r.iterations <= iterations && (before == nullptr || r.iterations >= before->iterations)) before = &r;
    if (r.iterations >= iterations && (after == nullptr || r.iterations < after->iterations)) after = &r;
  }
  if (before == nullptr) return after->t;
  if (after == nullptr || after->iterations == before->iterations) return before->t;
  const double f = static_cast<double>(iterations - before->iterations) /
                   static_cast<double>(after->iterations - before->iterations);
  return before->t + f * (after->t - before->t);
}

}  // namespace bp::trainer
