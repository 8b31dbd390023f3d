#!/usr/bin/env bash
# The one set-up step: Debian packages, npm packages, the bundled `wisp` tool.
# Idempotent and quiet when everything is present; one line per action taken.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive

# 1. Debian packages: those of every program and firmware file in build/tools.json, the one table
#    of what wisp's commands, tests and benchmarks run or read (a fresh Debian 12 has few of them).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: node and npm (Node 20) are required and were not found" >&2
  exit 1
fi
declare -A needed_by=()
packages=()
while IFS=$'\t' read -r pkg names; do
  packages+=("$pkg")
  needed_by[$pkg]=$names
done < <(node build/setup-packages.cjs)
if ! command -v dpkg-query >/dev/null; then
  echo "setup: dpkg-query not found: this script expects Debian 12; install by hand: ${packages[*]}" >&2
  exit 1
fi
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
  [[ $'\n'"$installed" == *$'\n'"$p ii"* ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  command="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
  for p in "${missing[@]}"; do echo "setup: Debian package $p, for ${needed_by[$p]} (build/tools.json)"; done
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: installing needs root; run this, then try again:" >&2
    echo "  sudo sh -c '$command'" >&2
    exit 1
  fi
  echo "setup: apt-get install ${missing[*]}"
  if ! { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null; }; then
    echo "setup: apt-get failed (no network, or no Debian mirror in /etc/apt/sources.list?); the command was:" >&2
    echo "  $command" >&2
    exit 1
  fi
fi

# 2. npm packages, exactly as locked.
if [[ ! -e node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error </dev/null >/dev/null
  touch node_modules/.package-lock.json
fi

# 3. The bundled tool out/tools/wisp.js (esbuild; only when one of its sources changed).
node build/bundle.cjs

# 4. The Linux guest (Debian's kernel + a BusyBox initramfs) in the ignored cache/, once; `wisp run`,
#    `npm start` and the tests refresh it when Debian has a newer kernel.
[[ -e cache/debian/guest.json ]] || node out/tools/wisp.js fetch-guests
