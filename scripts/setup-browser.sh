#!/usr/bin/env bash
# The dashboard's browser test tools (make browser-tools, which make test runs): Debian's
# chromium (apt-get, as root) and playwright-core from the npm registry at a pinned
# version, installed into DIR (the checkout's .tools/node). Idempotent: what is there is
# skipped. Without root or apt-get the chromium step says so and goes on: the test then
# skips, or fails under CI=1.
set -euo pipefail
DIR=${1:?usage: setup-browser.sh DIR PLAYWRIGHT_VERSION}
VERSION=${2:?usage: setup-browser.sh DIR PLAYWRIGHT_VERSION}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

apt_install() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "setup-browser: $* missing and apt-get needs root here: install it (the dashboard test skips without it, fails under CI=1)" >&2
        return 0
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

if [ -x "$CHROMIUM" ]; then
    echo "setup-browser: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM") present"
else
    apt_install chromium
fi

if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
fi

have=$(node -p "require('$DIR/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
if [ "$have" = "$VERSION" ]; then
    echo "setup-browser: playwright-core $VERSION present in $DIR"
elif command -v npm >/dev/null 2>&1; then
    mkdir -p "$DIR"
    # exact version, no lock file games: the registry's tarball of playwright-core alone
    # (it has no dependencies and downloads no browser)
    npm install --prefix "$DIR" --no-audit --no-fund --save-exact "playwright-core@$VERSION"
    echo "setup-browser: playwright-core $VERSION installed in $DIR"
else
    echo "setup-browser: npm missing: playwright-core not installed (the dashboard test skips, fails under CI=1)" >&2
fi
