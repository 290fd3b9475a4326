package auth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// keyType is a JWK "kty" the middleware can verify with.
type keyType int

const (
	ktyUnsupported keyType = iota // a key jose-jwt keeps but that never matches
	ktyOct
	ktyRSA
	ktyEC
	ktyOKP
)

// verificationKey is one configured key, as PostgREST's key set holds it.
type verificationKey struct {
	kty    keyType
	kid    string
	hasKid bool
	alg    string // "" when the JWK has no "alg"; HS256 for a plain secret
	useEnc bool   // "use":"enc" keys never verify signatures
	key    any    // []byte, *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

// parseJWTSecret turns the jwt-secret setting into keys the way PostgREST
// v13+ does (Config.hs): "@path" reads a file minus one trailing newline;
// jwt-secret-is-base64 decodes strict padded base64 after URL-alphabet
// substitution; the bytes are then tried as a JWKS, as one JWK, and finally as
// a plain HMAC secret of at least 32 bytes, pinned to HS256.
func parseJWTSecret(secret string, isBase64 bool) ([]verificationKey, error) {
	raw := []byte(secret)
	if strings.HasPrefix(secret, "@") {
		b, err := os.ReadFile(secret[1:])
		if err != nil {
			return nil, fmt.Errorf("jwt-secret: %w", err)
		}
		// Only one "\n" goes, as in PostgREST; "\r\n" keeps its "\r".
		raw = bytes.TrimSuffix(b, []byte("\n"))
	}
	if isBase64 {
		dec, err := decodeSecretBase64(raw)
		if err != nil {
			return nil, err
		}
		raw = dec
	}
	if keys, ok := parseJWKS(raw); ok {
		return keys, nil
	}
	if k, ok := parseJWK(raw); ok {
		return []verificationKey{k}, nil
	}
	if len(raw) < 32 {
		// PostgREST's start-up refusal; it counts bytes too.
		return nil, fmt.Errorf("jwt-secret: %w (got %d)", ErrShortSecret, len(raw))
	}
	return []verificationKey{{kty: ktyOct, alg: "HS256", key: raw}}, nil
}

// decodeSecretBase64 decodes jwt-secret when jwt-secret-is-base64 is on:
// surrounding whitespace trimmed, '-', '_', '.' read as '+', '/', '=', then
// strict padded RFC 4648 base64 with no embedded line breaks (Go's decoder
// would skip them; base64-bytestring refuses them).
func decodeSecretBase64(raw []byte) ([]byte, error) {
	s := strings.TrimSpace(string(raw))
	s = strings.NewReplacer("-", "+", "_", "/", ".", "=").Replace(s)
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("jwt-secret: invalid base64: embedded line break")
	}
	dec, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("jwt-secret: invalid base64: %w", err)
	}
	return dec, nil
}

// parseJWKS reads {"keys":[...]}; one malformed key of a known type makes the
// whole set invalid (and the text then falls through to a plain secret, as in
// PostgREST).
func parseJWKS(raw []byte) ([]verificationKey, bool) {
	// A map, not a struct: encoding/json would also take "KEYS" for "keys".
	var obj map[string]json.RawMessage
	var set []json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || json.Unmarshal(obj["keys"], &set) != nil || set == nil {
		return nil, false
	}
	keys := make([]verificationKey, 0, len(set))
	for _, r := range set {
		k, ok := parseJWK(r)
		if !ok {
			return nil, false
		}
		keys = append(keys, k)
	}
	return keys, true
}

// signingAlgs are the JWS algorithms PostgREST v13+ (jose-jwt) verifies.
var signingAlgs = map[string]keyType{
	"HS256": ktyOct, "HS384": ktyOct, "HS512": ktyOct,
	"RS256": ktyRSA, "RS384": ktyRSA, "RS512": ktyRSA,
	"ES256": ktyEC, "ES384": ktyEC, "ES512": ktyEC,
	"EdDSA": ktyOKP,
}

// parseJWK reads one JWK through go-jose. Members jose-jwt ignores (key_ops
// and the x5* certificate members) are removed first so they cannot make
// go-jose refuse a key PostgREST accepts; private members are removed
// because verification needs only the public half. A JWK whose kty or curve
// is unknown is kept as a key that never matches, as jose-jwt does.
func parseJWK(raw []byte) (verificationKey, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return verificationKey{}, false
	}
	var kty string
	if json.Unmarshal(m["kty"], &kty) != nil {
		return verificationKey{}, false
	}
	for _, member := range []string{"key_ops", "x5c", "x5u", "x5t", "x5t#S256", "d", "p", "q", "dp", "dq", "qi", "oth"} {
		delete(m, member)
	}
	var k verificationKey
	if kid, ok := m["kid"]; ok {
		if json.Unmarshal(kid, &k.kid) != nil {
			return verificationKey{}, false
		}
		k.hasKid = true
	}
	if alg, ok := m["alg"]; ok && json.Unmarshal(alg, &k.alg) != nil {
		return verificationKey{}, false
	}
	if use, ok := m["use"]; ok {
		var u string
		if json.Unmarshal(use, &u) != nil {
			return verificationKey{}, false
		}
		k.useEnc = u == "enc"
	}
	switch kty {
	case "oct", "RSA", "EC", "OKP":
	default:
		return k, true // unsupported kty: kept, never matches
	}
	clean, err := json.Marshal(m)
	if err != nil {
		return verificationKey{}, false
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(clean); err != nil {
		if errors.Is(err, jose.ErrUnsupportedKeyType) {
			return k, true // e.g. an Ed448 or secp256k1 key
		}
		return verificationKey{}, false
	}
	switch key := jwk.Key.(type) {
	case []byte:
		k.kty, k.key = ktyOct, key
	case *rsa.PublicKey:
		k.kty, k.key = ktyRSA, key
	case *ecdsa.PublicKey:
		k.kty, k.key = ktyEC, key
	case ed25519.PublicKey:
		k.kty, k.key = ktyOKP, key
	default:
		k.kty = ktyUnsupported
	}
	return k, true
}

