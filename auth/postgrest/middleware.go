package postgrest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pgjwt-go/pgjwt/internal/rolepath"
)

// Authenticator authenticates requests exactly as PostgREST v16.2 (and v14)
// does before it touches the database: it reads the Bearer token, verifies it
// against jwt-secret, validates exp/nbf/iat/aud with PostgREST's 30-second
// skew, finds the role with jwt-role-claim-key and falls back to
// db-anon-role. Failures are answered with PostgREST's status, JSON body and
// headers; successes reach the wrapped handler with an Identity in the
// request context.
//
// An Authenticator is safe for concurrent use. Build one with
// NewAuthenticator; a configuration PostgREST would refuse to start with is
// an error there, not at the first request.
//
// Known differences from PostgREST, all from net/http or the Go libraries:
// net/http trims trailing spaces from header values (PostgREST keeps them and
// so rejects "Bearer <jwt> ") and answers 400 itself for \v or \f in a
// header value; Go sends the standard reason phrase (PostgREST uses the
// message for RAISE 'PTnnn'); a kid with a leap second (:60) is compared as
// text (other kids that are times are compared as instants, as jose-jwt
// does); ES* signatures must have the alg's size (jose-jwt splits any
// signature in half and does not match the curve to the alg); Ed448 keys and
// RSA keys under 1024 bits are not usable in Go and never verify.
//
// Older PostgREST majors differ, and this type does not emulate them: v13
// answered a null exp/nbf/iat with "must be a number" and checked an empty
// token before a missing secret; before v13.0.7 the PGRST301 details were
// null; v12/v13 cached whole verdicts for jwt-cache-max-lifetime seconds
// instead of jwt-cache-max-entries claims; v10–v12 (hs-jose) accepted PS*,
// HS384/HS512 with a plain secret, any short secret, ignored kid, used other
// messages (e.g. "JWSError JWSInvalidSignature") and a 1 s skew (v10), and
// treated an empty bearer token as anonymous. The role-claim key syntax by
// version is described at WithJWTRoleClaimKey.
//
// The keys can change at run time (SetJWTSecret, WithRemoteJWKS): see
// keysource.go. The rest of the configuration is fixed for the
// Authenticator's life; on a PostgREST-like reload build a new one.
type Authenticator struct {
	keys      atomic.Pointer[keyState] // nil: no jwt-secret
	keyGen    atomic.Uint64            // generation of the last keyState stored
	keyMu     sync.Mutex               // serialises key changes
	keyCfg    keyConfig
	remote    *remoteJWKS
	aud       string // "": no jwt-aud
	rolePath  *rolepath.Path
	anonRole  string
	cache     *tokenCache
	now       func() time.Time
	verbosity Verbosity

	anonymous *Identity // the identity of a request without token (shared, never written); nil: no db-anon-role
	headers   headerMemo

	log          *slog.Logger // nil: no logging
	serverTiming bool
	counters     counters
}

