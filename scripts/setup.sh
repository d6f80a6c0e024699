#!/usr/bin/env bash
# Shared set-up for scripts/train, scripts/test and scripts/fuzz: installs the
# Debian packages the build needs (only those missing), then configures and
# builds into BUILD_DIR (build/, Release by default). Sourced, not run.
# Idempotent: a second run only rebuilds what changed.
#   BP_SANITIZE=address,undefined|thread  a sanitizer build with clang
#   BP_FUZZ=ON                            also the libFuzzer targets (tests/fuzz)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BP_SANITIZE="${BP_SANITIZE:-}"
BP_FUZZ="${BP_FUZZ:-OFF}"

PACKAGES=(
  cmake ninja-build g++ clang pkg-config   # clang builds Release (CMakeLists.txt); g++ brings libstdc++
  libboost-dev libyaml-cpp-dev libfmt-dev
  doctest-dev libcli11-dev nlohmann-json3-dev libxxhash-dev
  librsvg2-bin   # rsvg-convert: inspect --plot FILE.png
  patchelf       # scripts/bundle: the bundle's binaries find their libraries through $ORIGIN
  python3-dev pybind11-dev python3-numpy python3-pytest   # the Python module (python/) and its tests
  libopenmpi-dev openmpi-bin   # training across machines (distributed/)
)
if [ -n "$BP_SANITIZE" ] || [ "$BP_FUZZ" = ON ]; then
  PACKAGES+=(libclang-rt-14-dev)   # the sanitizers' and libFuzzer's runtimes
fi

ensure_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build_project() {
  local native="${BP_NATIVE:-ON}"
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    if [ -n "$BP_SANITIZE" ] || [ "$BP_FUZZ" = ON ]; then
      CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DBP_NATIVE="$native" -DBP_SANITIZE="$BP_SANITIZE" -DBP_FUZZ="$BP_FUZZ" -DBP_BENCH=OFF -DBP_PYTHON=OFF
    else
      cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBP_NATIVE="$native"
    fi
  fi
  cmake --build "$BUILD_DIR" --parallel "$(nproc)" ${BUILD_TARGETS:+--target $BUILD_TARGETS}
}

ensure_packages
build_project
