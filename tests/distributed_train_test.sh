#!/usr/bin/env bash
# distributed_train_test TRAIN_BLUEPRINT CONFIG_DIR MPIEXEC: Leduc over 2
# MPI ranks of 1 worker on this host (shared memory and loopback only; the
# environment comes from ctest) against 1 rank of 2 workers at the same
# total iterations (20M): exploitability within 1.5x, every replica the same
# bytes, the ledger exact on every rank and in sum, rank 0 alone writing
# checkpoints, no worker or segment left behind; its final checkpoint
# resumes on one machine, and with more ranks; a 1-rank run resumes with 2,
# a 2-rank run with 2; batch ids are numbered across ranks; a rank killed,
# SIGUSR1 and SIGINT.
set -euo pipefail
train=$1 configs=$2 mpiexec=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "distributed_train_test: $*" >&2; exit 1; }
trap 'echo "distributed_train_test: line $LINENO failed: $BASH_COMMAND" >&2' ERR
iters=20000000
common=(--config "$configs/leduc.yaml" --iters $iters --time-budget 0 --set logging.progress=lines)
final_exploitability() { grep -o '"exploitability":[0-9.e-]*' "$1/metrics.jsonl" | tail -1 | cut -d: -f2; }
segments() { ls /dev/shm 2>/dev/null | grep '^bp-mccfr-' | sort || true; }
# Segments now that were not there at the start (a run removes stale ones of others).
new_segments() { comm -13 <(echo "$before") <(segments) | grep . || true; }

before=$(segments)
# Three runs of each (exploitability varies from run to run with the
# timing of syncs and batches on 2 shared cores): the medians are compared.
for k in "" -2 -3; do
  "$mpiexec" -np 2 --oversubscribe "$train" "${common[@]}" --num-workers 1 --logdir "$tmp/two$k" \
    > "$tmp/two$k.out" 2>&1 || fail "2 ranks failed: $(tail -20 "$tmp/two$k.out")"
  "$train" "${common[@]}" --num-workers 2 --logdir "$tmp/one$k" > "$tmp/one$k.out" 2>&1 ||
    fail "1 rank failed: $(tail -20 "$tmp/one$k.out")"
done
median() { sort -g | sed -n 2p; }
e2=$(for k in "" -2 -3; do final_exploitability "$tmp/two$k"; done | median)
e1=$(for k in "" -2 -3; do final_exploitability "$tmp/one$k"; done | median)
rm -rf "$tmp"/two-? "$tmp"/one-?

# Every rank: the same replica, the ledger exact, all ranks' totals.
for log in "$tmp/two/train.log" "$tmp/two/rank-1/train.log"; do
  [ -f "$log" ] || fail "no $log"
  grep -q 'the same on every rank' "$log" || fail "replicas differ: $(grep 'replica checksum' "$log")"
  grep -q 'every batch applied exactly once$' "$log" || fail "$log: the ledger is not exact"
done
sum0=$(grep -o 'replica checksum [0-9a-f]*' "$tmp/two/train.log")
sum1=$(grep -o 'replica checksum [0-9a-f]*' "$tmp/two/rank-1/train.log")
[ -n "$sum0" ] && [ "$sum0" = "$sum1" ] || fail "checksums differ: '$sum0' against '$sum1'"
total=$(grep -o 'all ranks: [0-9]* iterations, [0-9]* batches issued, [0-9]* applied' "$tmp/two/train.log")
issued=$(echo "$total" | awk '{print $5}') applied=$(echo "$total" | awk '{print $8}') global=$(echo "$total" | awk '{print $3}')
[ "$issued" = "$applied" ] || fail "all ranks: $issued issued, $applied applied"
r0=$(grep -o '^.*batches: [0-9]* issued' "$tmp/two/train.log" | grep -o '[0-9]* issued' | cut -d' ' -f1)
r1=$(grep -o '^.*batches: [0-9]* issued' "$tmp/two/rank-1/train.log" | grep -o '[0-9]* issued' | cut -d' ' -f1)
[ $((r0 + r1)) = "$issued" ] || fail "the ranks issued $r0 + $r1, the total says $issued"
[ "$global" -ge $iters ] || fail "all ranks trained $global iterations, fewer than $iters"
# One numbering: rank r of 2 issues the ids r, r + 2, ...
grep -q 'rank 1 of 2: new batch ids 1, 3, \.\.\. (every 2th from 0)' "$tmp/two/rank-1/train.log" ||
  fail "rank 1 does not number its batches 1, 3, ...: $(grep 'batch ids' "$tmp/two/rank-1/train.log")"
