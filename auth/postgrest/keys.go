package postgrest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/pgjwt-go/pgjwt/internal/keyedhmac"
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
	useEnc bool   // "use":"enc" keys never verify signatures (not set for OKP keys)
	// key is []byte, *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey,
	// nil for an unsupported key. It sits behind a pointer so that fmt,
	// should it reach a key set by reflection (an unexported field of a
	// struct it prints), shows an address, never HMAC key bytes.
	key *any
	// macs are an oct key's HMACs, keyed once when the key is read (for
	// its alg, or all three without one), so that a token costs no keying:
	// two hash blocks, about as much as the HMAC of a typical token.
	macs *hmacKeys
}

// hmacKeys holds an oct key's keyed HMAC per algorithm (nil where the key's
// alg excludes it).
type hmacKeys struct{ hs256, hs384, hs512 *keyedhmac.MAC }

// withHMACs keys k's HMACs once; k must be an oct key with its bytes set.
func withHMACs(k verificationKey) verificationKey {
	raw := (*k.key).([]byte)
	m := &hmacKeys{}
	for _, a := range []struct {
		alg     string
		newHash func() hash.Hash
		dst     **keyedhmac.MAC
	}{{"HS256", sha256.New, &m.hs256}, {"HS384", sha512.New384, &m.hs384}, {"HS512", sha512.New, &m.hs512}} {
		if k.alg == "" || k.alg == a.alg {
			*a.dst = keyedhmac.New(a.newHash, raw)
		}
	}
	k.macs = m
	return k
}

// forAlg is the keyed HMAC of a JWS "HS…" algorithm, or nil.
func (m *hmacKeys) forAlg(alg string) *keyedhmac.MAC {
	switch alg {
	case "HS256":
		return m.hs256
	case "HS384":
		return m.hs384
	case "HS512":
		return m.hs512
	}
	return nil
}

// minHMACKey is PostgREST's minimum for a plain secret, in bytes; this
// package asks it of oct JWKs too (unless WithUnsafeJSONSecretAsHMAC).
const minHMACKey = 32

// boxKey puts key behind the pointer verificationKey.key holds.
func boxKey(key any) *any { return &key }

// parseJWTSecret turns the jwt-secret setting into keys the way PostgREST
// v13+ does (Config.hs): "@path" reads a file minus one trailing newline;
// jwt-secret-is-base64 decodes strict padded base64 after URL-alphabet
// substitution; the bytes are then tried as a JWKS, as one JWK, and finally as
// a plain HMAC secret of at least 32 bytes, pinned to HS256.
//
// Unlike PostgREST, text that looks like JSON (see LooksLikeJWK) never
// becomes a plain secret: it must be a JWK or a non-empty JWKS, else
// ErrInvalidJWK. PostgREST's fallback would make a broken JWKS, a public
// document, the HMAC key, so anyone could sign tokens with it. jsonAsHMAC
// restores the fallback (and accepts an empty JWKS). Valid keys that can
// never verify (unsupported types or curves, "use":"enc", a foreign alg) are
// kept as PostgREST keeps them: RFC 7517 asks to ignore such keys, and they
// fail closed.
func parseJWTSecret(secret string, isBase64, jsonAsHMAC bool) ([]verificationKey, error) {
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
	keys, err := parseJSONSecret(raw, !jsonAsHMAC)
	switch {
	case err == nil && (len(keys) > 0 || jsonAsHMAC):
		return keys, nil
	case err == nil:
		// {"keys":[]}: most likely a JWKS fetch that went wrong. PostgREST
		// starts with it and refuses every token.
		return nil, fmt.Errorf("jwt-secret: %w: the JWKS has no keys", ErrInvalidJWK)
	case !jsonAsHMAC && LooksLikeJWK(raw):
		return nil, fmt.Errorf("jwt-secret: %w: %v", ErrInvalidJWK, err)
	}
	if len(raw) < minHMACKey {
		// PostgREST's start-up refusal; it counts bytes too.
		return nil, fmt.Errorf("jwt-secret: %w (got %d)", ErrShortSecret, len(raw))
	}
	return []verificationKey{withHMACs(verificationKey{kty: ktyOct, alg: "HS256", key: boxKey(raw)})}, nil
}

