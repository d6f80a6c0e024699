#include "ipc/spsc_queue.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "ipc/control_block.h"
#include "ipc/ipc_error.h"
#include "ipc/segment.h"
#include "ipc/slab_pool.h"
#include "support/process.h"

using namespace bp::ipc;
using namespace std::chrono_literals;

namespace {

struct Item {
  std::uint64_t seq;
  std::uint64_t stream;
  std::uint64_t payload[5];
  std::uint64_t checksum;
};
static_assert(sizeof(Item) == 64);

std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

Item MakeItem(std::uint64_t stream, std::uint64_t seq) {
  Item item{seq, stream, {}, 0};
  std::uint64_t sum = stream * 31 + seq;
  for (int i = 0; i < 5; ++i) {
    item.payload[i] = Mix(seq * 5 + i + stream);
    sum = Mix(sum ^ item.payload[i]);
  }
  item.checksum = sum;
  return item;
}

bool ItemValid(const Item& item) { return MakeItem(item.stream, item.seq).checksum == item.checksum; }

using Queue = SpscQueue<Item, 1024>;

// Everything a group of producer/consumer pairs shares.
struct Shared {
  static constexpr int kMaxPairs = 4;
  Queue queues[kMaxPairs];
  ControlBlock control[kMaxPairs];
  std::atomic<std::uint64_t> received[kMaxPairs];
};

struct SharedSegment {
  Segment segment;
  Shared* shared;
  explicit SharedSegment(std::uint64_t extra = 0) : segment(Make(extra)) {
    shared = new (segment.RegionAs<void>("shared")) Shared();
  }
  static Segment Make(std::uint64_t extra) {
    SegmentLayout layout;
    layout.Add("shared", sizeof(Shared));
    if (extra) layout.Add("slabs", extra);
    return Segment::Create(Segment::UniqueName(), layout);
  }
};

// Producer p pushes `count` items; consumer p checks order and checksums.
int RunProducer(Shared* s, int p, std::uint64_t count) {
  Producer<Queue> out(&s->queues[p], &s->control[p].put);
  for (std::uint64_t i = 0; i < count; ++i) {
    if (!out.PushFor(MakeItem(p, i), 30s)) return 2;
  }
  return 0;
}

int RunConsumer(Shared* s, int p, std::uint64_t count) {
  Consumer<Queue> in(&s->queues[p]);
  Item item{};
  for (std::uint64_t i = 0; i < count; ++i) {
    if (!in.PopFor(item, 30s)) return 2;
    if (item.seq != i || item.stream != static_cast<std::uint64_t>(p)) return 3;  // lost, duplicated or reordered
    if (!ItemValid(item)) return 4;
  }
  s->received[p].store(count);
  if (in.TryPop(item)) return 5;  // nothing beyond what was sent
  return 0;
}

void StressPairs(int pairs, std::uint64_t total) {
  SharedSegment seg;
  const std::uint64_t each = total / pairs;
  std::vector<pid_t> pids;
  for (int p = 0; p < pairs; ++p) {
    pids.push_back(ForkChild([&, p] { return RunConsumer(seg.shared, p, each); }));
    pids.push_back(ForkChild([&, p] { return RunProducer(seg.shared, p, each); }));
  }
  for (pid_t pid : pids) CHECK(WaitChild(pid) == 0);
  for (int p = 0; p < pairs; ++p) {
    CHECK(seg.shared->received[p].load() == each);
    CHECK(seg.shared->control[p].put.puts.load() == each);
    CHECK(seg.shared->control[p].put.put_timeouts.load() == 0);
  }
}

}  // namespace

TEST_CASE("queue in shared memory: FIFO, bounded, try_push fails when full") {
  SharedSegment seg;
  Queue& q = seg.shared->queues[0];
  Producer<Queue> out(&q, &seg.shared->control[0].put);
  Consumer<Queue> in(&q);
  std::uint64_t pushed = 0;
  while (out.TryPush(MakeItem(0, pushed))) ++pushed;
  CHECK(pushed == Queue::capacity());
  CHECK(q.WriteAvailable() == 0);
  Item item{};
  for (std::uint64_t i = 0; i < pushed; ++i) {
    REQUIRE(in.TryPop(item));
    CHECK(item.seq == i);
  }
  CHECK_FALSE(in.TryPop(item));
}

