#!/usr/bin/env bash
# Installs what the test suite needs beyond `npm ci`, from Debian's packages: Chromium (status-page
# test, driven by playwright-core), iproute2 and nftables (multi-host harness in network
# namespaces; tc comes with iproute2) and numpy for the system python3 (Python trainer). Needs root;
# packages already present are not installed again, so a second run does nothing.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v tc >/dev/null 2>&1 || missing+=(iproute2)
command -v nft >/dev/null 2>&1 || missing+=(nftables)
python3 -c 'import numpy' >/dev/null 2>&1 || missing+=(python3-numpy)

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup:test: chromium, iproute2, nftables and numpy are installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup:test: needs root to install ${missing[*]} (run it as root, or install them yourself)" >&2
  exit 1
fi
echo "setup:test: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