// LooksLikeJWK reports whether WithJWTSecret reads secret (its text, or
// the bytes jwt-secret-is-base64 decodes it to) as a JWK or JWKS, never as
// an HMAC secret: valid UTF-8 whose first non-blank character opens a JSON
// object or array. No sensible plain secret starts so (random ones are
// base64 or hex), while a JWK or JWKS always does; a base64-decoded binary
// secret that happens to start with '{' is rarely UTF-8, so it still counts
// as a plain secret. Tools that key an HMAC with such text (pgjwt itself
// does) can use it to warn.
func LooksLikeJWK[T ~string | ~[]byte](secret T) bool {
	t := bytes.TrimLeft([]byte(secret), " \t\r\n\v\f")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') && utf8.Valid([]byte(secret))
}

// parseJSONSecret reads raw as PostgREST does: first as a JWKS, then as one
// JWK. Its errors say what is wrong without quoting any key material. strict
// also refuses curve names no registry knows (see checkCurve).
func parseJSONSecret(raw []byte, strict bool) ([]verificationKey, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			// The offending character is left out: it is part of a secret.
			return nil, fmt.Errorf("not valid JSON (syntax error at byte %d)", syn.Offset)
		}
		if bytes.HasPrefix(bytes.TrimLeft(raw, " \t\r\n"), []byte("[")) {
			return nil, errors.New(`a JSON array, not a JWKS (write {"keys":[…]})`)
		}
		return nil, errors.New("not a JSON object")
	}
	if obj == nil {
		return nil, errors.New("not a JSON object")
	}
	set, isSet := obj["keys"]
	var setErr error
	if isSet {
		keys, err := parseJWKS(set, strict)
		if err == nil {
			return keys, nil
		}
		setErr = err
	}
	k, err := parseJWK(obj, strict)
	switch {
	case err == nil:
		return []verificationKey{k}, nil
	case isSet:
		return nil, setErr
	case obj["kty"] == nil:
		return nil, errors.New(`neither a JWKS (no member "keys") nor a JWK (no member "kty"); member names are case-sensitive`)
	}
	return nil, err
}

