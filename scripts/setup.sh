#!/usr/bin/env bash
# Installs everything Marionette needs on a Debian machine, skipping what is already there.
# Safe to run again: each step checks first. Used by `npm run demo` and `npm run test:all`.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

apt_packages=()
command -v ffmpeg >/dev/null 2>&1 || [ -n "${FFMPEG_PATH:-}" ] || apt_packages+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ] || apt_packages+=(chromium)
# The render farm's tests start their own Redis on a loopback port (BullMQ needs Redis >= 5).
command -v redis-server >/dev/null 2>&1 || apt_packages+=(redis-server)
# Python side (models/): Debian's CPU torch and friends, run with /usr/bin/python3.
declare -A py_modules=(
  [torch]=python3-torch [torchvision]=python3-torchvision [onnx]=python3-onnx [pytest]=python3-pytest
  [scipy]=python3-scipy [skimage]=python3-skimage [yaml]=python3-yaml [matplotlib]=python3-matplotlib
  [tqdm]=python3-tqdm
)
# AKD/MKR metrics: dlib's face landmarks (models/tools/face_landmarks.cpp).
[ -f /usr/share/dlib/shape_predictor_68_face_landmarks.dat ] || apt_packages+=(libdlib-data)
pkg-config --exists dlib-1 2>/dev/null || apt_packages+=(libdlib-dev pkg-config)
for module in "${!py_modules[@]}"; do
  /usr/bin/python3 -c "import ${module}" >/dev/null 2>&1 || apt_packages+=("${py_modules[$module]}")
done

if [ ${#apt_packages[@]} -gt 0 ]; then
  log "installing Debian packages: ${apt_packages[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      log "need root to install: ${apt_packages[*]} (run: apt-get install ${apt_packages[*]})"; exit 1
    fi
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
else
  log "Debian packages: all present"
fi

# The GPU path (WebGPU) is tested for real on Mesa's software Vulkan, lavapipe: bookworm's Mesa 22
# lacks a feature Dawn needs ("No supported adapters"), bookworm-backports' Mesa 25 has it.
mesa_version=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
if [ -f /etc/debian_version ] && grep -q '^12\.' /etc/debian_version && ! dpkg --compare-versions "${mesa_version:-0}" ge 23; then
  log "installing Mesa's Vulkan drivers from bookworm-backports (for the WebGPU tests)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if [ ! -f /etc/apt/sources.list.d/bookworm-backports.sources ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
      $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers >/dev/null ||
    log "Mesa's Vulkan drivers could not be installed: the WebGPU tests will say they were skipped"
else
  log "Vulkan (for WebGPU): ${mesa_version:-not Debian 12, left as it is}"
fi

# npm: the Electron binary, ffmpeg-static's binary and onnxruntime's CUDA add-on are downloads
# that fail offline; skip them. onnxruntime-node's CPU binaries ship inside the package.
stamp=node_modules/.marionette-install-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  log "installing npm packages"
  export ELECTRON_SKIP_BINARY_DOWNLOAD=1 ONNXRUNTIME_NODE_INSTALL=skip FFMPEG_BINARIES_URL=http://127.0.0.1:9/
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  touch "$stamp"
else
  log "npm packages: up to date"
fi
# Registry packages that ship binaries lose their exec bit when install scripts are not run.
for bin in node_modules/@ffmpeg-installer/*/ffmpeg node_modules/@ffprobe-installer/*/ffprobe; do
  [ -f "$bin" ] && [ ! -x "$bin" ] && chmod u+x "$bin"
done
log "done"