// NewAuthenticator checks the configuration as PostgREST does at start-up.
func NewAuthenticator(opts ...Option) (*Authenticator, error) {
	cfg := config{cacheMax: 1000}
	for _, o := range opts {
		o(&cfg)
	}
	a := &Authenticator{now: cfg.now, verbosity: cfg.verbosity, log: cfg.logger, serverTiming: cfg.serverTiming,
		keyCfg: keyConfig{isBase64: cfg.secretBase64, jsonAsHMAC: cfg.jsonAsHMAC}}
	if cfg.now == nil {
		a.now = time.Now
	}
	if cfg.secret != "" {
		if cfg.remote != nil {
			return nil, errors.New("postgrest: WithJWTSecret and WithRemoteJWKS: choose one key source")
		}
		if err := a.SetJWTSecret(cfg.secret); err != nil {
			return nil, err
		}
	}
	if cfg.aud != "" {
		if strings.Contains(cfg.aud, ":") {
			if u, err := url.Parse(cfg.aud); err != nil || u.Scheme == "" {
				return nil, errors.New("jwt-aud should be a string or a valid URI")
			}
		}
		a.aud = cfg.aud
	}
	if cfg.roleKey == "" {
		cfg.roleKey = "$.role"
	}
	rp, err := rolepath.Parse(cfg.roleKey)
	if err != nil {
		return nil, err
	}
	a.rolePath = rp
	if cfg.anonRole != "" {
		a.anonRole = cfg.anonRole
		a.anonymous = &Identity{role: cfg.anonRole,
			claims: string(appendAesonObject(nil, map[string]any{}, "role", cfg.anonRole))}
	}
	a.cache = newTokenCache(cfg.cacheMax, &a.counters.cacheEvictions)
	if cfg.remote != nil {
		if err := a.startRemote(cfg.remote); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// NewMiddleware returns the net/http middleware of a new Authenticator.
func NewMiddleware(opts ...Option) (func(http.Handler) http.Handler, error) {
	a, err := NewAuthenticator(opts...)
	if err != nil {
		return nil, err
	}
	return a.Middleware, nil
}

// Middleware wraps next: failures are answered here, successes reach next
// with the Identity in the request context (see IdentityFrom). Nothing is
// read from the body and no database connection is used on failure. As in
// PostgREST, CORS preflight requests are not this middleware's business:
// put the CORS handler outside it.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var start time.Time
		if a.serverTiming {
			start = time.Now()
		}
		id, apiErr := a.authenticate(bearerToken(r.Header))
		if apiErr != nil {
			if a.log != nil {
				a.logFailure(r.Context(), apiErr)
			}
			apiErr.Respond(w, a.verbosity)
			return
		}
		if a.serverTiming {
			setServerTiming(w.Header(), time.Since(start))
		}
		// The context holds the shared Identity itself (no allocation per
		// request); its key is unexported and IdentityFrom hands out copies.
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
	})
}

// Authenticate runs PostgREST's authentication of r and returns the identity
// or the error response PostgREST would send.
func (a *Authenticator) Authenticate(r *http.Request) (Identity, *APIError) {
	return a.AuthenticateToken(bearerToken(r.Header))
}

// AuthenticateToken is Authenticate for a token already taken from the
// request; hasToken false means the request carried no Bearer token.
func (a *Authenticator) AuthenticateToken(token string, hasToken bool) (Identity, *APIError) {
	id, apiErr := a.authenticate(token, hasToken)
	if apiErr != nil {
		if a.log != nil {
			a.logFailure(context.Background(), apiErr)
		}
		return Identity{}, apiErr
	}
	return *id, nil
}

// authenticate returns the shared Identity (the anonymous one, or the cached
// token's), which nobody may write; callers outside the package get copies.
// It counts the outcome (see Stats).
func (a *Authenticator) authenticate(token string, hasToken bool) (*Identity, *APIError) {
	id, apiErr := a.authenticateUncounted(token, hasToken)
	switch {
	case apiErr != nil:
		a.counters.outcomes[outcomeOf(apiErr)].Add(1)
	case hasToken:
		a.counters.outcomes[outAccepted].Add(1)
	default:
		a.counters.outcomes[outAnonymous].Add(1)
	}
	return id, apiErr
}

func (a *Authenticator) authenticateUncounted(token string, hasToken bool) (*Identity, *APIError) {
	if !hasToken {
		if a.anonymous == nil {
			return nil, jwtTokenRequired()
		}
		return a.anonymous, nil
	}
	ks := a.keys.Load()
	if ks == nil {
		return nil, jwtSecretMissing()
	}
	// PGRST300 comes before the empty-token check since v14 (v13 gave
	// PGRST301 for "Bearer " without a secret).
	var vt *verifiedToken
	if a.cache != nil {
		vt = a.cache.get(token)
		if vt != nil && vt.gen != ks.gen {
			// Verified under keys since replaced: verify again, so that a
			// removed key's token is refused at once.
			vt = nil
		}
		if vt != nil {
			a.counters.cacheHits.Add(1)
		} else {
			a.counters.cacheMisses.Add(1)
		}
	}
	if vt == nil {
		var apiErr *APIError
		vt, apiErr = a.verify(token, ks)
		if apiErr != nil {
			return nil, apiErr.clone()
		}
		if a.cache != nil {
			a.cache.put(token, vt)
		}
	}
	now := a.now().Unix() // floored to whole seconds, as PostgREST's clock
	if err := vt.check(now); err != nil {
		if err == errExpired && a.cache != nil && a.cache.remove(token) {
			a.counters.cacheExpired.Add(1) // can never be valid again
		}
		return nil, err.clone()
	}
	return vt.id, nil
}