TEST_CASE("push_for on a full queue waits, times out, and counts both") {
  SharedSegment seg;
  Queue& q = seg.shared->queues[0];
  PutCounters& counters = seg.shared->control[0].put;
  Producer<Queue> out(&q, &counters);
  while (out.TryPush(MakeItem(0, 0))) {
  }
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(out.PushFor(MakeItem(0, 1), 20ms));
  CHECK(std::chrono::steady_clock::now() - start >= 20ms);
  CHECK(counters.put_waits.load() == 1);
  CHECK(counters.put_timeouts.load() == 1);
  Item item{};
  Consumer<Queue> in(&q);
  CHECK_FALSE(in.PopFor(item, 1ms) == false);  // the queue is full, so pop succeeds at once
}

TEST_CASE("a queue mapped at another address in another process works: no pointers inside") {
  SharedSegment seg;
  const std::string name = seg.segment.name();
  const pid_t child = ForkChild([&] {
    Segment again = Segment::Attach(name);  // a second, different mapping of the same memory
    if (again.base() == seg.segment.base()) return 2;
    auto* shared = again.RegionAs<Shared>("shared");
    return RunConsumer(shared, 0, 100000);
  });
  CHECK(RunProducer(seg.shared, 0, 100000) == 0);
  CHECK(WaitChild(child) == 0);
  CHECK(seg.shared->received[0].load() == 100000);
}

TEST_CASE("stress: 2 producer/consumer process pairs move 10^7 descriptors") { StressPairs(2, 10000000); }

TEST_CASE("stress: 4 producer/consumer process pairs move 10^7 descriptors") { StressPairs(4, 10000000); }

TEST_CASE("a consumer SIGKILLed mid-stream: the producer's push_for returns false at its timeout") {
  SharedSegment seg;
  const pid_t consumer = ForkChild([&] {
    Consumer<Queue> in(&seg.shared->queues[0]);
    Item item{};
    for (;;) {
      if (in.PopFor(item, 10s)) seg.shared->received[0].fetch_add(1);
    }
    return 0;
  });
  Producer<Queue> out(&seg.shared->queues[0], &seg.shared->control[0].put);
  std::uint64_t sent = 0;
  while (sent < 5000) REQUIRE(out.PushFor(MakeItem(0, sent++), 10s));
  ::kill(consumer, SIGKILL);
  CHECK(WaitChild(consumer) == 128 + SIGKILL);
  // Fill what is left of the queue; then a timed push must give up, not hang.
  int timeouts = 0;
  for (int i = 0; i < 2000 && timeouts == 0; ++i) timeouts += out.PushFor(MakeItem(0, sent++), 50ms) ? 0 : 1;
  CHECK(timeouts == 1);
  CHECK(seg.shared->control[0].put.put_timeouts.load() == 1);
}

TEST_CASE("a sleeping consumer is woken by a push, and sleeps without burning CPU") {
  SharedSegment seg;
  const pid_t consumer = ForkChild([&] {
    Consumer<Queue> in(&seg.shared->queues[0]);
    Item item{};
    for (std::uint64_t i = 0; i < 3; ++i) {
      const auto start = std::chrono::steady_clock::now();
      if (!in.PopFor(item, 60s, /*spin=*/0) || item.seq != i) return 2;
      // A lost wake-up would leave it asleep until the 60 s timeout.
      if (std::chrono::steady_clock::now() - start > 20s) return 3;
    }
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const double cpu_s = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
                         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
    return cpu_s < 0.15 ? 0 : 4;  // ~0.9 s asleep in total
  });
  Producer<Queue> out(&seg.shared->queues[0], nullptr);
  for (std::uint64_t i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(300ms);
    REQUIRE(out.TryPush(MakeItem(0, i)));
  }
  CHECK(WaitChild(consumer) == 0);
}

