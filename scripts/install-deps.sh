#!/usr/bin/env bash
# Installs the Debian 12 packages stockcast needs to build, test and run its demo.
# Installs only what is missing; safe to run any number of times.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libsqlite3-dev libzstd-dev zstd
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libfmt-dev
  libeigen3-dev libnlopt-cxx-dev libtbb-dev coinor-libcbc-dev coinor-libclp-dev
  libsodium-dev libcpp-httplib-dev libpqxx-dev postgresql openssl libxgboost-dev
  libtorch-dev  # LSTM/GRU forecasters, DQN agent; large: pulls about 200 packages
  libopenblas0-openmp  # BLAS for LibTorch: the reference libblas3 made DQN training 3.7x slower
  chromium
  libgtest-dev libgmock-dev libbenchmark-dev
  python3
)

missing=()
# Node.js and npm for the dashboard (web/): any install that provides the commands will do
# (NodeSource's nodejs provides npm and conflicts with Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing missing packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: missing packages (${missing[*]}) and not root and no sudo; install them and retry" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty package lists; refresh them before the first install.
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
