#!/usr/bin/env bash
# Install the Debian packages Hadir needs outside Python:
#   chromium, chromium-driver  - browser tests (Playwright/Selenium point at /usr/bin/chromium)
#   ffmpeg                     - turns test images into fake-webcam feeds for the kiosk tests
#   fonts-dejavu-core          - a predictable font for screenshots
#   wrk                        - load benchmark (see bench/LOADTOOLS.md)
#   nginx                      - the load balancer of deploy/nginx, started by tests/e2e/test_multi_server.py
#                                on its own loopback port (the Debian service is not used)
#   openssl                    - that test's throw-away TLS certificate
#   rsync, postgresql-client   - deploy/hadir-backup (rsync, pg_dump), run by that test too
#
# Idempotent and quiet on a second run: when every package is already installed,
# it neither runs `apt-get update` nor `apt-get install`.
# Runs as root (or via sudo when available), needs no stdin (safe under CI).
#
# Usage: scripts/install-system-deps.sh [extra-debian-package ...]
set -euo pipefail

PACKAGES=(chromium chromium-driver ffmpeg fonts-dejavu-core wrk nginx openssl rsync postgresql-client "$@")

is_installed() {
    # `dpkg -s` succeeds for removed-but-not-purged packages too, so read the status.
    local status
    status=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) || return 1
    [ "$status" = "installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! is_installed "$pkg"; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-system-deps: all present (${PACKAGES[*]})"
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo -n)
    else
        echo "install-system-deps: must run as root to install: ${missing[*]}" >&2
        exit 1
    fi
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${APT_OPTS[@]}" "${missing[@]}" </dev/null

# Verify: fail loudly rather than let a later test discover a missing binary.
still_missing=()
for pkg in "${missing[@]}"; do
    is_installed "$pkg" || still_missing+=("$pkg")
done
if [ "${#still_missing[@]}" -ne 0 ]; then
    echo "install-system-deps: still missing after install: ${still_missing[*]}" >&2
    exit 1
fi
echo "install-system-deps: done"