// bearerToken extracts the token as wai-extra's extractBearerAuth does: the
// first Authorization header, split at the first whitespace byte; a scheme
// other than "bearer" (ASCII case-insensitive) means no token; the token is
// the rest without leading whitespace (possibly "").
func bearerToken(h http.Header) (string, bool) {
	vals := h["Authorization"]
	if len(vals) == 0 {
		return "", false
	}
	v := vals[0]
	i := 0
	for i < len(v) && !isHeaderSpace(v[i]) {
		i++
	}
	if !asciiEqualFold(v[:i], "bearer") {
		return "", false
	}
	for i < len(v) && isHeaderSpace(v[i]) {
		i++
	}
	return v[i:], true
}

// isHeaderSpace is Data.ByteString.Char8.isSpace: ASCII whitespace and the
// Latin-1 no-break space 0xA0.
func isHeaderSpace(c byte) bool {
	return c == ' ' || c >= '\t' && c <= '\r' || c == 0xa0
}

func asciiEqualFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// verifiedToken is what a token whose signature verified yields; it depends
// only on the token and the configuration, so it can be cached. The time
// claims are checked per request by check.
type verifiedToken struct {
	exp, nbf, iat timeClaim
	staticErr     *APIError // aud or role failure, reported after the time claims
	id            *Identity // shared by every request with this token: never written
	gen           uint64    // the keyState generation it verified under
}

// The skew PostgREST allows on exp, nbf and iat (v11.0.1+; v10 used 1 s).
const clockSkew = 30

var (
	errExpired     = jwtClaimsError("JWT expired")
	errNotYetValid = jwtClaimsError("JWT not yet valid")
	errIssuedAt    = jwtClaimsError("JWT issued at future")
	errExpType     = jwtClaimsError("The JWT 'exp' claim must be a number")
	errNbfType     = jwtClaimsError("The JWT 'nbf' claim must be a number")
	errIatType     = jwtClaimsError("The JWT 'iat' claim must be a number")
	errAudType     = jwtClaimsError("The JWT 'aud' claim must be a string or an array of strings")
	errAudience    = jwtClaimsError("JWT not in audience")
	errParseClaims = jwtClaimsError("Parsing claims failed")
)

// check applies PostgREST's claim order: exp, nbf, iat (each: type, then
// value), then aud, then the role.
func (vt *verifiedToken) check(now int64) *APIError {
	switch {
	case vt.exp.invalid:
		return errExpType
	case vt.exp.present && now-clockSkew > vt.exp.value:
		return errExpired
	case vt.nbf.invalid:
		return errNbfType
	case vt.nbf.present && now+clockSkew < vt.nbf.value:
		return errNotYetValid
	case vt.iat.invalid:
		return errIatType
	case vt.iat.present && now+clockSkew < vt.iat.value:
		return errIssuedAt
	}
	return vt.staticErr
}

// Messages and details of PGRST301 (jose-jwt's errors as PostgREST words them).
var (
	detailNoKey        = "No suitable key was found to decode the JWT"
	detailBadSignature = "None of the keys was able to decode the JWT"
	detailUnsecured    = "JWT is unsecured but expected 'alg' was not 'none'"
	errEmptyToken      = jwtDecodeError("Empty JWT is sent in Authorization header", nil)
	errBadCrypto       = jwtDecodeError("JWT cryptographic operation failed", nil)
	errUnsecured       = jwtDecodeError("Wrong or unsupported encoding algorithm", &detailUnsecured)
	errNoKey           = jwtDecodeError("No suitable key or wrong key type", &detailNoKey)
	errBadSignature    = jwtDecodeError("No suitable key or wrong key type", &detailBadSignature)
)

var signingMethods = map[string]jwt.SigningMethod{
	"HS256": jwt.SigningMethodHS256, "HS384": jwt.SigningMethodHS384, "HS512": jwt.SigningMethodHS512,
	"RS256": jwt.SigningMethodRS256, "RS384": jwt.SigningMethodRS384, "RS512": jwt.SigningMethodRS512,
	"ES256": jwt.SigningMethodES256, "ES384": jwt.SigningMethodES384, "ES512": jwt.SigningMethodES512,
	"EdDSA": jwt.SigningMethodEdDSA,
}

