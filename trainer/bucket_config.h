// BucketConfig: what build_buckets builds, read from YAML through
// YamlSchema (configs/abstraction_*.yaml) with command-line overrides.
//
//   buckets:  preflop (169 = lossless), flop, turn, river   (1..65536; preflop <= 169)
//   features: histogram_bins (bins of the river-EHS histograms of the flop and turn)
//   kmeans:   sample (points the centroids are fitted on; all when fewer),
//             restarts, max_iterations, tolerance (stop when fewer than this
//             fraction of points change cluster)
//   build:    seed, out (the bucket file), threads (0 = every available core)
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "abstraction/street.h"

#include "trainer/yaml_schema.h"

namespace bp::trainer {

struct BucketConfig {
  std::string source;
  std::array<int, abstraction::kNumStreets> buckets = {169, 200, 200, 200};
  int histogram_bins = 50;
  std::uint64_t sample = 2000000;
  int restarts = 3;
  int max_iterations = 40;
  double tolerance = 0.001;
  std::uint64_t seed = 1;
  std::string out = "assets/buckets.bin";
  int threads = 0;
};

BucketConfig LoadBucketConfig(const std::string& path, const std::vector<Override>& overrides);
BucketConfig ParseBucketConfig(const std::string& yaml_text, const std::string& source,
                               const std::vector<Override>& overrides);
std::string ToYaml(const BucketConfig& config);

}  // namespace bp::trainer
