package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// A KeySet holds the current signing key, with which new tokens are
// signed, and retired keys, whose tokens are still accepted until they
// expire. Rotation swaps the whole set atomically: signers and verifiers
// read it with one atomic load (no lock), so a rotation needs no restart
// and never shows a half-changed set. A KeySet is safe for concurrent use.
//
// Asymmetric keys in a set have distinct kids, so verifiers can tell them
// apart. HMAC keys have no kid (SQL login()'s tokens have none) and are
// never published (see JWKSHandler); they verify through JWTSecret.
type KeySet struct {
	state atomic.Pointer[keySetState]
	mu    sync.Mutex // serialises writers, so that none loses another's change
}

type keySetState struct {
	keys []*SigningKey // current first, then retired, newest first
	gen  uint64
	jwks []byte // public JWKS, rendered once per state
	etag string // its HTTP entity tag, for JWKSHandler
}

// NewKeySet returns a set signing with current and still verifying retired.
func NewKeySet(current *SigningKey, retired ...*SigningKey) (*KeySet, error) {
	ks := &KeySet{}
	if err := ks.Set(current, retired...); err != nil {
		return nil, err
	}
	return ks, nil
}

// Set replaces the whole set.
func (ks *KeySet) Set(current *SigningKey, retired ...*SigningKey) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.store(append([]*SigningKey{current}, retired...))
}

// Rotate makes next the current key; the current one becomes the newest
// retired key, so its tokens keep verifying until Remove drops it (after
// its last token expired: the Service's token lifetime). next may be a key
// Add put in the set earlier.
func (ks *KeySet) Rotate(next *SigningKey) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	keys := []*SigningKey{next}
	for _, k := range ks.state.Load().keys {
		if k != next {
			keys = append(keys, k)
		}
	}
	return ks.store(keys)
}

// Add puts next in the set without signing with it: it is published (and
// verifies) at once, so that verifiers that cache the JWKS (for its
// max-age, or PostgREST until its configuration is reloaded) know it
// before Rotate makes it current.
func (ks *KeySet) Add(next *SigningKey) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	old := ks.state.Load().keys
	return ks.store(append([]*SigningKey{old[0], next}, old[1:]...))
}

// Remove drops the retired key with this kid (an asymmetric key), or, for
// kid "", every retired HMAC key. The current key cannot be removed (rotate
// first); removing a key that is not in the set is an error.
func (ks *KeySet) Remove(kid string) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	old := ks.state.Load().keys
	keys := []*SigningKey{old[0]}
	for _, k := range old[1:] {
		if k.kid != kid {
			keys = append(keys, k)
		}
	}
	if len(keys) == len(old) {
		if old[0].kid == kid {
			return fmt.Errorf("%w: key %q is the current key; rotate before removing it", ErrSigningKey, kid)
		}
		return fmt.Errorf("%w: no retired key %q", ErrSigningKey, kid)
	}
	return ks.store(keys)
}

// store checks and publishes keys; ks.mu is held.
func (ks *KeySet) store(keys []*SigningKey) error {
	seen := map[string]bool{}
	for _, k := range keys {
		if k == nil {
			return fmt.Errorf("%w: nil key in a key set", ErrSigningKey)
		}
		if k.secret == nil {
			if seen[k.kid] {
				return fmt.Errorf("%w: two keys with kid %q", ErrSigningKey, k.kid)
			}
			seen[k.kid] = true
		}
	}
	st := &keySetState{keys: keys}
	if old := ks.state.Load(); old != nil {
		st.gen = old.gen + 1
	}
	st.jwks = renderJWKS(keys, false)
	sum := sha256.Sum256(st.jwks)
	st.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
	ks.state.Store(st)
	return nil
}

// Current is the key new tokens are signed with.
func (ks *KeySet) Current() *SigningKey { return ks.state.Load().keys[0] }

// Keys returns the current key followed by the retired ones.
func (ks *KeySet) Keys() []*SigningKey { return slices.Clone(ks.state.Load().keys) }

// Generation counts the changes of the set (0 for a new set): a verifier
// that caches results can compare it to notice a rotation.
func (ks *KeySet) Generation() uint64 { return ks.state.Load().gen }

// PublicJWKS returns the JWKS of the set's asymmetric public keys (current
// first), each with kid, alg and "use":"sig": the document to publish, and
// a valid PostgREST jwt-secret. HMAC keys are never in it. An empty set of
// public keys gives {"keys":[]}.
func (ks *KeySet) PublicJWKS() []byte { return bytes.Clone(ks.state.Load().jwks) }

// JWTSecret returns the set as a JWKS that PostgREST's jwt-secret (and
// postgrest.WithJWTSecret) takes to verify every token the set signs,
// HMAC keys included (as oct JWKs without kid, which match the kid-less
// tokens of SQL login()). It contains the HMAC secrets: keep it as secret
// as app.jwt_secret (a file readable by PostgREST only), never publish it.
func (ks *KeySet) JWTSecret() string { return string(renderJWKS(ks.state.Load().keys, true)) }

// renderJWKS writes {"keys":[…]} with the public keys, and the HMAC keys
// too when withSecrets.
func renderJWKS(keys []*SigningKey, withSecrets bool) []byte {
	list := make([]json.RawMessage, 0, len(keys))
	for _, k := range keys {
		if jwk, ok := k.PublicJWK(); ok {
			list = append(list, jwk)
		} else if withSecrets {
			b, err := json.Marshal(struct {
				Kty string `json:"kty"`
				K   string `json:"k"`
				Alg string `json:"alg"`
				Use string `json:"use"`
			}{"oct", base64.RawURLEncoding.EncodeToString([]byte(*k.secret)), k.alg, "sig"})
			if err != nil {
				panic(err)
			}
			list = append(list, b)
		}
	}
	b, err := json.Marshal(struct {
		Keys []json.RawMessage `json:"keys"`
	}{list})
	if err != nil {
		panic(err) // only marshalled JWKs in it
	}
	return b
}
