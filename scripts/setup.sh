#!/usr/bin/env bash
# Installs whatever the build and the tests need and is missing; does nothing when all is present.
#   scripts/setup.sh            Rust wasm target, wasm-bindgen CLI (the pinned version), npm packages
#   scripts/setup.sh --browser  the above plus Debian's chromium and chromium-driver
#   scripts/setup.sh --fuzz     only cargo-fuzz, for scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

log() { printf '[setup] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# cargo-fuzz (libFuzzer) for the decoder's fuzzing; about a minute to build once.
if [ "${1:-}" = "--fuzz" ]; then
  fuzz_version=0.13.2
  if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}' || true)" != "$fuzz_version" ]; then
    log "installing cargo-fuzz $fuzz_version; takes a minute once"
    cargo install cargo-fuzz --version "$fuzz_version" --locked --force
  fi
  exit 0
fi

# 1. The wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 1b. rustfmt and clippy, for the house-rule checks of npm test.
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "adding Rust component $component"
    rustup component add "$component"
  fi
done

# 2. The wasm-bindgen CLI of exactly the version Cargo.toml pins (a mismatch breaks the build).
wb_version=$(sed -n 's/^wasm-bindgen = \(.*version = \)\{0,1\}"=\([0-9.]*\)".*/\2/p' Cargo.toml)
if [ -z "$wb_version" ]; then
  echo "[setup] Cargo.toml does not pin wasm-bindgen with \"=X.Y.Z\"" >&2
  exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$wb_version" ]; then
  log "installing wasm-bindgen-cli $wb_version (found: ${have:-none}); takes a few minutes once"
  # Without --locked: a locked dependency of the CLI is missing from the registry.
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# 3. npm packages (binaryen's wasm-opt, playwright-core), when package-lock.json changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || [ package.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
  touch node_modules/.package-lock.json
fi

# 4. Headless Chromium and its driver, from Debian (npm's browser downloads cannot reach their hosts here).
if [ "$want_browser" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  log "installing Debian chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
exit 0
