package main

import (
	"fmt"
	"io"

	"github.com/pgjwt-go/pgjwt/auth"
)

// With -key FILE (a private JWK, as "pgjwt keygen" writes it) logins are
// signed with that key, with its alg and kid, and GET
// /.well-known/jwks.json publishes its public half, for PostgREST's
// jwt-secret or any other verifier. The HMAC secret stays in the key set as
// a retired key: tokens of the SQL login() (HS256, no kid) keep verifying
// here, which is step 2 of the migration in auth's package documentation.

// loadSigningKey reads -key into a key set holding that key alone; the
// secret joins it in newService.
func loadSigningKey(path string) (*auth.KeySet, error) {
	k, err := auth.LoadSigningKey(path)
	if err != nil {
		return nil, err
	}
	if k.IsSymmetric() {
		return nil, fmt.Errorf("-key %s: an HMAC key; -key takes a private key (ES256, ES384, EdDSA, RS256)", path)
	}
	return auth.NewKeySet(k)
}

// newService is auth.NewService, signing with cfg.keys when -key was given.
func newService(store auth.Store, secret string, cfg config, out io.Writer) (*auth.Service, error) {
	if cfg.keys == nil {
		return auth.NewService(store, secret, auth.WithLogger(cfg.logger), auth.WithHashPolicy(cfg.hashPolicy()))
	}
	hk, err := auth.NewHMACSigningKey(secret, "HS256")
	if err != nil {
		return nil, err
	}
	current := cfg.keys.Current()
	if err := cfg.keys.Set(current, hk); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "signing: %s, kid %q (HS256 tokens of the secret still verify)\n", current.Alg(), current.Kid())
	return auth.NewService(store, "", auth.WithSigningKeys(cfg.keys), auth.WithLogger(cfg.logger),
		auth.WithHashPolicy(cfg.hashPolicy()))
}

// hashPolicy is -hash-cost as the Service, the memory store and the
// installed trigger take it.
func (cfg config) hashPolicy() auth.HashPolicy {
	return auth.HashPolicy{Algorithm: "bf", Cost: cfg.hashCost}
}