// candidates returns the keys PostgREST would try for a token with this alg
// and kid, in configuration order: not "use":"enc"; when the token names a
// kid, only keys with that same kid; a key's own alg must equal the token's;
// the key type must fit the alg family.
func candidates(keys []verificationKey, alg string, kid string, hasKid bool, buf []*verificationKey) []*verificationKey {
	want := signingAlgs[alg]
	for i := range keys {
		k := &keys[i]
		if k.useEnc || k.kty == ktyUnsupported || k.kty != want {
			continue
		}
		// Bug-compatible with jose-jwt (PostgREST v13+): a token kid matches
		// only a key with an equal kid; a key without kid does not match.
		if hasKid && (!k.hasKid || !kidsEqual(k.kid, kid)) {
			continue
		}
		if k.alg != "" && k.alg != alg {
			continue
		}
		buf = append(buf, k)
	}
	return buf
}

// kidsEqual compares kids as jose-jwt does: a kid that parses as an aeson
// UTCTime is an instant, compared with other instants only
// ("2024-01-01T01:00:00+01:00" equals "2024-01-01 00:00:00Z"); any other kid
// is text, compared exactly.
func kidsEqual(a, b string) bool {
	if a == b {
		return true
	}
	ta, aTime := kidInstant(a)
	tb, bTime := kidInstant(b)
	return aTime && bTime && ta.Equal(tb)
}

// kidInstant parses aeson's UTCTime syntax: YYYY-MM-DD, 'T' or ' ', HH:MM,
// optional :SS with an optional fraction, optional zone Z, ±HH:MM, ±HHMM or
// ±HH (none means UTC). A leap second (:60) is not an instant here, so such a
// kid stays text (a difference from jose-jwt, which would accept it).
func kidInstant(s string) (time.Time, bool) {
	p := 0
	num := func(min, max int) (int, bool) { // a run of min..max digits
		start := p
		for p < len(s) && p-start < max && s[p] >= '0' && s[p] <= '9' {
			p++
		}
		if p-start < min {
			return 0, false
		}
		n, err := strconv.Atoi(s[start:p])
		return n, err == nil
	}
	lit := func(set string) bool {
		if p < len(s) && strings.IndexByte(set, s[p]) >= 0 {
			p++
			return true
		}
		return false
	}
	fail := func() (time.Time, bool) { return time.Time{}, false }
	year, ok := num(4, 9)
	if !ok || !lit("-") {
		return fail()
	}
	month, ok := num(2, 2)
	if !ok || !lit("-") {
		return fail()
	}
	day, ok := num(2, 2)
	if !ok || !lit("T ") {
		return fail()
	}
	hour, ok := num(2, 2)
	if !ok || !lit(":") {
		return fail()
	}
	minute, ok := num(2, 2)
	if !ok {
		return fail()
	}
	sec, nsec := 0, 0
	if lit(":") {
		if sec, ok = num(2, 2); !ok {
			return fail()
		}
		if lit(".") {
			start := p
			frac, ok := num(1, 1<<30)
			if !ok {
				return fail()
			}
			digits := p - start
			// Keep nanoseconds; aeson keeps picoseconds, which no kid needs.
			for ; digits > 9; digits-- {
				frac /= 10
			}
			for ; digits < 9; digits++ {
				frac *= 10
			}
			nsec = frac
		}
	}
	offset := 0
	switch {
	case lit("Z"):
	case p < len(s) && (s[p] == '+' || s[p] == '-'):
		sign := 1
		if s[p] == '-' {
			sign = -1
		}
		p++
		oh, ok := num(2, 2)
		if !ok {
			return fail()
		}
		om := 0
		if lit(":") {
			if om, ok = num(2, 2); !ok {
				return fail()
			}
		} else if p < len(s) {
			if om, ok = num(2, 2); !ok {
				return fail()
			}
		}
		offset = sign * (oh*3600 + om*60)
	}
	if p != len(s) || month < 1 || month > 12 || hour > 23 || minute > 59 || sec > 59 {
		return fail()
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 2024-02-30 does not exist
		return fail()
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}
