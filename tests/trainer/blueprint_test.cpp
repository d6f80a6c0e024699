// A blueprint's file, decoded before its card abstraction is opened: every
// count checked against the bytes that hold it.
#include "trainer/blueprint.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "base/checksum.h"
#include "base/coding.h"

using namespace bp;

namespace {

// A current-version blueprint file around `body`, with a valid checksum.
std::string Framed(const std::string& body) {
  std::string file(trainer::kBlueprintFormat.magic);
  base::PutFixed<std::uint32_t>(file, trainer::kBlueprintFormat.version);
  base::PutFixed<std::uint32_t>(file, 0);
  base::PutFixed<std::uint64_t>(file, body.size());
  file += body;
  base::PutFixed<std::uint64_t>(file, base::Checksum::Of(base::Checksum::Kind::kXxh3, file.data(), file.size()));
  return file;
}

std::string Body(std::uint64_t entries, const std::string& yaml, std::size_t floats) {
  std::string body;
  base::PutFixed<std::uint64_t>(body, 1000);   // iterations
  base::PutFixed<std::uint64_t>(body, 0xabc);  // bucket fingerprint
  base::PutFixed<std::uint64_t>(body, entries);
  base::PutString(body, yaml);
  body.append((8 - body.size() % 8) % 8, '\0');
  body.append(floats * sizeof(float), '\0');
  return body;
}

std::string ErrorOf(const std::string& file) {
  try {
    trainer::DecodeBlueprint(file, "b.bin");
  } catch (const abstraction::AssetError& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string kYaml = "game:\n  name: nlhe\nabstraction:\n  buckets: x.bin\n";

}  // namespace

TEST_CASE("a blueprint body decodes; crafted counts are refused before anything is allocated") {
  const trainer::BlueprintFile ok = trainer::DecodeBlueprint(Framed(Body(3, kYaml, 3)), "b.bin");
  CHECK(ok.iterations == 1000);
  CHECK(ok.bucket_fingerprint == 0xabc);
  CHECK(ok.entries == 3);
  CHECK(ok.probabilities.size() == 12);
  CHECK(ok.config.game.name == trainer::GameName::kNlhe);
  // 2^62 + 1 entries: times four it wraps to 4 bytes, which once passed.
  CHECK(ErrorOf(Framed(Body((std::uint64_t{1} << 62) + 1, kYaml, 1))) ==
        "b.bin: truncated or malformed blueprint: 4611686018427387905 probabilities claimed, 4 bytes hold them");
  CHECK(ErrorOf(Framed(Body(3, kYaml, 2))) ==
        "b.bin: truncated or malformed blueprint: 3 probabilities claimed, 8 bytes hold them");
  // A config length beyond the body.
  std::string body = Body(0, kYaml, 0);
  const std::uint64_t huge = std::uint64_t{1} << 40;
  std::memcpy(body.data() + 24, &huge, 8);
  CHECK(ErrorOf(Framed(body)).find("b.bin: corrupt: config claims 1099511627776 items of 1 bytes") == 0);
  CHECK(ErrorOf(Framed(Body(0, "game:\n  name: leduc\n", 0))) ==
        "b.bin: blueprints are for nlhe runs, this one's game is leduc");
}
