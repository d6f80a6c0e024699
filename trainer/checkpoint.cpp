#include "trainer/checkpoint.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "base/coding.h"
#include "solver/regret_matching.h"
#include "solver/tables.h"

namespace bp::trainer {

const base::FrameFormat kCheckpointFormat{
    "BPCKPT02", "checkpoint", 4, {{3, base::FrameLayout::kOwn, base::Checksum::Kind::kXxh3}}, {}};

namespace {

constexpr std::string_view kFnvMagic = "BPCKPT01";  // version 3 with FNV-1a 64
constexpr std::uint8_t kDoubleRegrets = 1, kInt32Regrets = 2;

std::size_t Pad8(std::size_t n) { return (8 - n % 8) % 8; }

template <class T>
std::span<const char> BytesOf(const std::vector<T>& v) {
  return {reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)};
}

// Counts and strings: everything before the tables.
std::string EncodeHead(const CheckpointData& d) {
  std::string head;
  for (std::uint64_t v : {d.iterations, d.batches_applied, d.next_batch_id, d.next_iteration, d.discounts_applied,
                          d.seed}) {
    base::PutFixed(head, v);
  }
  base::PutFixed(head, d.elapsed_s);
  base::PutFixed<std::uint8_t>(head, d.int_regrets() ? kInt32Regrets : kDoubleRegrets);
  head.append(3, '\0');
  base::PutFixed<std::uint32_t>(head, d.ranks);
  for (std::uint64_t v : {d.num_regrets(), static_cast<std::uint64_t>(d.strategy_sum.size()),
                          static_cast<std::uint64_t>(d.pending.size()), static_cast<std::uint64_t>(d.identity.size())}) {
    base::PutFixed(head, v);
  }
  base::PutString(head, d.config_yaml);
  base::PutString(head, d.abstraction_fingerprint);
  for (const auto& [key, value] : d.identity) {
    base::PutString(head, key);
    base::PutString(head, value);
  }
  for (const PendingBatch& p : d.pending) {
    for (std::uint64_t v : {p.batch_id, p.first_iteration, p.count, p.seed}) base::PutFixed(head, v);
  }
  head.append(Pad8(head.size()), '\0');
  return head;
}

template <class T>
std::vector<T> ReadTable(base::ByteReader& in, std::uint64_t count, const char* what) {
  std::vector<T> table;
  in.ReadArray(count, table, what);
  return table;
}

std::map<std::string, std::string> ReadIdentity(base::ByteReader& in, std::uint64_t keys) {
  std::map<std::string, std::string> identity;
  for (std::uint64_t k = 0; k < keys; ++k) {
    std::string key = in.ReadString("identity key");
    identity[std::move(key)] = in.ReadString("identity value");
  }
  return identity;
}

std::vector<PendingBatch> ReadPending(base::ByteReader& in, std::uint64_t count) {
  constexpr std::size_t kBytes = 4 * sizeof(std::uint64_t);
  if (count > in.remaining() / kBytes) {
    throw base::CodingError(fmt::format("{} pending batches claimed, {} bytes are left", count, in.remaining()));
  }
  std::vector<PendingBatch> pending(count);
  for (PendingBatch& p : pending) {
    p.batch_id = in.Read<std::uint64_t>("pending batch");
    p.first_iteration = in.Read<std::uint64_t>("pending batch");
    p.count = in.Read<std::uint64_t>("pending batch");
    p.seed = in.Read<std::uint64_t>("pending batch");
  }
  return pending;
}

// The counters, in the order both versions keep them.
void ReadCounters(base::ByteReader& in, CheckpointData& d) {
  d.iterations = in.Read<std::uint64_t>("iterations");
  d.batches_applied = in.Read<std::uint64_t>("batches applied");
  d.next_batch_id = in.Read<std::uint64_t>("next batch id");
  d.next_iteration = in.Read<std::uint64_t>("next iteration");
  d.discounts_applied = in.Read<std::uint64_t>("discounts applied");
  d.seed = in.Read<std::uint64_t>("seed");
  d.elapsed_s = in.Read<double>("training time");
}

CheckpointData Decode(std::span<const char> body) {
  base::ByteReader in(body);
  CheckpointData d;
  ReadCounters(in, d);
  const auto type = in.Read<std::uint8_t>("regret type");
  in.ReadBytes(3, "padding");
  d.ranks = std::max<std::uint32_t>(1, in.Read<std::uint32_t>("rank count"));
  if (type != kDoubleRegrets && type != kInt32Regrets) {
    throw base::CodingError(fmt::format("regret type {} (expected 1 for double or 2 for int32)", type));
  }
  const auto regrets = in.Read<std::uint64_t>("regret count");
  const auto sums = in.Read<std::uint64_t>("strategy-sum count");
  const auto pending = in.Read<std::uint64_t>("pending count");
  const auto keys = in.Read<std::uint64_t>("identity count");
  if (sums > regrets) {
    throw base::CodingError(fmt::format("{} regrets but {} strategy sums (at most one per regret)", regrets, sums));
  }
  d.config_yaml = in.ReadString("config");
  d.abstraction_fingerprint = in.ReadString("abstraction fingerprint");
  d.identity = ReadIdentity(in, keys);
  d.pending = ReadPending(in, pending);
  in.Align(8, "padding");
  if (type == kInt32Regrets) {
    d.regrets = ReadTable<std::int32_t>(in, regrets, "regrets");
  } else {
    d.regrets = ReadTable<double>(in, regrets, "regrets");
  }
  in.Align(8, "padding");
  d.strategy_sum = ReadTable<double>(in, sums, "strategy sums");
  if (in.remaining() != 0) throw base::CodingError(fmt::format("{} bytes after the strategy sums", in.remaining()));
  return d;
}

// Version 3: magic, a cereal binary archive (u32 version first; strings,
// maps and vectors as a u64 count and their elements), u64 body length, and
// the checksum of the body.
CheckpointData DecodeVersion3(std::span<const char> file, base::Checksum::Kind checksum,
                              const std::filesystem::path& path) {
  constexpr std::size_t kOverhead = 8 + 16;
  auto corrupt = [&](const std::string& what) {
    return CheckpointError(fmt::format("{}: {}", path.string(), what));
  };
  if (file.size() < kOverhead) {
    throw corrupt(fmt::format("truncated checkpoint file: {} bytes, smaller than its {}-byte frame", file.size(),
                              kOverhead));
  }
  const auto length = base::GetFixed<std::uint64_t>(file.data() + file.size() - 16);
  if (length != file.size() - kOverhead) {
    throw corrupt(fmt::format("truncated or padded: the checkpoint file's body should be {} bytes, the file holds {}",
                              length, file.size() - kOverhead));
  }
  const std::span<const char> body = file.subspan(8, length);
  if (base::Checksum::Of(checksum, body.data(), body.size()) !=
      base::GetFixed<std::uint64_t>(file.data() + file.size() - 8)) {
    throw corrupt("checksum mismatch: the content is corrupt");
  }
  base::ByteReader in(body);
  CheckpointData d;
  const auto version = in.Read<std::uint32_t>("version");
  if (version != 3) throw CheckpointError(fmt::format("{}: {}", path.string(), kCheckpointFormat.VersionMessage(version)));
  d.config_yaml = in.ReadString("config");
  d.identity = ReadIdentity(in, in.Read<std::uint64_t>("identity count"));
  d.abstraction_fingerprint = in.ReadString("abstraction fingerprint");
  ReadCounters(in, d);
  d.pending = ReadPending(in, in.Read<std::uint64_t>("pending count"));
  auto doubles = ReadTable<double>(in, in.Read<std::uint64_t>("regret count"), "regrets");
  auto ints = ReadTable<std::int32_t>(in, in.Read<std::uint64_t>("int32 regret count"), "int32 regrets");
  d.strategy_sum = ReadTable<double>(in, in.Read<std::uint64_t>("strategy-sum count"), "strategy sums");
  if (in.remaining() != 0) throw base::CodingError(fmt::format("{} bytes after the strategy sums", in.remaining()));
  if (!doubles.empty() && !ints.empty()) {
    throw corrupt(fmt::format("corrupt: {} double and {} int32 regrets (one of them must be empty)", doubles.size(),
                              ints.size()));
  }
  if (ints.empty()) {
    d.regrets = std::move(doubles);
  } else {
    d.regrets = std::move(ints);
  }
  if (d.strategy_sum.size() > d.num_regrets()) {
    throw corrupt(fmt::format("corrupt: {} regrets but {} strategy sums (at most one per regret)", d.num_regrets(),
                              d.strategy_sum.size()));
  }
  return d;
}

}  // namespace