grep -q 'rank 0 of 2: new batch ids 0, 2, ' "$tmp/two/train.log" || fail "rank 0 does not number its batches 0, 2, ..."
# Rank 0 alone writes checkpoints; the final one holds every rank's iterations.
[ -z "$(ls "$tmp/two/rank-1/checkpoints" 2>/dev/null)" ] || fail "rank 1 wrote checkpoints"
[ -f "$tmp/two/checkpoints/ckpt-$global.bin" ] || fail "no final checkpoint ckpt-$global.bin: $(ls "$tmp/two/checkpoints")"
[ -z "$(new_segments)" ] || fail "shared segments left behind: $(new_segments)"
pgrep -f "$tmp/two" > /dev/null && fail "processes of the run are still alive"
"$train" inspect "$tmp/two/checkpoints/ckpt-$global.bin" > "$tmp/ckpt.out" || fail "inspect of the checkpoint failed"
grep -q 'written by 2 MPI ranks' "$tmp/ckpt.out" || fail "the checkpoint does not record 2 ranks: $(cat "$tmp/ckpt.out")"

# Rank 0's metrics carry every rank and the syncs; inspect summarises them.
grep -q '"distributed":{[^}]*"rank_stats":\[{[^]]*},{' "$tmp/two/metrics.jsonl" || fail "no per-rank metrics in rank 0's metrics.jsonl"
grep -q '"sync_s":' "$tmp/two/metrics.jsonl" || fail "no sync time in the metrics"
"$train" inspect "$tmp/two" --plot "$tmp/two.svg" > "$tmp/inspect.out" || fail "inspect failed"
grep -q '^ranks (MPI)' "$tmp/inspect.out" && grep -qE '^ +1 +[0-9]+ ' "$tmp/inspect.out" ||
  fail "inspect has no per-rank summary: $(cat "$tmp/inspect.out")"
grep -q 'sync exchange across MPI ranks' "$tmp/two.svg" || fail "the plot has no sync panel"

# Convergence: within 1.5x of one machine with as many workers (medians).
awk -v a="$e2" -v b="$e1" 'BEGIN { exit !(a > 0 && b > 0 && a <= 1.5 * b) }' ||
  fail "2 ranks x 1 worker: exploitability $e2, 1 rank x 2 workers: $e1 (medians of 3; more than 1.5x)"
echo "distributed_train_test: 2 ranks x 1 worker $e2, 1 rank x 2 workers $e1 at $iters iterations (medians of 3); replicas $sum0"

# A rank killed with SIGKILL: mpirun ends the job within 10 s, no worker and
# no segment is left, the last checkpoint is intact and resumes.
"$mpiexec" -np 2 --oversubscribe "$train" --config "$configs/leduc.yaml" --num-workers 1 --time-budget 60s \
  --checkpoint-interval 1s --logdir "$tmp/killed" --set logging.progress=lines > "$tmp/killed.out" 2>&1 &
launcher=$!
for _ in $(seq 100); do
  [ -n "$(ls "$tmp/killed/checkpoints" 2>/dev/null)" ] && break
  sleep 0.1
done
sleep 1
coordinator_of_rank() {  # the rank's coordinator: the process of that rank with a child (its worker)
  for p in $(pgrep -f "logdir $tmp/killed"); do
    if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1"; then
      if [ -n "$(pgrep -P "$p" || true)" ]; then echo "$p"; fi
    fi
  done | head -1 || true
}
# First a worker of rank 0 dies: forked again while MPI is initialised, the run goes on.
rank0=$(coordinator_of_rank 0)
[ -n "$rank0" ] || fail "no rank 0 coordinator found"
kill -9 "$(pgrep -P "$rank0" | head -1)"
for _ in $(seq 50); do grep -q 'respawned as pid' "$tmp/killed/train.log" && break; sleep 0.1; done
grep -q 'respawned as pid' "$tmp/killed/train.log" || fail "rank 0's worker was not respawned"
sleep 1
victim=$(coordinator_of_rank 1)
[ -n "$victim" ] || fail "no rank 1 coordinator found"
kill -9 "$victim"
killed_at=$(date +%s)
set +e
wait $launcher
set -e
for _ in $(seq 100); do pgrep -f "logdir $tmp/killed" > /dev/null || break; sleep 0.1; done
pgrep -f "logdir $tmp/killed" > /dev/null && fail "processes of the killed run are still alive"
[ $(( $(date +%s) - killed_at )) -le 10 ] || fail "the job took more than 10 s to end after a rank was killed"
[ -z "$(new_segments)" ] || fail "segments left behind by the killed run: $(new_segments)"
# Its last checkpoint keeps the batches every rank had not applied at that
# sync; a resume on one machine issues each of them once.
last=$(ls -t "$tmp/killed/checkpoints"/ckpt-*.bin | head -1)
"$train" inspect "$last" > "$tmp/killed-ckpt.out" || fail "inspect $last failed"
pending=$(grep -o 'pending [0-9]*' "$tmp/killed-ckpt.out" | awk '{print $2}')
[ "${pending:-0}" -ge 1 ] || fail "the checkpoint keeps no pending batch of the ranks: $(cat "$tmp/killed-ckpt.out")"
"$train" --resume-from "$tmp/killed" --iters 100000000 --time-budget 2s --num-workers 1 \
  --set logging.progress=lines > "$tmp/killed-resume.out" 2>&1 ||
  fail "the killed run did not resume: $(tail -5 "$tmp/killed-resume.out")"
