// The exactly-once accounting of batches, without processes: issue, apply
// once, duplicates refused, re-issue after a worker's death, resume.
#include "trainer/batch_ledger.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "trainer/shared_state.h"

using namespace bp::trainer;

TEST_CASE("batches are issued in order with seeds from the run seed, and applied exactly once") {
  BatchLedger ledger(2, 7);
  const auto a = ledger.Issue(0, 100, 0);
  const auto b = ledger.Issue(1, 100, 0);
  const auto c = ledger.Issue(0, 100, 0);
  REQUIRE((a && b && c));
  CHECK(a->id == 0);
  CHECK(b->id == 1);
  CHECK(c->id == 2);
  CHECK(b->first_iteration == 100);
  CHECK(c->first_iteration == 200);
  CHECK(b->seed == BatchSeed(7, 1));
  CHECK(ledger.InFlight(0) == 2);
  CHECK(ledger.InFlight() == 3);
  // Results may arrive out of order within a worker.
  CHECK(ledger.Complete(0, 2)->count == 100);
  CHECK(ledger.Complete(0, 0)->id == 0);
  CHECK(ledger.iterations() == 200);
  // The same result again, or from the wrong worker: refused and counted.
  CHECK_FALSE(ledger.Complete(0, 0));
  CHECK_FALSE(ledger.Complete(0, 1));
  CHECK_FALSE(ledger.Complete(5, 1));
  CHECK_FALSE(ledger.Complete(1, 99));
  CHECK(ledger.totals().duplicates == 4);
  CHECK(ledger.Complete(1, 1));
  CHECK(ledger.iterations() == 300);
  CHECK(ledger.totals().applied == 3);
  CHECK(ledger.InFlight() == 0);
  CHECK_FALSE(ledger.ExactlyOnce());  // duplicates were sent
}

TEST_CASE("the iteration target cuts the last batch and ends the issuing") {
  BatchLedger ledger(1, 1);
  CHECK(ledger.Issue(0, 400, 1000)->count == 400);
  CHECK(ledger.Issue(0, 400, 1000)->count == 400);
  const auto last = ledger.Issue(0, 400, 1000);
  CHECK(last->count == 200);
  CHECK(last->first_iteration == 800);
  CHECK_FALSE(ledger.Issue(0, 400, 1000));
  CHECK(ledger.next_iteration() == 1000);
}

TEST_CASE("a dead worker's batches are issued again, the same, before any new one; its late results are refused") {
  BatchLedger ledger(2, 3);
  const Batch b0 = *ledger.Issue(0, 10, 0), b1 = *ledger.Issue(0, 10, 0), b2 = *ledger.Issue(1, 10, 0);
  CHECK(ledger.Lose(0) == 2);
  CHECK(ledger.InFlight(0) == 0);
  CHECK(ledger.HasReissues());
  // The pending list a checkpoint now would keep: both lost batches and the one in flight.
  CHECK(ledger.Pending().size() == 3);
  const Batch again0 = *ledger.Issue(1, 10, 0), again1 = *ledger.Issue(0, 10, 0);
  CHECK(again0.id == b0.id);
  CHECK(again0.seed == b0.seed);
  CHECK(again0.first_iteration == b0.first_iteration);
  CHECK(again1.id == b1.id);
  CHECK_FALSE(ledger.HasReissues());
  CHECK(ledger.Issue(0, 10, 0)->id == 3);  // then new ones
  // A result the dead worker pushed late: not in flight on it any more.
  CHECK_FALSE(ledger.Complete(0, b0.id));
  CHECK(ledger.Complete(1, b0.id));
  CHECK(ledger.Complete(0, b1.id));
  CHECK(ledger.Complete(1, b2.id));
  CHECK(ledger.Complete(0, 3));
  const auto& t = ledger.totals();
  CHECK(t.issued == 4);
  CHECK(t.lost == 2);
  CHECK(t.reissued == 2);
  CHECK(t.applied == 4);
  CHECK(t.duplicates == 1);
  CHECK(t.applied == t.issued - t.lost + t.reissued);
  CHECK(ledger.iterations() == 40);
}