// parseJWKS reads the "keys" member of a JWKS; one malformed key of a known
// type makes the whole set invalid, as in PostgREST.
func parseJWKS(set json.RawMessage, strict bool) ([]verificationKey, error) {
	var list []json.RawMessage
	if json.Unmarshal(set, &list) != nil || list == nil {
		return nil, errors.New(`member "keys" is not an array`)
	}
	keys := make([]verificationKey, 0, len(list))
	for i, r := range list {
		var m map[string]json.RawMessage
		if json.Unmarshal(r, &m) != nil || m == nil {
			return nil, fmt.Errorf("keys[%d]: not a JSON object", i)
		}
		k, err := parseJWK(m, strict)
		if err != nil {
			kid, hasKid, _ := stringMember(m, "kid")
			return nil, fmt.Errorf("%s: %w", keyLabel(i, kid, hasKid), err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// keyLabel names a key of a set in messages: its index and kid (a kid is
// public).
func keyLabel(i int, kid string, hasKid bool) string {
	if hasKid {
		return fmt.Sprintf("keys[%d] (kid %q)", i, kid)
	}
	return fmt.Sprintf("keys[%d]", i)
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
// is unknown is kept as a key that never matches, as jose-jwt does. strict
// also refuses a curve that is not even a registered name (a typo such as
// "P256") and empty key members. m is not modified.
func parseJWK(m map[string]json.RawMessage, strict bool) (verificationKey, error) {
	var k verificationKey
	kty, present, ok := stringMember(m, "kty")
	switch {
	case !present:
		return k, errors.New(`missing member "kty"`)
	case !ok:
		return k, errors.New(`member "kty" is not a string`)
	}
	m = maps.Clone(m)
	for _, member := range []string{"key_ops", "x5c", "x5u", "x5t", "x5t#S256", "d", "p", "q", "dp", "dq", "qi", "oth"} {
		delete(m, member)
	}
	var use string
	for _, f := range []struct {
		name string
		dst  *string
		has  *bool
	}{{"kid", &k.kid, &k.hasKid}, {"alg", &k.alg, nil}, {"use", &use, nil}} {
		v, present, ok := stringMember(m, f.name)
		if present && !ok {
			return verificationKey{}, fmt.Errorf("member %q is not a string", f.name)
		}
		*f.dst = v
		if f.has != nil {
			*f.has = present
		}
	}
	// jose-jwt keeps no "use" for OKP keys (its Ed25519/Ed448 keys are
	// always signing keys), so PostgREST verifies with an OKP key marked
	// "use":"enc"; only other key types are set aside.
	k.useEnc = use == "enc" && kty != "OKP"
	switch kty {
	case "oct", "RSA", "EC", "OKP":
	default:
		return k, nil // unsupported kty: kept, never matches
	}
	if strict {
		// go-jose reads "" as no bytes: an oct key with "k":"" would be an
		// empty HMAC key, which anyone can sign with.
		for _, name := range jwkMembers[kty] {
			if string(m[name]) == `""` {
				return verificationKey{}, fmt.Errorf("%s key: member %q is empty", kty, name)
			}
		}
	}
	clean, err := json.Marshal(m)
	if err != nil {
		return verificationKey{}, err
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(clean); err != nil {
		if errors.Is(err, jose.ErrUnsupportedKeyType) {
			if strict {
				if err := checkCurve(kty, m); err != nil {
					return verificationKey{}, err
				}
			}
			return k, nil // e.g. an Ed448 or secp256k1 key
		}
		return verificationKey{}, jwkError(kty, m, err)
	}
	switch key := jwk.Key.(type) {
	case []byte:
		// A short HMAC key can be found by brute force; PostgREST holds plain
		// secrets to 32 bytes but JWKs to nothing. RFC 7518 (3.2) asks for
		// at least the hash size, so 32 bytes here too.
		if strict && !k.useEnc && len(key) < minHMACKey {
			return verificationKey{}, fmt.Errorf("oct key: %d bytes long; an HMAC key needs at least %d, as a plain secret does", len(key), minHMACKey)
		}
		k.kty = ktyOct
	case *rsa.PublicKey:
		k.kty = ktyRSA
	case *ecdsa.PublicKey:
		k.kty = ktyEC
	case ed25519.PublicKey:
		k.kty = ktyOKP
	default:
		return k, nil // ktyUnsupported
	}
	k.key = boxKey(jwk.Key)
	if k.kty == ktyOct {
		k = withHMACs(k)
	}
	return k, nil
}

// stringMember reads member name of m: whether it is present and whether
// it is a JSON string or null (read as "", as encoding/json does).
func stringMember(m map[string]json.RawMessage, name string) (s string, present, ok bool) {
	v, present := m[name]
	if !present {
		return "", false, false
	}
	ok = json.Unmarshal(v, &s) == nil
	return s, true, ok
}

// jwkMembers are the members each key type needs (public half).
var jwkMembers = map[string][]string{
	"oct": {"k"},
	"RSA": {"n", "e"},
	"EC":  {"crv", "x", "y"},
	"OKP": {"crv", "x"},
}

// jwkError explains go-jose's refusal of a key: the first required member
// that is missing, no string or no base64url, else go-jose's own reason
// (which names members and lengths, never their values).
func jwkError(kty string, m map[string]json.RawMessage, err error) error {
	for _, name := range jwkMembers[kty] {
		v, present, ok := stringMember(m, name)
		switch {
		case !present || string(m[name]) == "null":
			return fmt.Errorf("%s key: missing member %q", kty, name)
		case !ok:
			return fmt.Errorf("%s key: member %q is not a string", kty, name)
		}
		if name != "crv" {
			if _, err := base64.RawURLEncoding.DecodeString(v); err != nil {
				return fmt.Errorf("%s key: member %q is not unpadded base64url: %w", kty, name, err)
			}
		}
	}
	msg := strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
	return fmt.Errorf("%s key: %s", kty, msg)
}

// registeredCurves are the IANA "JSON Web Key Elliptic Curve" names by key
// type (RFC 7518, 8037, 8812), whether Go verifies with them or not.
var registeredCurves = map[string][]string{
	"EC":  {"P-256", "P-384", "P-521", "secp256k1"},
	"OKP": {"Ed25519", "Ed448", "X25519", "X448"},
}

// checkCurve refuses an EC or OKP key whose crv is missing or no registered
// curve: not a key of some curve this package lacks, but a broken JWK.
func checkCurve(kty string, m map[string]json.RawMessage) error {
	names, ok := registeredCurves[kty]
	if !ok {
		return nil
	}
	crv, present, isString := stringMember(m, "crv")
	switch {
	case !present || string(m["crv"]) == "null":
		return fmt.Errorf("%s key: missing member %q", kty, "crv")
	case !isString:
		return fmt.Errorf("%s key: member %q is not a string", kty, "crv")
	case !slices.Contains(names, crv):
		return fmt.Errorf("%s key: unknown curve %q (want one of %s)", kty, crv, strings.Join(names, ", "))
	}
	return nil
}

// candidates returns the keys PostgREST would try for a token with this alg
// and kid, in configuration order: not "use":"enc" (OKP keys ignore use); when the token names a
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