grep -q "resumed at iteration [0-9]* ([0-9]* batches applied, $pending to issue again; written by 2 rank(s), now 1)" \
  "$tmp/killed/train.log" || fail "the resume did not issue the $pending pending batches: $(grep resumed "$tmp/killed/train.log")"
grep 'batches:' "$tmp/killed/train.log" | tail -1 | grep -q 'every batch applied exactly once$' ||
  fail "the resumed run's ledger is not exact: $(grep 'batches:' "$tmp/killed/train.log" | tail -1)"

# A clean stop: SIGUSR1 to mpirun reaches every rank, the final checkpoint
# is written, every batch is applied once and mpirun exits 0. SIGINT does
# the same for the run (mpirun's own status is then 1, Open MPI's).
for sig in USR1 INT; do
  "$mpiexec" -np 2 --oversubscribe "$train" --config "$configs/leduc.yaml" --num-workers 1 --time-budget 60s \
    --logdir "$tmp/stop-$sig" --set logging.progress=lines > "$tmp/stop-$sig.out" 2>&1 &
  launcher=$!
  for _ in $(seq 100); do grep -q 'started 1 worker' "$tmp/stop-$sig/rank-1/train.log" 2>/dev/null && break; sleep 0.1; done
  sleep 1
  kill -$sig $launcher
  set +e
  wait $launcher
  status=$?
  set -e
  [ $sig = INT ] || [ $status = 0 ] || fail "mpirun exited $status after SIGUSR1: $(tail -5 "$tmp/stop-$sig.out")"
  grep -q 'final checkpoint .* written' "$tmp/stop-$sig/train.log" || fail "no final checkpoint after SIG$sig"
  for log in "$tmp/stop-$sig/train.log" "$tmp/stop-$sig/rank-1/train.log"; do
    grep -q 'the same on every rank; all ranks: .*every batch applied exactly once$' "$log" ||
      fail "SIG$sig: $log: replicas or ledger: $(grep 'all ranks' "$log")"
  done
  pgrep -f "logdir $tmp/stop-$sig" > /dev/null && fail "processes are left after SIG$sig"
done
# The same rank count resumes too: the SIGUSR1 run with 2 ranks again.
at=$(grep -o 'all ranks: [0-9]* iterations' "$tmp/stop-USR1/train.log" | awk '{print $3}')
"$mpiexec" -np 2 --oversubscribe "$train" --resume-from "$tmp/stop-USR1" --iters $((at + 2000000)) --num-workers 1 \
  --set logging.progress=lines > "$tmp/two-two.out" 2>&1 || fail "resuming a 2-rank run with 2 ranks failed"
grep -q "resumed at iteration $at (.*written by 2 rank(s), now 2)" "$tmp/stop-USR1/train.log" ||
  fail "2 -> 2 ranks: no resume at $at: $(grep resumed "$tmp/stop-USR1/train.log")"
grep 'all ranks:' "$tmp/stop-USR1/train.log" | tail -1 | grep -q 'the same on every rank; .*exactly once$' ||
  fail "2 -> 2 ranks: replicas or ledger: $(grep 'all ranks:' "$tmp/stop-USR1/train.log" | tail -1)"

# The distributed run's final checkpoint resumes on one machine.
"$train" --resume-from "$tmp/two" --iters $((global + 1000000)) --num-workers 1 --set logging.progress=lines \
  > "$tmp/resume.out" 2>&1 || fail "resume on one machine failed: $(tail -5 "$tmp/resume.out")"
grep -q "resumed at iteration $global" "$tmp/two/train.log" || fail "the resume did not start at $global"
# Resumes across rank counts: the 2-rank run with 3 ranks, the 1-rank run with 2.
target=$((global + 3000000))
"$mpiexec" -np 3 --oversubscribe "$train" --resume-from "$tmp/two" --iters $target --num-workers 1 \
  --set logging.progress=lines > "$tmp/three.out" 2>&1 || fail "the resume with 3 ranks failed: $(tail -5 "$tmp/three.out")"
three=$(grep 'all ranks:' "$tmp/two/train.log" | tail -1)
echo "$three" | grep -q 'the same on every rank' || fail "3 ranks: replicas differ: $three"
echo "$three" | grep -q 'rank 0 of 3' || fail "3 ranks: not 3 ranks: $three"
after=$(echo "$three" | grep -o 'all ranks: [0-9]* iterations' | awk '{print $3}')
[ "$after" -ge "$target" ] || fail "3 ranks stopped at $after iterations, before $target"
[ -f "$tmp/two/rank-2/train.log" ] || fail "no log of rank 2"
"$mpiexec" -np 2 --oversubscribe "$train" --resume-from "$tmp/one" --iters $((iters + 2000000)) --num-workers 1 \
  --set logging.progress=lines > "$tmp/one-two.out" 2>&1 || fail "resuming a 1-rank run with 2 ranks failed"
grep -q "resumed at iteration $iters" "$tmp/one/train.log" || fail "the 1-rank run did not resume at $iters"
grep 'all ranks:' "$tmp/one/train.log" | tail -1 | grep -q 'the same on every rank' || fail "1 -> 2 ranks: replicas differ"
