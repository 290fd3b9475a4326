package auth

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJWKSHandler: the served document has every public key with kid, alg
// and use, no private or HMAC member, caching headers, follows rotations,
// and works verbatim as PostgREST's jwt-secret.
func TestJWKSHandler(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	hk, err := NewHMACSigningKey(testSecret, "HS256")
	require.NoError(t, err)
	ks, err := NewKeySet(testKeys()["ES256"], testKeys()["RS256"], hk)
	require.NoError(t, err)
	srv := httptest.NewServer(JWKSHandler(ks))
	t.Cleanup(srv.Close)
	get := func(t *testing.T, hdr ...string) (*http.Response, string) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+JWKSPath, nil)
		require.NoError(t, err)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}
	resp, body := get(t)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "public, max-age=300", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var doc struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	require.Len(t, doc.Keys, 2, "the HMAC key is not published")
	for i, want := range []string{"ES256", "RS256"} {
		k := doc.Keys[i]
		assert.Equal(t, want, k["alg"])
		assert.Equal(t, "kid-"+want, k["kid"])
		assert.Equal(t, "sig", k["use"])
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			assert.NotContains(t, k, private)
		}
	}
	svc := keyService(t, ks, func() time.Time { return now })
	tok, err := svc.Login(testCtx(t), "k@example.com", "pw")
	require.NoError(t, err)
	role, apiErr := pgrstVerify(t, body, tok, now)
	require.Nil(t, apiErr)
	assert.Equal(t, "web_user", role)

	resp2, _ := get(t, "If-None-Match", resp.Header.Get("ETag"))
	assert.Equal(t, http.StatusNotModified, resp2.StatusCode)

	// Pre-publish, then rotate: the document changes at once.
	next := testKeys()["EdDSA"]
	require.NoError(t, ks.Add(next))
	_, body = get(t)
	assert.Contains(t, body, `"kid-EdDSA"`)
	require.NoError(t, ks.Rotate(next))
	resp3, body := get(t, "If-None-Match", resp.Header.Get("ETag"))
	assert.Equal(t, http.StatusOK, resp3.StatusCode)
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	require.Len(t, doc.Keys, 3)
	assert.Equal(t, "kid-EdDSA", doc.Keys[0]["kid"])
	tok2, err := svc.Login(testCtx(t), "k@example.com", "pw")
	require.NoError(t, err)
	assert.Contains(t, kidOf(t, tok2), "kid-EdDSA")
	for _, tk := range []string{tok, tok2} {
		_, apiErr = pgrstVerify(t, body, tk, now)
		require.Nil(t, apiErr)
	}

	req, _ := http.NewRequest(http.MethodPost, srv.URL+JWKSPath, nil)
	r, err := srv.Client().Do(req)
	require.NoError(t, err)
	r.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, r.StatusCode)
	assert.Equal(t, "GET, HEAD", r.Header.Get("Allow"))

	noCache := httptest.NewRecorder()
	JWKSHandler(ks, WithJWKSMaxAge(0)).ServeHTTP(noCache, httptest.NewRequest(http.MethodGet, JWKSPath, nil))
	assert.Equal(t, "no-cache", noCache.Header().Get("Cache-Control"))
}

// joseScript verifies a token with the npm jose package against a JWKS,
// printing the role claim; it fails (exit 1) when jose refuses the token.
const joseScript = `
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";
const [prefix, jwksFile, tokensFile, now] = process.argv.slice(2);
const jose = await import(pathToFileURL(createRequire(prefix + "/x.js").resolve("jose")));
const jwks = jose.createLocalJWKSet(JSON.parse(readFileSync(jwksFile, "utf8")));
for (const token of readFileSync(tokensFile, "utf8").trim().split("\n")) {
  try {
    const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, { currentDate: new Date(Number(now) * 1000) });
    console.log(protectedHeader.alg, protectedHeader.kid, payload.role);
  } catch (e) {
    console.log("refused", e.code);
  }
}
`

// TestJWKSWithNodeJose checks the served JWKS and the Go-minted tokens with
// a third-party JOSE implementation, the npm jose package. It needs node
// and jose installed under PGJWT_TEST_NODE_PREFIX (default
// /var/cache/pgjwt/node; .ci/jose.sh installs it and sets
// PGJWT_REQUIRE_JOSE=1, which turns the skip into a failure).
func TestJWKSWithNodeJose(t *testing.T) {
	prefix := os.Getenv("PGJWT_TEST_NODE_PREFIX")
	if prefix == "" {
		prefix = "/var/cache/pgjwt/node"
	}
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(prefix, "node_modules", "jose", "package.json"))
	}
	if err != nil {
		if os.Getenv("PGJWT_REQUIRE_JOSE") == "1" {
			t.Fatalf("PGJWT_REQUIRE_JOSE=1 but node or jose is missing: %v", err)
		}
		t.Skipf("node with the npm jose package under %s not available (npm install --prefix %s jose): %v", prefix, prefix, err)
	}
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	ks, err := NewKeySet(testKeys()["ES256"], testKeys()["ES384"], testKeys()["EdDSA"], testKeys()["RS256"])
	require.NoError(t, err)
	svc := keyService(t, ks, func() time.Time { return now })
	var tokens []string
	for _, alg := range asymAlgs {
		require.NoError(t, ks.Rotate(testKeys()[alg]))
		tok, err := svc.Login(testCtx(t), "k@example.com", "pw")
		require.NoError(t, err)
		tokens = append(tokens, tok)
	}
	// One token signed by a key outside the set, one with a broken signature.
	other, err := GenerateSigningKey("ES256", "kid-ES256")
	require.NoError(t, err)
	forged, err := other.Sign([]byte(`{"role":"admin"}`))
	require.NoError(t, err)
	tokens = append(tokens, forged, tokens[0][:len(tokens[0])-4]+"AAAA")

	rec := httptest.NewRecorder()
	JWKSHandler(ks).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, JWKSPath, nil))
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	script := write("verify.mjs", joseScript)
	cmd := exec.CommandContext(t.Context(), node, script, prefix, write("jwks.json", rec.Body.String()),
		write("tokens", strings.Join(tokens, "\n")), "1893553445")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, strings.Join([]string{
		"ES256 kid-ES256 web_user",
		"ES384 kid-ES384 web_user",
		"EdDSA kid-EdDSA web_user",
		"RS256 kid-RS256 web_user",
		"refused ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
		"refused ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
	}, "\n")+"\n", string(out))
}
