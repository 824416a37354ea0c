#!/usr/bin/env bash
# Installs every Debian 12 package imu2clip needs to build, run and test. Idempotent:
# packages already present are left alone. Runs as root, or through sudo when available.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-openmp
  libcpp-httplib-dev nlohmann-json3-dev libcurl4-openssl-dev
  libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev catch2 libcli11-dev
  libhowardhinnant-date-dev tzdata zlib1g-dev
  libsndfile1-dev libsamplerate0-dev libkissfft-dev libfaiss-dev libstb-dev libgloo-dev
  python3 wordnet-base chromium
)
# The web UI's end-to-end test drives Chromium with playwright-core (npm). Node from another
# source (e.g. NodeSource, which bundles npm) is fine; Debian's packages are the fallback.
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

pin_openblas_openmp() {
  # libtorch calls BLAS through libblas.so.3; the reference BLAS (or a pthread OpenBLAS
  # fighting OpenMP for the cores) makes the GRU 15-20x slower, so pin the OpenMP build.
  local alt=libblas.so.3-x86_64-linux-gnu target=/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3
  if [ -e "$target" ] && command -v update-alternatives >/dev/null; then
    $SUDO update-alternatives --set "$alt" "$target" >/dev/null 2>&1 || true
  fi
}

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

if [ ${#missing[@]} -eq 0 ]; then
  pin_openblas_openmp
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
  echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
pin_openblas_openmp