TEST_CASE("a resumed ledger issues the checkpoint's pending batches first, goes on with ids, refuses applied ones") {
  BatchLedger before(2, 11);
  for (int i = 0; i < 5; ++i) before.Issue(static_cast<std::uint32_t>(i % 2), 10, 0);
  CHECK(before.Complete(0, 0));
  CHECK(before.Complete(1, 1));
  CHECK(before.Complete(0, 4));
  before.Lose(1);  // batch 3 to issue again; batch 2 still in flight on worker 0
  CheckpointData saved;
  before.SaveTo(saved);
  CHECK(saved.iterations == 30);
  CHECK(saved.batches_applied == 3);
  CHECK(saved.next_batch_id == 5);
  CHECK(saved.next_iteration == 50);
  CHECK(saved.seed == 11);
  REQUIRE(saved.pending.size() == 2);
  CHECK(saved.pending[0].batch_id == 3);
  CHECK(saved.pending[1].batch_id == 2);

  BatchLedger after(3, saved);
  CHECK(after.iterations() == 30);
  CHECK(after.run_seed() == 11);
  const Batch first = *after.Issue(2, 10, 0), second = *after.Issue(0, 10, 0), third = *after.Issue(1, 10, 0);
  CHECK(first.id == 3);
  CHECK(first.seed == BatchSeed(11, 3));
  CHECK(second.id == 2);
  CHECK(third.id == 5);
  CHECK(third.first_iteration == 50);
  // An id applied before the checkpoint can never be applied again.
  CHECK_FALSE(after.Complete(0, 0));
  CHECK(after.Complete(2, 3));
  CHECK(after.Complete(0, 2));
  CHECK(after.Complete(1, 5));
  CHECK(after.batches_applied() == 6);
  CHECK(after.iterations() == 60);
  CHECK(after.iterations_before_resume() == 30);
  CHECK(after.totals().issued == 3);
  CHECK(after.totals().duplicates == 1);
}

TEST_CASE("random issue, apply, death and duplicate sequences keep exactly-once") {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 50; ++trial) {
    CAPTURE(trial);
    constexpr std::uint32_t kWorkers = 3;
    BatchLedger ledger(kWorkers, 5);
    std::map<std::uint64_t, int> applied;                        // id -> times applied
    std::map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>> batches;  // id -> (first, count), as issued
    std::vector<std::vector<std::uint64_t>> held(kWorkers);      // what each worker holds
    std::uint64_t duplicates_sent = 0;
    for (int step = 0; step < 400; ++step) {
      const std::uint32_t w = static_cast<std::uint32_t>(rng() % kWorkers);
      switch (rng() % 5) {
        case 0:
        case 1:
          if (const auto b = ledger.Issue(w, 1 + rng() % 50, 5000)) {
            held[w].push_back(b->id);
            const auto known = batches.find(b->id);
            if (known != batches.end()) {  // issued again: the same batch
              CHECK(known->second == std::make_pair(b->first_iteration, b->count));
            }
            batches[b->id] = {b->first_iteration, b->count};
          }
          break;
        case 2:
          if (!held[w].empty()) {
            const std::size_t i = rng() % held[w].size();
            const std::uint64_t id = held[w][i];
            held[w].erase(held[w].begin() + static_cast<std::ptrdiff_t>(i));
            REQUIRE(ledger.Complete(w, id));
            ++applied[id];
          }
          break;
        case 3:
          if (rng() % 8 == 0) {
            ledger.Lose(w);
            held[w].clear();
          }
          break;
        default:
          if (!applied.empty()) {  // an old result again
            auto it = applied.begin();
            std::advance(it, static_cast<long>(rng() % applied.size()));
            CHECK_FALSE(ledger.Complete(w, it->first));
            ++duplicates_sent;
          }
      }
    }
    // Drain: every worker finishes what it holds, then what is left to issue.
    for (std::uint32_t w = 0; w < kWorkers; ++w) {
      for (const std::uint64_t id : held[w]) {
        REQUIRE(ledger.Complete(w, id));
        ++applied[id];
      }
    }
    while (const auto b = ledger.Issue(0, 10, 5000)) {
      REQUIRE(ledger.Complete(0, b->id));
      ++applied[b->id];
      batches[b->id] = {b->first_iteration, b->count};
    }
    CHECK(ledger.InFlight() == 0);
    CHECK(ledger.totals().duplicates == duplicates_sent);
    const auto& t = ledger.totals();
    CHECK(t.applied == t.issued - t.lost + t.reissued);
    std::uint64_t covered = 0;
    for (const auto& [id, times] : applied) {
      CHECK(times == 1);
      covered += batches[id].second;
    }
    CHECK(applied.size() == ledger.next_batch_id());
    CHECK(covered == 5000);  // every iteration applied, once
    CHECK(ledger.iterations() == 5000);
  }
}

