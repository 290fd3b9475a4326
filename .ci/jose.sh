# Sourced by .ci/run: installs the npm "jose" package (a third-party JOSE
# implementation) into a cache outside the repository, for auth's
# TestJWKSWithNodeJose, and exports PGJWT_TEST_NODE_PREFIX and
# PGJWT_REQUIRE_JOSE=1 so that the test fails instead of skipping.
step "npm jose (third-party JWT verifier for the JWKS tests)"
josever=6.2.18
josedir=${PGJWT_CACHE:-/var/cache/pgjwt}/node
if [ "$(node -p "try{require('$josedir/node_modules/jose/package.json').version}catch(e){''}" 2>/dev/null)" != "$josever" ]; then
  npm install --silent --no-audit --no-fund --prefix "$josedir" "jose@$josever" >/dev/null
fi
export PGJWT_TEST_NODE_PREFIX=$josedir
export PGJWT_REQUIRE_JOSE=1
echo "PGJWT_TEST_NODE_PREFIX=$PGJWT_TEST_NODE_PREFIX jose $josever"