TEST_CASE("slabs: payloads of random sizes cross processes intact; every slab returns") {
  constexpr std::uint32_t kOwners = 2, kSlabs = 8;
  constexpr std::uint64_t kSlabBytes = 64 * 1024;
  SharedSegment seg(SlabPool::RegionBytes(kOwners, kSlabs, kSlabBytes));
  std::byte* region = seg.segment.RegionAs<std::byte>("slabs");
  SlabPool::Create(region, kOwners, kSlabs, kSlabBytes);
  constexpr std::uint64_t kMessages = 20000;
  std::vector<pid_t> pids;
  for (std::uint32_t owner = 0; owner < kOwners; ++owner) {
    // The owner fills slabs and sends descriptors {seq, slab, length, checksum}.
    pids.push_back(ForkChild([&, owner] {
      SlabPool pool = SlabPool::Open(region);
      Producer<Queue> out(&seg.shared->queues[owner], &seg.shared->control[owner].put);
      for (std::uint64_t i = 0; i < kMessages; ++i) {
        const auto slab = pool.AcquireFor(owner, 30s);
        if (!slab || pool.OwnerOf(*slab) != owner) return 2;
        const std::uint64_t words = 1 + Mix(i + owner) % (kSlabBytes / 8);
        auto* data = reinterpret_cast<std::uint64_t*>(pool.Data(*slab));
        std::uint64_t sum = 0;
        for (std::uint64_t w = 0; w < words; ++w) sum = Mix(sum ^ (data[w] = Mix(i * 7919 + w + owner)));
        Item item{i, owner, {*slab, words}, sum};
        if (!out.PushFor(item, 30s)) return 3;
      }
      return 0;
    }));
  }
  // This process is the coordinator: verify each payload, release the slab.
  SlabPool pool = SlabPool::Open(region);
  std::vector<Consumer<Queue>> ins;
  for (std::uint32_t o = 0; o < kOwners; ++o) ins.emplace_back(&seg.shared->queues[o]);
  std::uint64_t next[kOwners] = {0, 0};
  std::uint64_t bytes = 0;
  bool all_valid = true;
  while (next[0] < kMessages || next[1] < kMessages) {
    for (std::uint32_t o = 0; o < kOwners; ++o) {
      Item item{};
      if (next[o] == kMessages || !ins[o].PopFor(item, 1ms)) continue;
      all_valid &= item.seq == next[o]++;
      const auto slab = static_cast<std::uint32_t>(item.payload[0]);
      const auto* data = reinterpret_cast<const std::uint64_t*>(pool.Data(slab));
      std::uint64_t sum = 0;
      for (std::uint64_t w = 0; w < item.payload[1]; ++w) sum = Mix(sum ^ data[w]);
      all_valid &= sum == item.checksum && pool.OwnerOf(slab) == o;
      bytes += item.payload[1] * 8;
      pool.Release(slab);
    }
  }
  for (pid_t pid : pids) CHECK(WaitChild(pid) == 0);
  CHECK(all_valid);
  CHECK(bytes > kMessages * kSlabBytes / 2);
  for (std::uint32_t o = 0; o < kOwners; ++o) CHECK(pool.FreeCount(o) == kSlabs);
  // Releasing a slab twice is caught.
  CHECK_THROWS_WITH_AS(pool.Release(0), doctest::Contains("already free (double release)"), IpcError);
  CHECK_THROWS_WITH_AS(pool.Release(999), doctest::Contains("only 16 slabs"), IpcError);
}

TEST_CASE("reset after an owner dies holding slabs makes all of them free again") {
  constexpr std::uint64_t kSlabBytes = 256;
  SharedSegment seg(SlabPool::RegionBytes(1, 4, kSlabBytes));
  std::byte* region = seg.segment.RegionAs<std::byte>("slabs");
  SlabPool pool = SlabPool::Create(region, 1, 4, kSlabBytes);
  const pid_t owner = ForkChild([&] {
    SlabPool p = SlabPool::Open(region);
    p.Acquire(0);
    p.Acquire(0);
    ::pause();
    return 0;
  });
  while (pool.FreeCount(0) != 2) std::this_thread::sleep_for(1ms);
  ::kill(owner, SIGKILL);
  WaitChild(owner);
  pool.ResetOwner(0);
  CHECK(pool.FreeCount(0) == 4);
}
