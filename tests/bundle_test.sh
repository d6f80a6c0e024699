#!/usr/bin/env bash
# bundle_test ROOT BUILD: scripts/bundle --build-dir BUILD, unpacked and moved
# elsewhere, runs with an empty environment: every library outside the C
# library's comes from the bundle, train_blueprint trains Leduc, the other
# tools start, and bad arguments are refused.
set -euo pipefail
root=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "bundle_test: $*" >&2; exit 1; }

"$root/scripts/bundle" --build-dir "$build" --out "$tmp/out/bundle.tar.gz" > "$tmp/bundle.log" ||
  fail "scripts/bundle failed: $(cat "$tmp/bundle.log")"
grep -q 'needs glibc [0-9]' "$tmp/bundle.log" || fail "no glibc requirement reported: $(cat "$tmp/bundle.log")"
mkdir "$tmp/unpack"
tar -xzf "$tmp/out/bundle.tar.gz" -C "$tmp/unpack"
dir=$(echo "$tmp"/unpack/blueprint-trainer-*)
[ -d "$dir" ] || fail "the tarball has no blueprint-trainer-VERSION folder"
mv "$dir" "$tmp/moved"   # relocated: nothing may point at where it was made
b="$tmp/moved"
for f in bin/train_blueprint bin/build_buckets bin/eval_blueprint bin/scaling_bench bin/solver_bench configs/leduc.yaml README.txt; do
  [ -e "$b/$f" ] || fail "missing $f"
done
run() { (cd "$tmp" && env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH= HOME="$tmp" "$@"); }

# Libraries: the bundle's own, or the C library's.
for f in "$b"/bin/*; do
  while read -r name arrow path _; do
    [ "$arrow" = "=>" ] || continue
    case "$name" in
      libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libutil.so.*|libresolv.so.*) continue ;;
    esac
    case "$path" in
      "$b"/bin/../lib/*) ;;
      *) fail "$(basename "$f") loads $name from $path, not from the bundle" ;;
    esac
  done < <(run ldd "$f")
done

run "$b/bin/train_blueprint" --config "$b/configs/leduc.yaml" --num-workers 2 --time-budget 3s \
  --logdir "$tmp/run" > "$tmp/train.log" 2>&1 || fail "train_blueprint failed: $(tail -5 "$tmp/train.log")"
grep -q 'exploitability' "$tmp/run/metrics.jsonl" || fail "no exploitability in metrics.jsonl"
grep -q 'done: ' "$tmp/train.log" || fail "no done line: $(tail -3 "$tmp/train.log")"
run "$b/bin/solver_bench" --game kuhn --iterations 20000 > "$tmp/solver.log" 2>&1 ||
  fail "solver_bench failed: $(cat "$tmp/solver.log")"
for t in build_buckets eval_blueprint scaling_bench; do
  run "$b/bin/$t" --help > /dev/null 2>&1 || fail "$t --help failed"
done
status=0
run "$b/bin/train_blueprint" --config "$b/configs/nope.yaml" > /dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "a missing config exits $status, expected 2"
status=0
run "$b/bin/scaling_bench" --workers 1,zero > /dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "scaling_bench --workers 1,zero exits $status, expected 2"
status=0
"$root/scripts/bundle" --frobnicate > /dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "scripts/bundle with an unknown argument exits $status, expected 2"
echo "bundle_test: ok ($(du -h "$tmp/out/bundle.tar.gz" | cut -f1))"