// verify runs the steps PostgREST's JWT cache wraps: structure, header,
// key choice, signature, payload object; then derives everything that does
// not depend on the clock.
func (a *Authenticator) verify(token string, ks *keyState) (*verifiedToken, *APIError) {
	if token == "" {
		return nil, errEmptyToken
	}
	d1 := strings.IndexByte(token, '.')
	d2 := -1
	if d1 >= 0 {
		if i := strings.IndexByte(token[d1+1:], '.'); i >= 0 {
			d2 = d1 + 1 + i
		}
	}
	if d2 < 0 || strings.IndexByte(token[d2+1:], '.') >= 0 {
		n := strings.Count(token, ".") + 1
		return nil, jwtDecodeError("Expected 3 parts in JWT; got "+strconv.Itoa(n), nil)
	}
	hdr, known, ok := a.headers.parse(token[:d1])
	if !ok {
		return nil, errBadCrypto
	}
	// Payload and signature are decoded before a key is chosen (jose-jwt's
	// order); a small payload is decoded on the stack.
	var payloadBuf [1024]byte
	payload, ok := decodeSegmentInto(payloadBuf[:0], token[d1+1:d2])
	if !ok {
		return nil, errBadCrypto
	}
	if hdr.unsecured {
		return nil, errUnsecured
	}
	var sigBuf [512]byte // an RSA-4096 signature; HMACs are at most 64 bytes
	sig, ok := decodeSegmentInto(sigBuf[:0], token[d2+1:])
	if !ok {
		return nil, errBadCrypto
	}
	var buf [4]*verificationKey
	cands := candidates(ks.keys, hdr.alg, hdr.kid, hdr.hasKid, buf[:0])
	if len(cands) == 0 && hdr.hasKid && a.remote != nil {
		// An unknown kid may be a key the provider just published.
		if fresh := a.remote.refreshForKid(a); fresh != nil {
			ks = fresh
			cands = candidates(ks.keys, hdr.alg, hdr.kid, hdr.hasKid, buf[:0])
		}
	}
	if len(cands) == 0 {
		return nil, errNoKey
	}
	if !verifySignature(hdr.alg, token[:d2], sig, cands) {
		return nil, errBadSignature
	}
	if !known {
		a.headers.learn(token[:d1], hdr)
	}
	claims, ok := decodeClaims(payload)
	if !ok {
		return nil, errParseClaims
	}
	vt := a.derive(claims)
	vt.gen = ks.gen
	return vt, nil
}

// verifySignature reports whether one of cands verifies sig over input
// for alg. HMAC keys use their HMACs keyed in advance; the others
// golang-jwt's methods.
func verifySignature(alg, input string, sig []byte, cands []*verificationKey) bool {
	if signingAlgs[alg] == ktyOct {
		for _, k := range cands {
			if k.macs != nil {
				if m := k.macs.forAlg(alg); m != nil && m.EqualString(input, sig) {
					return true
				}
			}
		}
		return false
	}
	// An argument of an interface call escapes: this copy goes to the heap
	// instead of the caller's stack buffer.
	heapSig := slices.Clone(sig)
	method := signingMethods[alg]
	for _, k := range cands {
		if method.Verify(input, heapSig, *k.key) == nil {
			return true
		}
	}
	return false
}

// derive computes the clock-independent results for verified claims.
func (a *Authenticator) derive(claims map[string]any) *verifiedToken {
	vt := &verifiedToken{
		exp: parseTimeClaim(claims, "exp"),
		nbf: parseTimeClaim(claims, "nbf"),
		iat: parseTimeClaim(claims, "iat"),
	}
	aud := parseAud(claims)
	switch {
	case aud.invalid:
		vt.staticErr = errAudType
		return vt
	case a.aud != "" && !aud.inAudience(a.aud):
		vt.staticErr = errAudience
		return vt
	}
	var role string
	if v, found := a.rolePath.First(claims); found {
		if s, isString := v.(string); isString {
			role = s
		} else {
			// A non-string role becomes its JSON text (PostgreSQL then
			// refuses it as an unknown role), as in PostgREST.
			role = string(appendAeson(nil, v))
		}
	} else if a.anonymous != nil {
		role = a.anonRole
	} else {
		vt.staticErr = jwtTokenRequired()
		return vt
	}
	vt.id = &Identity{
		role:          role,
		claims:        string(appendAesonObject(make([]byte, 0, 128), claims, "role", role)),
		authenticated: a.anonymous == nil || role != a.anonRole,
	}
	return vt
}

