package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/auth"
)

func runIn(t *testing.T, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		lookupEnv: func(string) (string, bool) { return "", false }, now: time.Now,
		stdinTerminal: func() bool { return false }}
	code = run(args, e)
	return code, out.String(), errOut.String()
}

// TestKeygenFiles: the private JWK is 0600 whatever the umask, loads as
// a signing key, and its kid is the JWKS's.
func TestKeygenFiles(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "k")
	code, kid, stderr := runIn(t, "keygen", "--alg", "RS256", "--out", prefix)
	require.Equal(t, 0, code, stderr)
	st, err := os.Stat(prefix + ".jwk")
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	k, err := auth.LoadSigningKey(prefix + ".jwk")
	require.NoError(t, err)
	assert.Equal(t, "RS256", k.Alg())
	assert.Equal(t, strings.TrimSpace(kid), k.Kid())
	pub, err := os.ReadFile(prefix + ".jwks.json")
	require.NoError(t, err)
	assert.Contains(t, string(pub), `"kid":"`+k.Kid()+`"`)
}

// TestVerifyJWKSURL: verify --jwks fetches an http(s) JWKS (here served by
// auth.JWKSHandler) and exits 2 when the fetch fails.
func TestVerifyJWKSURL(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "k")
	code, _, stderr := runIn(t, "keygen", "--alg", "EdDSA", "--kid", "url", "--out", prefix)
	require.Equal(t, 0, code, stderr)
	k, err := auth.LoadSigningKey(prefix + ".jwk")
	require.NoError(t, err)
	ks, err := auth.NewKeySet(k)
	require.NoError(t, err)
	srv := httptest.NewServer(auth.JWKSHandler(ks))
	t.Cleanup(srv.Close)
	code, tok, stderr := runIn(t, "sign", "--key", prefix+".jwk", "--role", "r", "--exp", "1h")
	require.Equal(t, 0, code, stderr)
	tok = strings.TrimSpace(tok)
	code, out, stderr := runIn(t, "verify", "--jwks", srv.URL+auth.JWKSPath, tok)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, `"role":"r"`)
	other, err := auth.GenerateSigningKey("EdDSA", "url")
	require.NoError(t, err)
	forged, err := other.Sign([]byte(`{"role":"admin"}`))
	require.NoError(t, err)
	code, out, _ = runIn(t, "verify", "--jwks", srv.URL+auth.JWKSPath, forged)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "PGRST301")
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	code, _, stderr = runIn(t, "verify", "--jwks", gone.URL+"/jwks.json", tok)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "WithRemoteJWKS")
}

// TestKeyFlagConflicts: --key and --jwks refuse the HMAC flags they make
// meaningless, naming the last conflicting one in flag order.
func TestKeyFlagConflicts(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "k")
	code, _, stderr := runIn(t, "keygen", "--alg", "EdDSA", "--out", prefix)
	require.Equal(t, 0, code, stderr)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sign", "--key", prefix + ".jwk", "--alg", "HS256", "--role", "r"}, "--key excludes --alg "},
		{[]string{"sign", "--key", prefix + ".jwk", "--secret-file", "x", "--encoding", "LATIN1", "--role", "r"}, "--key excludes --secret-file "},
		{[]string{"verify", "--jwks", prefix + ".jwks.json", "--alg", "HS384", "--secret-file", "x", "t.t.t"}, "--jwks excludes --secret-file"},
	} {
		code, _, stderr := runIn(t, c.args...)
		assert.Equal(t, 2, code, "%v", c.args)
		assert.Contains(t, stderr, c.want, "%v", c.args)
	}
}
