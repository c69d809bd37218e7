#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries the store contract tests need are installed (Debian's `postgresql`
# package). Idempotent: does nothing when /usr/lib/postgresql/*/bin/initdb already exists. The tests start their
# own throwaway cluster (test/support/pg-server.ts); this script never starts a server and leaves none running.
#
#   bash scripts/ensure-postgres.sh        # as root, on Debian/Ubuntu (CI: called from .ci/run)
set -euo pipefail

find_initdb() {
  local f
  for f in /usr/lib/postgresql/*/bin/initdb; do
    if [ -x "$f" ]; then echo "$f"; return 0; fi
  done
  return 1
}

if initdb="$(find_initdb)"; then
  echo "ensure-postgres: already installed: $("$initdb" --version) ($initdb)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-postgres: PostgreSQL server binaries are missing and this is not root: run as root, or install the 'postgresql' package yourself" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-postgres: PostgreSQL server binaries are missing and there is no apt-get: install PostgreSQL (server, initdb, pg_ctl) yourself" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# In a container without systemd/init the package's postinst would try to start its default cluster. Forbid service
# starts during the install (the standard policy-rc.d mechanism, exit 101 = action forbidden) and put things back
# afterwards; the tests run their own cluster anyway.
policy=/usr/sbin/policy-rc.d
added_policy=0
cleanup() {
  if [ "$added_policy" = 1 ]; then rm -f "$policy"; fi
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  added_policy=1
fi

echo "ensure-postgres: apt-get update"
apt-get update -qq
echo "ensure-postgres: apt-get install -y --no-install-recommends postgresql"
apt-get install -y -qq --no-install-recommends postgresql >/dev/null

if ! initdb="$(find_initdb)"; then
  echo "ensure-postgres: installed the postgresql package but found no /usr/lib/postgresql/*/bin/initdb" >&2
  exit 1
fi
if ! id -u postgres >/dev/null 2>&1; then
  echo "ensure-postgres: the package did not create the 'postgres' user the tests run the server as" >&2
  exit 1
fi
echo "ensure-postgres: installed $("$initdb" --version) ($initdb)"