TEST_CASE("ranks' ledgers share one numbering: ids and iterations unique across ranks, seeds from the id") {
  constexpr std::uint32_t kRanks = 3;
  constexpr std::uint64_t kBatch = 50;
  std::vector<BatchLedger> ranks;
  for (std::uint32_t r = 0; r < kRanks; ++r) ranks.emplace_back(2, 11, BatchNumbering{0, 0, kRanks, r});
  std::set<std::uint64_t> ids, firsts;
  std::vector<std::uint64_t> issued(kRanks);
  for (int round = 0; round < 7; ++round) {
    for (std::uint32_t r = 0; r < kRanks; ++r) {
      const int n = 1 + (round + static_cast<int>(r)) % 3;  // ranks run at different speeds
      for (int i = 0; i < n; ++i) {
        const Batch b = *ranks[r].Issue(static_cast<std::uint32_t>(i % 2), kBatch, 0);
        CHECK(b.id % kRanks == r);
        CHECK(b.first_iteration == b.id * kBatch);
        CHECK(b.count == kBatch);
        CHECK(b.seed == BatchSeed(11, b.id));
        CHECK(ids.insert(b.id).second);
        CHECK(firsts.insert(b.first_iteration).second);
        CHECK(b.id < ranks[r].next_batch_id());
        CHECK(b.first_iteration + b.count <= ranks[r].next_iteration());
        ++issued[r];
      }
    }
  }
  // A checkpoint at this point: every rank's pending batches, the highest
  // next id; resumed on 2 ranks, nothing issued before is issued new again.
  CheckpointData saved;
  ranks[0].SaveTo(saved);
  saved.pending.clear();
  std::uint64_t next_id = 0, next_iteration = 0;
  for (const BatchLedger& l : ranks) {
    for (const PendingBatch& p : l.Pending()) saved.pending.push_back(p);
    next_id = std::max(next_id, l.next_batch_id());
    next_iteration = std::max(next_iteration, l.next_iteration());
  }
  saved.next_batch_id = next_id;
  saved.next_iteration = next_iteration;
  CHECK(saved.pending.size() == ids.size());  // nothing applied: all of them
  BatchLedger zero(1, saved, 2, 0);
  BatchLedger one(1, saved.seed, BatchNumbering{saved.next_batch_id, saved.next_iteration, 2, 1});
  std::set<std::uint64_t> again;
  for (std::size_t i = 0; i < saved.pending.size(); ++i) {
    const Batch b = *zero.Issue(0, kBatch, 0);
    CHECK(ids.count(b.id) == 1);  // the carried ones, each once, with their seeds
    CHECK(b.seed == BatchSeed(11, b.id));
    CHECK(again.insert(b.id).second);
    CHECK(zero.Complete(0, b.id));
  }
  for (int i = 0; i < 20; ++i) {
    for (BatchLedger* l : {&zero, &one}) {
      const Batch b = *l->Issue(0, kBatch, 0);
      CHECK(b.id >= next_id);
      CHECK(b.first_iteration >= next_iteration);
      CHECK(ids.insert(b.id).second);
      CHECK(firsts.insert(b.first_iteration).second);
      CHECK(l->Complete(0, b.id));
    }
  }
  CHECK(zero.ExactlyOnce());
  CHECK(one.ExactlyOnce());
  CHECK(zero.unapplied_iterations() == 0);
}

TEST_CASE("a stride of one numbers exactly as a single ledger always has") {
  BatchLedger plain(1, 5), strided(1, 5, BatchNumbering{0, 0, 1, 0});
  for (int i = 0; i < 4; ++i) {  // 30, 30, 30, 10
    const Batch a = *plain.Issue(0, 30, 100), b = *strided.Issue(0, 30, 100);
    CHECK(a.id == b.id);
    CHECK(a.first_iteration == b.first_iteration);
    CHECK(a.count == b.count);
    CHECK(a.seed == b.seed);
  }
  CHECK_FALSE(plain.Issue(0, 30, 100));
  CHECK_FALSE(strided.Issue(0, 30, 100));
  CHECK(plain.unapplied_iterations() == 100);
}
