// Encoders of the file layouts earlier builds wrote, byte for byte as their
// headers documented them (and as the headers of today's formats describe
// them under "earlier versions"), so that tests can show those files are
// still read. tests/data/legacy/ holds files the earlier build itself wrote.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "base/checksum.h"
#include "base/coding.h"
#include "base/fnv.h"

namespace bp::legacy {

inline void PutU32(std::string& out, std::uint32_t v) { base::PutFixed(out, v); }
inline void PutU64(std::string& out, std::uint64_t v) { base::PutFixed(out, v); }
template <class T>
void PutVector(std::string& out, const std::vector<T>& v) {
  PutU64(out, v.size());
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

struct CheckpointV3 {
  std::uint32_t version = 3;
  std::string config_yaml;
  std::map<std::string, std::string> identity;
  std::string abstraction_fingerprint;
  std::uint64_t iterations = 0, batches_applied = 0, next_batch_id = 0, next_iteration = 0, discounts_applied = 0,
                seed = 0;
  double elapsed_s = 0;
  std::vector<std::array<std::uint64_t, 4>> pending;
  std::vector<double> regrets;
  std::vector<std::int32_t> int_regrets;
  std::vector<double> strategy_sum;
};

// Checkpoint version 3: magic, a cereal binary archive of the fields, u64
// body length, checksum of the body (XXH3-64 under "BPCKPT02", FNV-1a 64
// under "BPCKPT01").
inline std::string EncodeCheckpointV3(const CheckpointV3& d, bool fnv = false) {
  std::string body;
  PutU32(body, d.version);
  base::PutString(body, d.config_yaml);
  PutU64(body, d.identity.size());
  for (const auto& [k, v] : d.identity) {
    base::PutString(body, k);
    base::PutString(body, v);
  }
  base::PutString(body, d.abstraction_fingerprint);
  for (std::uint64_t v : {d.iterations, d.batches_applied, d.next_batch_id, d.next_iteration, d.discounts_applied,
                          d.seed}) {
    PutU64(body, v);
  }
  base::PutFixed(body, d.elapsed_s);
  PutU64(body, d.pending.size());
  for (const auto& p : d.pending) {
    for (std::uint64_t v : p) PutU64(body, v);
  }
  PutVector(body, d.regrets);
  PutVector(body, d.int_regrets);
  PutVector(body, d.strategy_sum);
  std::string file = fnv ? "BPCKPT01" : "BPCKPT02";
  file += body;
  PutU64(file, body.size());
  PutU64(file, base::Checksum::Of(fnv ? base::Checksum::Kind::kFnv1a64 : base::Checksum::Kind::kXxh3, body.data(),
                                  body.size()));
  return file;
}

// The frame of snapshots and blueprints before the length field: magic, u32
// version, u32 zero, `body`, checksum of every byte before it (FNV-1a 64 in
// version 1, XXH3-64 in version 2).
inline std::string EncodeNoLength(const std::string& magic, std::uint32_t version, std::uint32_t word,
                                  const std::string& body, bool fnv) {
  std::string file = magic;
  PutU32(file, version);
  PutU32(file, word);
  file += body;
  PutU64(file, base::Checksum::Of(fnv ? base::Checksum::Kind::kFnv1a64 : base::Checksum::Kind::kXxh3, file.data(),
                                  file.size()));
  return file;
}

// Snapshot versions 1 and 2.
inline std::string EncodeSnapshotV1V2(std::uint32_t version, std::uint64_t iteration, std::uint64_t fingerprint,
                                      std::uint64_t first, const std::vector<float>& p) {
  std::string body;
  for (std::uint64_t v : {iteration, fingerprint, first, static_cast<std::uint64_t>(p.size())}) PutU64(body, v);
  body.append(reinterpret_cast<const char*>(p.data()), p.size() * sizeof(float));
  return EncodeNoLength("BPSNAPS1", version, 0, body, version == 1);
}

// Blueprint versions 1 and 2.
inline std::string EncodeBlueprintV1V2(std::uint32_t version, std::uint64_t iterations, std::uint64_t fingerprint,
                                       const std::string& yaml, const std::vector<float>& p) {
  std::string body;
  for (std::uint64_t v : {iterations, fingerprint, static_cast<std::uint64_t>(p.size()),
                          static_cast<std::uint64_t>(yaml.size())}) {
    PutU64(body, v);
  }
  body += yaml;
  body.append((8 - (16 + body.size()) % 8) % 8, '\0');
  body.append(reinterpret_cast<const char*>(p.data()), p.size() * sizeof(float));
  return EncodeNoLength("BPBLUEP1", version, 0, body, version == 1);
}

// Preflop equity version 1: the pair count in the header word, the table as
// the body, FNV-1a 64.
inline std::string EncodePreflopEquityV1(const std::vector<float>& table, std::uint32_t pairs) {
  std::string body(reinterpret_cast<const char*>(table.data()), table.size() * sizeof(float));
  return EncodeNoLength("BPEQTY01", 1, pairs, body, true);
}

// Bucket file version 1: a 128-byte header (mode at 12, buckets at 16,
// widths at 32, entries at 48, offsets at 80, FNV-1a 64 fingerprint at 112
// over bytes 0..111 and every table), tables from 128 padded to 64.
inline std::string EncodeBucketFileV1(std::uint32_t mode, const std::array<std::uint32_t, 4>& buckets,
                                      const std::array<std::vector<std::uint16_t>, 4>& tables) {
  std::string header(128, '\0');
  std::memcpy(header.data(), "BPBUCKT1", 8);
  auto put32 = [&](std::size_t at, std::uint32_t v) { std::memcpy(header.data() + at, &v, 4); };
  auto put64 = [&](std::size_t at, std::uint64_t v) { std::memcpy(header.data() + at, &v, 8); };
  put32(8, 1);
  put32(12, mode);
  std::string bodies;
  std::uint64_t offset = 128;
  for (std::size_t s = 0; s < 4; ++s) {
    const std::uint32_t width = buckets[s] <= 256 ? 1 : 2;
    std::string body;
    for (std::uint16_t b : tables[s]) {
      if (width == 1) {
        body.push_back(static_cast<char>(b));
      } else {
        body.append(reinterpret_cast<const char*>(&b), 2);
      }
    }
    body.append((64 - body.size() % 64) % 64, '\0');
    put32(16 + 4 * s, buckets[s]);
    put32(32 + 4 * s, width);
    put64(48 + 8 * s, tables[s].size());
    put64(80 + 8 * s, offset);
    offset += body.size();
    bodies += body;
  }
  std::uint64_t h = base::Fnv1a64(header.data(), 112);
  h = base::Fnv1a64(bodies.data(), bodies.size(), h);
  put64(112, h);
  return header + bodies;
}

}  // namespace bp::legacy