void WriteCheckpoint(const std::filesystem::path& path, const CheckpointData& data) {
  const std::string head = EncodeHead(data);
  const std::span<const char> regrets = std::visit([](const auto& r) { return BytesOf(r); }, data.regrets);
  const std::span<const char> sums = BytesOf(data.strategy_sum);
  const std::uint64_t body = head.size() + regrets.size() + Pad8(regrets.size()) + sums.size();
  base::WriteFramedFile(path, kCheckpointFormat, body, [&](base::FileSink& out) {
    out.Write(head);
    out.Write(regrets.data(), regrets.size());
    out.Zeros(Pad8(regrets.size()));
    out.Write(sums.data(), sums.size());
  });
}

CheckpointData ReadCheckpoint(const std::filesystem::path& path) {
  std::string file;
  try {
    file = base::ReadWholeFile(path, kCheckpointFormat);
  } catch (const base::FileError& e) {
    throw CheckpointError(e.what());
  }
  return DecodeCheckpoint(file, path);
}

CheckpointData DecodeCheckpoint(std::span<const char> file, const std::filesystem::path& path) {
  try {
    if (std::string_view(file.data(), file.size()).starts_with(kFnvMagic)) {
      return DecodeVersion3(file, base::Checksum::Kind::kFnv1a64, path);
    }
    const base::FrameView frame = base::CheckFrame(file, kCheckpointFormat, path);
    if (frame.layout == base::FrameLayout::kOwn) return DecodeVersion3(file, base::Checksum::Kind::kXxh3, path);
    return Decode(frame.body);
  } catch (const base::FileError& e) {
    throw CheckpointError(e.what());
  } catch (const base::CodingError& e) {
    throw CheckpointError(fmt::format("{}: corrupt: {}", path.string(), e.what()));
  }
}

std::uint64_t CheckpointData::num_regrets() const {
  return std::visit([](const auto& r) { return static_cast<std::uint64_t>(r.size()); }, regrets);
}

double CheckpointData::Regret(std::uint64_t i) const {
  return std::visit(
      [i](const auto& r) {
        using R = typename std::decay_t<decltype(r)>::value_type;
        return solver::RegretCodec<R>::Decode(r[i]);
      },
      regrets);
}

void CheckpointData::CurrentStrategy(std::uint64_t base, int n, double* out) const {
  std::visit([&](const auto& r) { solver::RegretMatching(r.data() + base, n, out); }, regrets);
}

}  // namespace bp::trainer
