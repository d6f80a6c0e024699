#include "abstraction/kmeans.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

using namespace bp::abstraction;

namespace {

// Three blobs around (0,0), (10,0), (0,10) in 2-D, padded to a stride of 8.
std::vector<float> Blobs(std::size_t per_blob) {
  std::mt19937_64 gen(7);
  std::normal_distribution<float> noise(0, 0.5f);
  const float centres[3][2] = {{0, 0}, {10, 0}, {0, 10}};
  std::vector<float> rows;
  for (std::size_t i = 0; i < per_blob; ++i)
    for (const auto& c : centres) {
      rows.insert(rows.end(), {c[0] + noise(gen), c[1] + noise(gen), 0, 0, 0, 0, 0, 0});
    }
  return rows;
}

// Runs the tasks last to first: what a different thread schedule could do.
void ReverseFor(std::size_t tasks, const std::function<void(std::size_t)>& body) {
  for (std::size_t t = tasks; t-- > 0;) body(t);
}

}  // namespace

TEST_CASE("k-means (L2) finds three separated blobs; the result does not depend on the task order") {
  const auto rows = Blobs(4000);
  const PointSet points{rows.data(), rows.size() / 8, 2, 8};
  const KMeansOptions options{3, 2, 50, 0.0, 5};
  const KMeansResult a = FitKMeans(points, Metric::kL2, options, SerialFor);
  const KMeansResult b = FitKMeans(points, Metric::kL2, options, ReverseFor);
  CHECK(a.centroids == b.centroids);
  CHECK(a.error == b.error);
  // Every true centre has a centroid within 0.1.
  for (const auto& c : {std::array<float, 2>{0, 0}, {10, 0}, {0, 10}}) {
    float best = 1e9f;
    for (int k = 0; k < 3; ++k) best = std::min(best, std::hypot(a.centroids[k * 8] - c[0], a.centroids[k * 8 + 1] - c[1]));
    CHECK(best < 0.1f);
  }
  CHECK(a.error == doctest::Approx(2 * 0.25).epsilon(0.05));  // squared distance: two dimensions of variance 0.25
  std::vector<std::uint16_t> labels(points.count);
  const double error = AssignAll(points, a.centroids.data(), 3, Metric::kL2, labels.data(), SerialFor);
  CHECK(error == doctest::Approx(a.error).epsilon(1e-9));
  CHECK(labels[0] != labels[1]);
  CHECK(labels[0] == labels[3]);
}

TEST_CASE("EMD between histograms is the L1 distance of their CDFs; medians keep centroids valid CDFs") {
  // Point masses at bins 1 and 4 of 6: EMD = 3 bins.
  const float a[8] = {0, 1, 1, 1, 1, 1, 0, 0};
  const float b[8] = {0, 0, 0, 0, 1, 1, 0, 0};
  CHECK(Distance(a, b, 8, Metric::kEmd) == 3.0f);
  std::mt19937_64 gen(3);
  std::vector<float> rows;
  for (int i = 0; i < 3000; ++i) {  // random histograms of 6 bins as CDFs
    float h[6], total = 0;
    for (float& x : h) total += (x = static_cast<float>(gen() % 10) + (i % 2 == 0 ? 0.0f : 3.0f * (&x - h)));
    float run = 0;
    for (float x : h) rows.push_back((run += x) / total);
    rows.insert(rows.end(), {0, 0});
  }
  const PointSet points{rows.data(), rows.size() / 8, 6, 8};
  const KMeansResult r = FitKMeans(points, Metric::kEmd, {4, 2, 30, 0.0, 9}, SerialFor);
  for (int k = 0; k < 4; ++k) {
    for (int j = 1; j < 6; ++j) CHECK(r.centroids[k * 8 + j] >= r.centroids[k * 8 + j - 1]);
    CHECK(r.centroids[k * 8 + 5] == 1.0f);
  }
  // Lloyd with median updates never increases the summed EMD: the kept run
  // beats the plain seeding by k-means++ alone (one iteration).
  const KMeansResult seeded = FitKMeans(points, Metric::kEmd, {4, 1, 1, 0.0, 9}, SerialFor);
  CHECK(r.error <= seeded.error);
}

TEST_CASE("no cluster is left empty, even with many duplicate points") {
  std::vector<float> rows;
  for (int i = 0; i < 100; ++i) rows.insert(rows.end(), {1, 0, 0, 0, 0, 0, 0, 0});
  for (int i = 0; i < 3; ++i) rows.insert(rows.end(), {5.0f + static_cast<float>(i), 0, 0, 0, 0, 0, 0, 0});
  const PointSet points{rows.data(), rows.size() / 8, 1, 8};
  const KMeansResult r = FitKMeans(points, Metric::kL2, {4, 1, 20, 0.0, 1}, SerialFor);
  std::vector<std::uint16_t> labels(points.count);
  AssignAll(points, r.centroids.data(), 4, Metric::kL2, labels.data(), SerialFor);
  for (int k = 0; k < 4; ++k) CHECK(std::count(labels.begin(), labels.end(), k) > 0);
  CHECK_THROWS_AS(FitKMeans(points, Metric::kL2, {200, 1, 20, 0.0, 1}, SerialFor), std::invalid_argument);
}