// jwsHeader is the part of a JOSE header PostgREST's library acts on.
type jwsHeader struct {
	alg       string
	kid       string
	hasKid    bool
	unsecured bool // "alg":"none"
}

// parseHeader decodes and checks the first segment: base64url without
// padding, a JSON object; "enc" makes it a JWE header (refused); "alg" must be
// one of the supported algorithms or exactly "none"; kid, typ and cty must be
// strings when present and not null. Other members are ignored.
func parseHeader(seg string) (jwsHeader, bool) {
	raw, ok := decodeSegment(seg)
	if !ok {
		return jwsHeader{}, false
	}
	v, ok := parseJSON(raw)
	m, isObject := v.(map[string]any)
	if !ok || !isObject {
		return jwsHeader{}, false
	}
	if _, jwe := m["enc"]; jwe {
		return jwsHeader{}, false
	}
	var h jwsHeader
	if h.alg, ok = m["alg"].(string); !ok {
		return jwsHeader{}, false
	}
	if h.alg == "none" {
		return jwsHeader{unsecured: true}, true
	}
	if _, known := signingMethods[h.alg]; !known {
		return jwsHeader{}, false // PS*, "NONE", typos: not a JWS header
	}
	for _, name := range [...]string{"kid", "typ", "cty"} {
		v, present := m[name]
		if !present || v == nil {
			continue
		}
		s, isString := v.(string)
		if !isString {
			return jwsHeader{}, false
		}
		if name == "kid" {
			h.kid, h.hasKid = s, true
		}
	}
	return h, true
}

// decodeSegment decodes base64url without padding. Like jose-jwt's decoder
// it ignores non-zero unused trailing bits; unlike Go's it refuses '\r' and
// '\n', which are not base64url characters.
func decodeSegment(seg string) ([]byte, bool) {
	return decodeSegmentInto(nil, seg)
}

// decodeSegmentInto is decodeSegment appending to dst (reusing its capacity).
func decodeSegmentInto(dst []byte, seg string) ([]byte, bool) {
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, false
		}
	}
	n := base64.RawURLEncoding.DecodedLen(len(seg))
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	m, err := base64.RawURLEncoding.Decode(dst, []byte(seg))
	return dst[:m], err == nil
}

// headerMemo remembers parsed JOSE headers by their encoded text. Almost all
// tokens of a deployment share one header, so this saves a base64 decode and
// a JSON parse per uncached token; parsing is deterministic, so it changes no
// answer. It learns a header only from a token whose signature verified
// (so that a stream of forged headers cannot fill it), holds at most
// maxHeaderMemo headers and stops learning then.
type headerMemo struct {
	mu sync.RWMutex
	m  map[string]jwsHeader
}

const maxHeaderMemo = 64

// parse returns the header seg encodes; known reports it came from the
// memo.
func (hm *headerMemo) parse(seg string) (h jwsHeader, known, ok bool) {
	hm.mu.RLock()
	h, known = hm.m[seg]
	hm.mu.RUnlock()
	if known {
		return h, true, true
	}
	h, ok = parseHeader(seg)
	return h, false, ok
}

// learn remembers h, parsed from seg, while there is room.
func (hm *headerMemo) learn(seg string, h jwsHeader) {
	if len(seg) > 512 {
		return
	}
	hm.mu.Lock()
	if hm.m == nil {
		hm.m = make(map[string]jwsHeader, maxHeaderMemo)
	}
	if len(hm.m) < maxHeaderMemo {
		hm.m[strings.Clone(seg)] = h
	}
	hm.mu.Unlock()
}

// String describes the configuration (never the secret), for logs.
func (a *Authenticator) String() string {
	return fmt.Sprintf("postgrest.Authenticator{keys: %s, jwt-aud: %q, jwt-role-claim-key: %q, db-anon-role: %q, cache: %v}",
		a.keyList(), a.aud, a.roleClaimKey(), a.anonRole, a.cache != nil)
}
