package postgrest

import "fmt"

// Keys that change at run time.
//
// The Authenticator reads its keys with one atomic load per request (no
// lock on the hot path). Each stored key set has a generation; a cached
// verified token remembers the generation it verified under and is verified
// again when the keys changed, so a token whose key was removed is refused
// from the first request after the swap, never served from the cache.

// keyState is one configured key set.
type keyState struct {
	keys []verificationKey
	gen  uint64
}

// keyConfig is how jwt-secret text is read (WithJWTSecretIsBase64,
// WithUnsafeJSONSecretAsHMAC).
type keyConfig struct{ isBase64, jsonAsHMAC bool }

// SetJWTSecret replaces the keys at run time, atomically: the secret is
// read as WithJWTSecret's (and with the same WithJWTSecretIsBase64 and
// WithUnsafeJSONSecretAsHMAC), and from the next request on only the new
// keys verify, cached tokens included. A secret that does not parse is an
// error and changes nothing. It is how a rotated key set (say
// auth.KeySet.JWTSecret or a JWKS file) reaches a running Authenticator,
// which PostgREST does on a configuration reload. An Authenticator with
// WithRemoteJWKS takes its keys from the URL only.
func (a *Authenticator) SetJWTSecret(secret string) error {
	if a.remote != nil {
		return fmt.Errorf("postgrest: SetJWTSecret: the keys come from the remote JWKS %s", a.remote.source)
	}
	if secret == "" {
		return fmt.Errorf("postgrest: SetJWTSecret: empty secret")
	}
	keys, err := parseJWTSecret(secret, a.keyCfg.isBase64, a.keyCfg.jsonAsHMAC)
	if err != nil {
		return err
	}
	a.storeKeys(keys)
	return nil
}

// storeKeys publishes keys under a new generation.
func (a *Authenticator) storeKeys(keys []verificationKey) *keyState {
	a.keyMu.Lock()
	defer a.keyMu.Unlock()
	ks := &keyState{keys: keys, gen: a.keyGen.Add(1)}
	a.keys.Store(ks)
	return ks
}
