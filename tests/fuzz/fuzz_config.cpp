// The YAML config: any text is parsed or refused with ConfigError, and a
// config that parses is written back as the resolved config, which parses
// again to the same resolved config.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_support.h"
#include "trainer/config.h"

using namespace bp;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (fuzz::SeedFolder() == nullptr) return 0;
  for (const auto& entry : std::filesystem::directory_iterator(CONFIG_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::filesystem::path dir = fuzz::SeedFolder();
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(entry.path(), dir / entry.path().filename(),
                               std::filesystem::copy_options::overwrite_existing);
  }
  std::exit(0);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  trainer::Config config;
  try {
    config = trainer::ParseConfig(text, "fuzz.yaml", {});
  } catch (const trainer::ConfigError&) {
    return 0;
  }
  const std::string resolved = trainer::ToYaml(config);
  trainer::Config again;
  try {
    again = trainer::ParseConfig(resolved, "resolved", {});
  } catch (const trainer::ConfigError& e) {
    std::fprintf(stderr, "the resolved config does not parse: %s\n%s", e.what(), resolved.c_str());
    std::abort();
  }
  if (trainer::ToYaml(again) != resolved) {
    std::fprintf(stderr, "the resolved config changed on a round trip:\n%s\n---\n%s", resolved.c_str(),
                 trainer::ToYaml(again).c_str());
    std::abort();
  }
  return 0;
}
