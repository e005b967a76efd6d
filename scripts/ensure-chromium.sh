#!/bin/sh
# Makes sure the browser tests have a Chromium: Debian's `chromium` package at /usr/bin/chromium.
# Runs before `npm test` (the pretest script). Quick when it is there; otherwise installs it with apt-get
# (about 25 s), running `apt-get update` first only if the install fails on a stale package index.
set -eu

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

fail() {
  echo "ensure-chromium: $1" >&2
  echo "ensure-chromium: the browser tests (test/browser/) need Debian's Chromium at $CHROMIUM. Install it with:" >&2
  echo "    sudo apt-get update && sudo apt-get install -y chromium" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available on this machine (not Debian or Ubuntu)."

if [ "$(id -u)" = 0 ]; then
  SUDO=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  fail "Chromium is missing and installing it needs root (this is user $(id -un), without password-less sudo)."
fi

export DEBIAN_FRONTEND=noninteractive
install() {
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
}

echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium package with apt-get (about 25 s)" >&2
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
if ! install >"$LOG" 2>&1; then
  echo "ensure-chromium: the install failed; updating the package index and trying again" >&2
  if ! $SUDO apt-get update -q >>"$LOG" 2>&1 || ! install >>"$LOG" 2>&1; then
    tail -n 20 "$LOG" >&2
    fail "apt-get could not install chromium (its output is above)."
  fi
fi
[ -x "$CHROMIUM" ] || fail "apt-get finished but $CHROMIUM is still missing."
echo "ensure-chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)" >&2
