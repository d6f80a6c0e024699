// Describes the machine a benchmark ran on (CPU model, logical cores,
// compiler), for the header of every benchmark table.
#pragma once

#include <fstream>
#include <string>
#include <thread>

namespace bp::bench {

inline std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown CPU";
}

inline std::string MachineDescription() {
  return CpuModel() + ", " + std::to_string(std::thread::hardware_concurrency()) + " logical cores, " +
#if defined(__clang__)
         "clang " __clang_version__;
#elif defined(__GNUC__)
         "g++ " __VERSION__;
#else
         "unknown compiler";
#endif
}

}  // namespace bp::bench

// CLI11_PARSE, but a usage error exits 2, the project's code for usage and
// input errors (CLI11's own codes are above 100); --help exits 0.
#define BP_BENCH_PARSE(app, argc, argv)                  \
  try {                                                  \
    (app).parse((argc), (argv));                         \
  } catch (const CLI::ParseError& bp_bench_parse_error) { \
    return (app).exit(bp_bench_parse_error) == 0 ? 0 : 2; \
  }
