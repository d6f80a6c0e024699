#include "trainer/build_buckets.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "abstraction/bucket_file.h"
#include "abstraction/card_features.h"
#include "abstraction/kmeans.h"
#include "base/coding.h"
#include "base/file_frame.h"
#include "trainer/proc_stats.h"
#include "trainer/task_pool.h"

namespace bp::trainer {
namespace {

namespace fs = std::filesystem;
using abstraction::AssetError;
using Clock = std::chrono::steady_clock;


double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }


}  // namespace

const base::FrameFormat kBuildPartFormat{"BPPARTS1", "build part", 1, {}, {}};

namespace {

// Finished stages of an interrupted build (kBuildPartFormat).
class Parts {
 public:
  explicit Parts(fs::path dir) : dir_(std::move(dir)) {}

  // Whether NAME holds `key`'s array of data.size() elements; a missing,
  // stale or damaged part is simply computed again.
  template <class T>
  bool Load(const std::string& name, const std::string& key, std::vector<T>& data) const {
    std::string bytes;
    try {
      const base::FrameView frame = base::ReadFramedFile(dir_ / name, kBuildPartFormat, bytes);
      base::ByteReader in(frame.body);
      if (in.ReadString("key") != key || in.remaining() != data.size() * sizeof(T)) return false;
      in.ReadArray(data.size(), data, "data");
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  template <class T>
  void Save(const std::string& name, const std::string& key, const std::vector<T>& data) const {
    try {
      base::WriteFramedFile(dir_ / name, kBuildPartFormat, 8 + key.size() + data.size() * sizeof(T), [&](base::FileSink& out) {
        out.Put<std::uint64_t>(key.size());
        out.Write(key);
        out.Write(data.data(), data.size() * sizeof(T));
      });
    } catch (const base::FileError& e) {
      throw AssetError(e.what());
    }
  }

  void Remove() const {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

 private:
  fs::path dir_;
};

// Distinct indices of [0, n), sorted: all of them when n <= count, else a
// uniform sample (Floyd's algorithm) from `seed`.
std::vector<std::uint64_t> Sample(std::uint64_t n, std::uint64_t count, std::uint64_t seed) {
  std::vector<std::uint64_t> out;
  if (n <= count) {
    out.resize(n);
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  std::mt19937_64 gen(seed);
  std::vector<bool> taken(n, false);
  for (std::uint64_t j = n - count; j < n; ++j) {
    const std::uint64_t t = gen() % (j + 1);
    const std::uint64_t pick = taken[t] ? j : t;
    taken[pick] = true;
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    if (taken[i]) out.push_back(i);
  }
  return out;
}

// Cumulative histogram of `bins` counts as a row of `stride` floats.
template <class Count>
void CdfRow(const Count* counts, int bins, float* row, int stride) {
  double total = 0;
  for (int b = 0; b < bins; ++b) total += static_cast<double>(counts[b]);
  double run = 0;
  for (int b = 0; b < bins; ++b) {
    run += static_cast<double>(counts[b]);
    row[b] = static_cast<float>(run / total);
  }
  for (int b = bins; b < stride; ++b) row[b] = 0;
}

// Renumbers labels so that bucket 0 has the lowest mean EHS of its members.
void OrderByMean(std::vector<std::uint16_t>& labels, int k, const float* mean) {
  std::vector<double> sum(static_cast<std::size_t>(k), 0);
  std::vector<std::uint64_t> count(static_cast<std::size_t>(k), 0);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    sum[labels[i]] += mean[i];
    ++count[labels[i]];
  }
  std::vector<int> order(static_cast<std::size_t>(k));
  std::iota(order.begin(), order.end(), 0);
  auto avg = [&](int c) {
    const auto i = static_cast<std::size_t>(c);
    return count[i] == 0 ? 0.0 : sum[i] / static_cast<double>(count[i]);
  };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return avg(a) < avg(b); });
  std::vector<std::uint16_t> rename(static_cast<std::size_t>(k));
  for (int r = 0; r < k; ++r) rename[static_cast<std::size_t>(order[static_cast<std::size_t>(r)])] = static_cast<std::uint16_t>(r);
  for (auto& l : labels) l = rename[l];
}

// Clusters `n` histogram features (EMD) into k buckets: fit on a sample,
// assign every class. Returns the mean EMD in equity units.
template <class Count>
double ClusterHistograms(const char* street, const Count* hist, const float* mean, std::uint64_t n, int bins,
                         const BucketConfig& config, int k, TaskPool& pool, std::FILE* out,
                         std::vector<std::uint16_t>& labels) {
  const int stride = abstraction::PaddedStride(bins);
  const auto sample = Sample(n, config.sample, config.seed ^ (0x5851F42D4C957F2DULL * (static_cast<std::uint64_t>(k) + bins)));
  std::vector<float> rows(sample.size() * static_cast<std::size_t>(stride));
  for (std::size_t i = 0; i < sample.size(); ++i)
    CdfRow(hist + sample[i] * static_cast<std::uint64_t>(bins), bins, rows.data() + i * static_cast<std::size_t>(stride), stride);
  abstraction::KMeansOptions options{k, config.restarts, config.max_iterations, config.tolerance, config.seed};
  fmt::print(out, "  {}: k-means under EMD, k = {}, fitted on {} of {} classes, {} restarts\n", street, k,
             sample.size(), n, config.restarts);
  std::fflush(out);
  const auto fit_start = Clock::now();
  const abstraction::KMeansResult fit = abstraction::FitKMeans(
      {rows.data(), sample.size(), bins, stride}, abstraction::Metric::kEmd, options, pool.AsParallelFor(),
      [&](int restart, int iteration, double error, double moved) {
        if (iteration % 5 == 0 || moved < config.tolerance) {
          fmt::print(out, "    restart {} iteration {:3}: EMD {:.5f}, {:.2f}% moved, {}\n", restart + 1, iteration,
                     error / bins, 100 * moved, FormatDuration(Since(fit_start)));
          std::fflush(out);
        }
      });
  rows.clear();
  rows.shrink_to_fit();
  labels.assign(n, 0);
  constexpr std::uint64_t kChunk = 8192;
  const std::uint64_t tasks = (n + kChunk - 1) / kChunk;
  std::vector<double> error(tasks, 0);
  pool.Run(tasks, [&](std::size_t t) {
    std::vector<float> row(static_cast<std::size_t>(stride));
    const std::uint64_t end = std::min(n, (t + 1) * kChunk);
    for (std::uint64_t i = t * kChunk; i < end; ++i) {
      CdfRow(hist + i * static_cast<std::uint64_t>(bins), bins, row.data(), stride);
      float d = 0;
      labels[i] = static_cast<std::uint16_t>(abstraction::Nearest(row.data(), fit.centroids.data(), k, stride,
                                                                  abstraction::Metric::kEmd, &d));
      error[t] += d;
    }
  }, fmt::format("{}: assigning", street));
  OrderByMean(labels, k, mean);
  return std::accumulate(error.begin(), error.end(), 0.0) / static_cast<double>(n) / bins;
}

std::string KeyOf(const char* what, const BucketConfig& c, int k) {
  return fmt::format("{} v1 k={} bins={} sample={} restarts={} iterations={} tolerance={} seed={}", what, k,
                     c.histogram_bins, c.sample, c.restarts, c.max_iterations, c.tolerance, c.seed);
}

}  // namespace

BuildReport BuildBuckets(const BucketConfig& config, std::FILE* out, bool keep_parts) {
  BuildReport report;
  const auto start = Clock::now();
  report.threads = config.threads > 0 ? config.threads : AvailableCores();
  TaskPool pool(report.threads, out);
  const Parts parts(fs::path(config.out + ".parts"));
  const int bins = config.histogram_bins;
  const abstraction::HoldemIndexer indexer(abstraction::IsomorphismMode::kBoardAsSet);
  abstraction::BucketTables tables;
  tables.mode = abstraction::IsomorphismMode::kBoardAsSet;
  for (std::size_t s = 0; s < abstraction::kNumStreets; ++s) tables.buckets[s] = static_cast<std::uint32_t>(config.buckets[s]);
  fmt::print(out, "build_buckets: {} / {} / {} / {} buckets, {} histogram bins, {} threads -> {}\n", config.buckets[0],
             config.buckets[1], config.buckets[2], config.buckets[3], bins, report.threads, config.out);
  std::fflush(out);
  if (fs::path(config.out).has_parent_path()) fs::create_directories(fs::path(config.out).parent_path());

  // River: exact EHS of every class, then 1-D k-means.
  auto street_start = Clock::now();
  const std::uint64_t n_river = indexer.size(3);
  std::vector<float> river_ehs(n_river);
  const int river_k = config.buckets[3];
  auto& river_labels = tables.table[3];
  river_labels.assign(n_river, 0);
  const std::string river_key = KeyOf("river buckets", config, river_k);
  const bool have_ehs = parts.Load("river_ehs.f32", "river ehs v1", river_ehs);
  const bool river_done = have_ehs && parts.Load("river.u16", river_key, river_labels);
  report.streets[3] = {n_river, river_k, 0, 0, river_done};
  fmt::print(out, "river: {} classes{}\n", n_river,
             river_done ? " (features and buckets from an earlier build)"
                        : have_ehs ? " (features from an earlier build)" : "");
  if (!river_done) {
    if (!have_ehs) {
      const abstraction::HandEvaluator evaluator;
      const int five[] = {5};
      const abstraction::HandIndexer boards(five);
      const std::uint64_t n_boards = boards.size(0);
      constexpr std::uint64_t kBoardsPerTask = 256;
      pool.Run((n_boards + kBoardsPerTask - 1) / kBoardsPerTask, [&](std::size_t t) {
        abstraction::ComputeRiverEhs(evaluator, indexer, boards, t * kBoardsPerTask,
                                     std::min<std::uint64_t>(n_boards, (t + 1) * kBoardsPerTask), river_ehs.data());
      }, "river: exact EHS");
      parts.Save("river_ehs.f32", "river ehs v1", river_ehs);
    }
    const auto sample = Sample(n_river, config.sample, config.seed ^ 0x3C6EF372FE94F82BULL);
    std::vector<float> rows(sample.size() * 8, 0.0f);
    for (std::size_t i = 0; i < sample.size(); ++i) rows[i * 8] = river_ehs[sample[i]];
    fmt::print(out, "  river: k-means on EHS, k = {}, fitted on {} of {} classes, {} restarts\n", river_k,
               sample.size(), n_river, config.restarts);
    const abstraction::KMeansResult fit =
        abstraction::FitKMeans({rows.data(), sample.size(), 1, 8}, abstraction::Metric::kL2,
                               {river_k, config.restarts, config.max_iterations, config.tolerance, config.seed},
                               pool.AsParallelFor());
    // Nearest of sorted 1-D centroids: by the midpoints between neighbours.
    std::vector<float> centres(static_cast<std::size_t>(river_k));
    for (int c = 0; c < river_k; ++c) centres[static_cast<std::size_t>(c)] = fit.centroids[static_cast<std::size_t>(c) * 8];
    std::sort(centres.begin(), centres.end());
    std::vector<float> mids(centres.size() - 1);
    for (std::size_t c = 0; c + 1 < centres.size(); ++c) mids[c] = 0.5f * (centres[c] + centres[c + 1]);
    constexpr std::uint64_t kChunk = 1 << 20;
    const std::uint64_t tasks = (n_river + kChunk - 1) / kChunk;
    pool.Run(tasks, [&](std::size_t t) {
      for (std::uint64_t i = t * kChunk; i < std::min(n_river, (t + 1) * kChunk); ++i)
        river_labels[i] = static_cast<std::uint16_t>(std::lower_bound(mids.begin(), mids.end(), river_ehs[i]) - mids.begin());
    }, "river: assigning");
    OrderByMean(river_labels, river_k, river_ehs.data());
    parts.Save("river.u16", river_key, river_labels);
  }
  {
    std::vector<double> sum(static_cast<std::size_t>(river_k), 0), sq(static_cast<std::size_t>(river_k), 0);
    std::vector<std::uint64_t> count(static_cast<std::size_t>(river_k), 0);
    for (std::uint64_t i = 0; i < n_river; ++i) {
      sum[river_labels[i]] += river_ehs[i];
      sq[river_labels[i]] += static_cast<double>(river_ehs[i]) * river_ehs[i];
      ++count[river_labels[i]];
    }
    double within = 0;
    for (int c = 0; c < river_k; ++c) {
      const auto i = static_cast<std::size_t>(c);
      if (count[i] > 0) within += sq[i] - sum[i] * sum[i] / static_cast<double>(count[i]);
    }
    report.streets[3].error = within / static_cast<double>(n_river);
  }
  report.streets[3].seconds = Since(street_start);

  // Turn: histograms of river EHS over the river card.
  street_start = Clock::now();
  const std::uint64_t n_turn = indexer.size(2);
  std::vector<std::uint8_t> turn_hist(n_turn * static_cast<std::uint64_t>(bins));
  std::vector<float> turn_mean(n_turn);
  const std::string turn_features_key = fmt::format("turn features v1 bins={}", bins);
  const bool have_turn_features = parts.Load("turn_hist.u8", turn_features_key, turn_hist) && parts.Load("turn_mean.f32", turn_features_key, turn_mean);
  if (!have_turn_features) {
    constexpr std::uint64_t kChunk = 16384;
    pool.Run((n_turn + kChunk - 1) / kChunk, [&](std::size_t t) {
      abstraction::ComputeTurnFeatures(indexer, river_ehs.data(), bins, t * kChunk, std::min(n_turn, (t + 1) * kChunk),
                                       turn_hist.data(), turn_mean.data());
    }, "turn: EHS histograms");
    parts.Save("turn_hist.u8", turn_features_key, turn_hist);
    parts.Save("turn_mean.f32", turn_features_key, turn_mean);
  }
  river_ehs = {};
  const int turn_k = config.buckets[2];
  auto& turn_labels = tables.table[2];
  turn_labels.assign(n_turn, 0);
  const std::string turn_key = KeyOf("turn buckets", config, turn_k);
  report.streets[2] = {n_turn, turn_k, 0, 0, false};
  fmt::print(out, "turn: {} classes\n", n_turn);
  if (parts.Load("turn.u16", turn_key, turn_labels)) {
    report.streets[2].from_parts = true;
    fmt::print(out, "  turn: buckets from an earlier build\n");
  } else {
    report.streets[2].error =
        ClusterHistograms("turn", turn_hist.data(), turn_mean.data(), n_turn, bins, config, turn_k, pool, out, turn_labels);
    parts.Save("turn.u16", turn_key, turn_labels);
  }
  report.streets[2].seconds = Since(street_start);

  // Flop: the sum of the 47 turn histograms.
  street_start = Clock::now();
  const std::uint64_t n_flop = indexer.size(1);
  std::vector<std::uint16_t> flop_hist(n_flop * static_cast<std::uint64_t>(bins));
  std::vector<float> flop_mean(n_flop);
  {
    constexpr std::uint64_t kChunk = 4096;
    pool.Run((n_flop + kChunk - 1) / kChunk, [&](std::size_t t) {
      abstraction::ComputeFlopFeatures(indexer, turn_hist.data(), turn_mean.data(), bins, t * kChunk,
                                       std::min(n_flop, (t + 1) * kChunk), flop_hist.data(), flop_mean.data());
    }, "flop: EHS histograms");
  }
  turn_hist = {};
  const int flop_k = config.buckets[1];
  auto& flop_labels = tables.table[1];
  report.streets[1] = {n_flop, flop_k, 0, 0, false};
  fmt::print(out, "flop: {} classes\n", n_flop);
  report.streets[1].error =
      ClusterHistograms("flop", flop_hist.data(), flop_mean.data(), n_flop, bins, config, flop_k, pool, out, flop_labels);
  report.streets[1].seconds = Since(street_start);

  // Preflop: lossless by equity, or clustered.
  street_start = Clock::now();
  const std::uint64_t n_pre = indexer.size(0);
  std::vector<std::uint64_t> pre_hist(n_pre * static_cast<std::uint64_t>(bins));
  std::vector<double> pre_equity(n_pre);
  pool.Run(n_pre, [&](std::size_t i) {
    abstraction::ComputePreflopFeatures(indexer, flop_hist.data(), flop_mean.data(), bins, i, i + 1, pre_hist.data(),
                                        pre_equity.data());
  });
  const int pre_k = config.buckets[0];
  auto& pre_labels = tables.table[0];
  report.streets[0] = {n_pre, pre_k, 0, 0, false};
  std::vector<float> pre_mean(pre_equity.begin(), pre_equity.end());
  report.preflop_equity = pre_equity;
  if (pre_k == static_cast<int>(n_pre)) {
    pre_labels.resize(n_pre);
    std::iota(pre_labels.begin(), pre_labels.end(), 0);
    OrderByMean(pre_labels, pre_k, pre_mean.data());
    fmt::print(out, "preflop: {} classes, lossless, numbered by all-in equity against one random hand\n", n_pre);
  } else {
    fmt::print(out, "preflop: {} classes\n", n_pre);
    report.streets[0].error =
        ClusterHistograms("preflop", pre_hist.data(), pre_mean.data(), n_pre, bins, config, pre_k, pool, out, pre_labels);
  }
  report.streets[0].seconds = Since(street_start);

  report.fingerprint = abstraction::WriteBucketFile(config.out, tables);
  if (!keep_parts) parts.Remove();
  report.seconds = Since(start);
  return report;
}

}  // namespace bp::trainer
