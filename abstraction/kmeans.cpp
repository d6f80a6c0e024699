#include "abstraction/kmeans.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>

namespace bp::abstraction {
namespace {

// Eight floats as one value (GCC/Clang vector extension: AVX on x86 when
// enabled, SSE pairs otherwise).
typedef float V8 __attribute__((vector_size(32)));
typedef std::uint32_t U8 __attribute__((vector_size(32)));

inline V8 Load(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline float Sum(V8 v) {
  return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

inline float DistanceL2(const float* a, const float* b, int stride) {
  V8 acc = {};
  for (int i = 0; i < stride; i += 8) {
    const V8 d = Load(a + i) - Load(b + i);
    acc += d * d;
  }
  return Sum(acc);
}

inline float DistanceL1(const float* a, const float* b, int stride) {
  V8 acc = {};
  for (int i = 0; i < stride; i += 8) {
    const V8 d = Load(a + i) - Load(b + i);
    U8 bits;
    std::memcpy(&bits, &d, sizeof bits);
    bits &= 0x7FFFFFFFu;  // |d|
    V8 abs;
    std::memcpy(&abs, &bits, sizeof abs);
    acc += abs;
  }
  return Sum(acc);
}

constexpr std::size_t kChunk = 4096;  // points per task: fixed, so results do not depend on threads

std::size_t Tasks(std::size_t n) { return (n + kChunk - 1) / kChunk; }

double Uniform01(std::mt19937_64& gen) { return static_cast<double>(gen() >> 11) * 0x1.0p-53; }

struct Run {
  std::vector<float> centroids;
  double error = 0;
  int iterations = 0;
};

// Mean distance of every point to its nearest centroid; fills labels and
// per-point distances, and counts points whose label changed.
double Assign(const PointSet& pts, const float* centroids, int k, Metric metric, std::uint32_t* labels,
              float* dist, std::size_t* moved, const ParallelFor& parallel) {
  const std::size_t tasks = Tasks(pts.count);
  std::vector<double> error(tasks, 0);
  std::vector<std::size_t> changed(tasks, 0);
  parallel(tasks, [&](std::size_t t) {
    const std::size_t end = std::min(pts.count, (t + 1) * kChunk);
    for (std::size_t i = t * kChunk; i < end; ++i) {
      float d = 0;
      const auto c = static_cast<std::uint32_t>(Nearest(pts.row(i), centroids, k, pts.stride, metric, &d));
      if (labels[i] != c) ++changed[t];
      labels[i] = c;
      dist[i] = d;
      error[t] += d;
    }
  });
  double total = 0;
  std::size_t total_moved = 0;
  for (std::size_t t = 0; t < tasks; ++t) {
    total += error[t];
    total_moved += changed[t];
  }
  if (moved != nullptr) *moved = total_moved;
  return total / static_cast<double>(pts.count);
}

void Seed(const PointSet& pts, Metric metric, int k, std::mt19937_64& gen, float* centroids, float* dist,
          const ParallelFor& parallel) {
  const int stride = pts.stride;
  const std::size_t n = pts.count;
  const std::size_t tasks = Tasks(n);
  std::size_t pick = gen() % n;
  std::memcpy(centroids, pts.row(pick), sizeof(float) * static_cast<std::size_t>(stride));
  std::fill(dist, dist + n, std::numeric_limits<float>::infinity());
  std::vector<double> chunk_sum(tasks, 0);
  for (int c = 1; c <= k; ++c) {
    const float* added = centroids + static_cast<std::size_t>(c - 1) * static_cast<std::size_t>(stride);
    parallel(tasks, [&](std::size_t t) {
      const std::size_t end = std::min(n, (t + 1) * kChunk);
      double s = 0;
      for (std::size_t i = t * kChunk; i < end; ++i) {
        dist[i] = std::min(dist[i], Distance(pts.row(i), added, stride, metric));
        s += dist[i];
      }
      chunk_sum[t] = s;
    });
    if (c == k) break;
    double total = 0;
    for (double s : chunk_sum) total += s;
    if (total <= 0) {
      pick = gen() % n;  // every point sits on a centre already
    } else {
      double target = Uniform01(gen) * total;
      std::size_t t = 0;
      while (t + 1 < tasks && target >= chunk_sum[t]) target -= chunk_sum[t++];
      const std::size_t end = std::min(n, (t + 1) * kChunk);
      pick = end - 1;
      for (std::size_t i = t * kChunk; i < end; ++i) {
        if (target < dist[i]) {
          pick = i;
          break;
        }
        target -= dist[i];
      }
    }
    std::memcpy(centroids + static_cast<std::size_t>(c) * static_cast<std::size_t>(stride), pts.row(pick),
                sizeof(float) * static_cast<std::size_t>(stride));
  }
}

void UpdateCentroids(const PointSet& pts, Metric metric, int k, const std::uint32_t* labels, float* centroids,
                     const ParallelFor& parallel) {
  const int stride = pts.stride;
  const std::size_t n = pts.count;
  // Members of each cluster, in point order.
  std::vector<std::size_t> start(static_cast<std::size_t>(k) + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++start[labels[i] + 1];
  for (int c = 0; c < k; ++c) start[static_cast<std::size_t>(c) + 1] += start[static_cast<std::size_t>(c)];
  std::vector<std::size_t> members(n);
  {
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) members[next[labels[i]]++] = i;
  }
  parallel(static_cast<std::size_t>(k), [&](std::size_t c) {
    const std::size_t first = start[c], m = start[c + 1] - first;
    float* centroid = centroids + c * static_cast<std::size_t>(stride);
    if (m == 0) return;  // left for the caller to re-seed
    if (metric == Metric::kL2) {
      std::vector<double> sum(static_cast<std::size_t>(stride), 0);
      for (std::size_t t = 0; t < m; ++t) {
        const float* row = pts.row(members[first + t]);
        for (int j = 0; j < pts.dims; ++j) sum[static_cast<std::size_t>(j)] += row[j];
      }
      for (int j = 0; j < pts.dims; ++j) centroid[j] = static_cast<float>(sum[static_cast<std::size_t>(j)] / static_cast<double>(m));
      return;
    }
    // Coordinate-wise (lower) median, one dimension at a time from a transposed copy.
    std::vector<float> column(m * static_cast<std::size_t>(pts.dims));
    for (std::size_t t = 0; t < m; ++t) {
      const float* row = pts.row(members[first + t]);
      for (int j = 0; j < pts.dims; ++j) column[static_cast<std::size_t>(j) * m + t] = row[j];
    }
    for (int j = 0; j < pts.dims; ++j) {
      float* values = column.data() + static_cast<std::size_t>(j) * m;
      std::nth_element(values, values + (m - 1) / 2, values + m);
      centroid[j] = values[(m - 1) / 2];
    }
  });
}

// Gives every empty cluster the point farthest from its centroid (each point
// at most once). Returns how many were re-seeded.
int ReseedEmpty(const PointSet& pts, int k, const std::uint32_t* labels, const float* dist, float* centroids) {
  std::vector<std::size_t> count(static_cast<std::size_t>(k), 0);
  for (std::size_t i = 0; i < pts.count; ++i) ++count[labels[i]];
  int reseeded = 0;
  std::vector<char> taken(pts.count, 0);
  for (int c = 0; c < k; ++c) {
    if (count[static_cast<std::size_t>(c)] != 0) continue;
    std::size_t best = 0;
    float best_d = -1;
    for (std::size_t i = 0; i < pts.count; ++i) {
      if (!taken[i] && dist[i] > best_d) {
        best_d = dist[i];
        best = i;
      }
    }
    taken[best] = 1;
    std::memcpy(centroids + static_cast<std::size_t>(c) * static_cast<std::size_t>(pts.stride), pts.row(best),
                sizeof(float) * static_cast<std::size_t>(pts.stride));
    ++reseeded;
  }
  return reseeded;
}

}  // namespace

void SerialFor(std::size_t tasks, const std::function<void(std::size_t)>& body) {
  for (std::size_t t = 0; t < tasks; ++t) body(t);
}

float Distance(const float* a, const float* b, int stride, Metric metric) {
  return metric == Metric::kL2 ? DistanceL2(a, b, stride) : DistanceL1(a, b, stride);
}

int Nearest(const float* point, const float* centroids, int k, int stride, Metric metric, float* distance) {
  int best = 0;
  float best_d = std::numeric_limits<float>::infinity();
  if (metric == Metric::kL2) {
    for (int c = 0; c < k; ++c) {
      const float d = DistanceL2(point, centroids + static_cast<std::size_t>(c) * static_cast<std::size_t>(stride), stride);
      if (d < best_d) {
        best_d = d;
        best = c;
      }
    }
  } else {
    for (int c = 0; c < k; ++c) {
      const float d = DistanceL1(point, centroids + static_cast<std::size_t>(c) * static_cast<std::size_t>(stride), stride);
      if (d < best_d) {
        best_d = d;
        best = c;
      }
    }
  }
  if (distance != nullptr) *distance = best_d;
  return best;
}

double AssignAll(const PointSet& points, const float* centroids, int k, Metric metric, std::uint16_t* labels,
                 const ParallelFor& parallel) {
  const std::size_t tasks = Tasks(points.count);
  std::vector<double> error(tasks, 0);
  parallel(tasks, [&](std::size_t t) {
    const std::size_t end = std::min(points.count, (t + 1) * kChunk);
    for (std::size_t i = t * kChunk; i < end; ++i) {
      float d = 0;
      labels[i] = static_cast<std::uint16_t>(Nearest(points.row(i), centroids, k, points.stride, metric, &d));
      error[t] += d;
    }
  });
  double total = 0;
  for (double e : error) total += e;
  return points.count == 0 ? 0 : total / static_cast<double>(points.count);
}

KMeansResult FitKMeans(const PointSet& pts, Metric metric, const KMeansOptions& options, const ParallelFor& parallel,
                       const KMeansProgress& progress) {
  if (options.k < 1 || pts.count < static_cast<std::size_t>(options.k)) {
    throw std::invalid_argument("k-means: need at least k points");
  }
  if (pts.stride % 8 != 0 || pts.stride < pts.dims) throw std::invalid_argument("k-means: stride must pad dims to 8");
  const int k = options.k;
  const auto row_bytes = static_cast<std::size_t>(pts.stride);
  KMeansResult best;
  best.error = std::numeric_limits<double>::infinity();
  std::vector<std::uint32_t> labels(pts.count);
  std::vector<float> dist(pts.count);
  for (int r = 0; r < std::max(1, options.restarts); ++r) {
    std::mt19937_64 gen(options.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(r) + 1);
    std::vector<float> centroids(static_cast<std::size_t>(k) * row_bytes, 0.0f);
    Seed(pts, metric, k, gen, centroids.data(), dist.data(), parallel);
    std::fill(labels.begin(), labels.end(), static_cast<std::uint32_t>(k));  // no cluster yet
    int iterations = 0;
    for (int it = 1; it <= std::max(1, options.max_iterations); ++it) {
      std::size_t moved = 0;
      const double error = Assign(pts, centroids.data(), k, metric, labels.data(), dist.data(), &moved, parallel);
      const double moved_fraction = static_cast<double>(moved) / static_cast<double>(pts.count);
      if (progress) progress(r, it, error, moved_fraction);
      iterations = it;
      UpdateCentroids(pts, metric, k, labels.data(), centroids.data(), parallel);
      const int reseeded = ReseedEmpty(pts, k, labels.data(), dist.data(), centroids.data());
      if (moved_fraction < options.tolerance && reseeded == 0) break;
    }
    // The final centroids, with no cluster left empty.
    double error = Assign(pts, centroids.data(), k, metric, labels.data(), dist.data(), nullptr, parallel);
    for (int fix = 0; fix < 10 && ReseedEmpty(pts, k, labels.data(), dist.data(), centroids.data()) > 0; ++fix) {
      error = Assign(pts, centroids.data(), k, metric, labels.data(), dist.data(), nullptr, parallel);
    }
    if (error < best.error) {
      best.centroids = std::move(centroids);
      best.error = error;
      best.iterations = iterations;
      best.restart = r;
    }
  }
  return best;
}

}  // namespace bp::abstraction
