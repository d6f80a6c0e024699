#include "trainer/bucket_config.h"

#include "abstraction/street.h"

#include <fmt/core.h>

#include "trainer/config.h"

namespace bp::trainer {
namespace {

const YamlSchema<BucketConfig>& Schema() {
  static const YamlSchema<BucketConfig> schema([] {
    std::vector<Field<BucketConfig>> f;
    for (std::size_t i = 0; i < abstraction::kNumStreets; ++i) {
      f.push_back({std::string("buckets.") + abstraction::StreetName(static_cast<int>(i)),
                   [i](const std::string& v, BucketConfig& c) {
                     c.buckets[i] = static_cast<int>(ParseUInt(v, 1, i == 0 ? 169 : 65536));
                   },
                   [i](const BucketConfig& c) { return std::to_string(c.buckets[i]); }});
    }
    f.push_back({"features.histogram_bins",
                 [](const std::string& v, BucketConfig& c) { c.histogram_bins = static_cast<int>(ParseUInt(v, 2, 255)); },
                 [](const BucketConfig& c) { return std::to_string(c.histogram_bins); }});
    f.push_back({"kmeans.sample",
                 [](const std::string& v, BucketConfig& c) { c.sample = ParseUInt(v, 1000, 1000000000); },
                 [](const BucketConfig& c) { return std::to_string(c.sample); }});
    f.push_back({"kmeans.restarts",
                 [](const std::string& v, BucketConfig& c) { c.restarts = static_cast<int>(ParseUInt(v, 1, 100)); },
                 [](const BucketConfig& c) { return std::to_string(c.restarts); }});
    f.push_back({"kmeans.max_iterations",
                 [](const std::string& v, BucketConfig& c) { c.max_iterations = static_cast<int>(ParseUInt(v, 1, 10000)); },
                 [](const BucketConfig& c) { return std::to_string(c.max_iterations); }});
    f.push_back({"kmeans.tolerance", [](const std::string& v, BucketConfig& c) { c.tolerance = ParseReal(v, 0, 1); },
                 [](const BucketConfig& c) { return fmt::format("{}", c.tolerance); }});
    f.push_back({"build.seed", [](const std::string& v, BucketConfig& c) { c.seed = ParseUInt(v, 0, UINT64_MAX); },
                 [](const BucketConfig& c) { return std::to_string(c.seed); }});
    f.push_back({"build.out",
                 [](const std::string& v, BucketConfig& c) {
                   if (v.empty()) throw Expected{"a file path"};
                   c.out = v;
                 },
                 [](const BucketConfig& c) { return c.out; }});
    f.push_back({"build.threads",
                 [](const std::string& v, BucketConfig& c) { c.threads = static_cast<int>(ParseUInt(v, 0, 1024)); },
                 [](const BucketConfig& c) { return std::to_string(c.threads); }});
    return f;
  }());
  return schema;
}

}  // namespace

BucketConfig ParseBucketConfig(const std::string& yaml_text, const std::string& source,
                               const std::vector<Override>& overrides) {
  BucketConfig config;
  config.source = source;
  Schema().Parse(yaml_text, source, overrides, config);
  return config;
}

BucketConfig LoadBucketConfig(const std::string& path, const std::vector<Override>& overrides) {
  return ParseBucketConfig(ReadConfigFile(path), path, overrides);
}

std::string ToYaml(const BucketConfig& config) {
  return Schema().ToYaml(config, "# build_buckets configuration, every key.\n");
}

}  // namespace bp::trainer
