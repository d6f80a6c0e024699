// k-means clustering of feature vectors for the card abstraction.
//
// Two metrics:
//   kL2   squared Euclidean distance; a centroid is its members' mean
//         (Lloyd's algorithm).
//   kEmd  earth mover's distance between histograms over ordered bins, given
//         as cumulative histograms (CDFs): in one dimension the EMD is the L1
//         distance between CDFs, and the coordinate-wise median of the
//         members' CDFs is the centroid that minimises their summed EMD (so
//         each iteration cannot increase the error).
// Seeding is k-means++ (the next centre drawn with probability proportional
// to the distance to the nearest centre chosen so far; squared for kL2),
// from a fixed seed; iterations stop when fewer than `tolerance` of the
// points change cluster or after max_iterations; the best of `restarts` runs
// (lowest mean distance) is kept. A cluster left empty takes the point
// farthest from its centroid.
//
// Points are rows of `dims` floats, `stride` floats apart (stride a multiple
// of 8, padding zero). Work is split into fixed chunks handed to a
// ParallelFor supplied by the caller (library code starts no threads); the
// result does not depend on how many threads run the chunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bp::abstraction {

enum class Metric : std::uint8_t { kL2 = 0, kEmd = 1 };

// Runs body(task) for every task in [0, tasks), possibly concurrently, and
// returns when all are done.
using ParallelFor = std::function<void(std::size_t tasks, const std::function<void(std::size_t task)>& body)>;
// Runs the tasks in order on the calling thread.
void SerialFor(std::size_t tasks, const std::function<void(std::size_t)>& body);

struct PointSet {
  const float* data = nullptr;
  std::size_t count = 0;
  int dims = 0;
  int stride = 0;  // multiple of 8, >= dims
  const float* row(std::size_t i) const { return data + i * static_cast<std::size_t>(stride); }
};

// The stride for `dims` features: dims rounded up to a multiple of 8.
constexpr int PaddedStride(int dims) { return (dims + 7) / 8 * 8; }

struct KMeansOptions {
  int k = 8;
  int restarts = 3;
  int max_iterations = 30;
  double tolerance = 1e-3;  // stop when fewer than this fraction of points move
  std::uint64_t seed = 1;
};

struct KMeansResult {
  std::vector<float> centroids;  // k rows of `stride` floats
  double error = 0;              // mean distance of a point to its centroid
  int iterations = 0;            // of the kept run
  int restart = 0;               // which run was kept
};

// One line per iteration: restart, iteration, mean distance, fraction moved.
using KMeansProgress = std::function<void(int restart, int iteration, double error, double moved)>;

// Requires points.count >= options.k >= 1.
KMeansResult FitKMeans(const PointSet& points, Metric metric, const KMeansOptions& options, const ParallelFor& parallel,
                       const KMeansProgress& progress = {});

// Distance between two rows under `metric` (over the padded stride).
float Distance(const float* a, const float* b, int stride, Metric metric);

// The nearest of k centroids (the lowest index on ties) and its distance.
int Nearest(const float* point, const float* centroids, int k, int stride, Metric metric, float* distance = nullptr);

// labels[i] = Nearest(row i); returns the mean distance.
double AssignAll(const PointSet& points, const float* centroids, int k, Metric metric, std::uint16_t* labels,
                 const ParallelFor& parallel);

}  // namespace bp::abstraction
