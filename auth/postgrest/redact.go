package postgrest

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/pgjwt-go/pgjwt/internal/redact"
)

// Printing never shows a secret. *Authenticator and the key set it holds
// implement fmt.Formatter and fmt.Stringer (the Authenticator also
// slog.LogValuer) with a description that says what is configured and
// redacts HMAC keys, for every verb (%v, %+v, %#v, %s, %q, %x, …) and for
// slog's text and JSON handlers.
//
// A Formatter alone is not enough: fmt reaches the fields of a struct it
// prints by reflection and never calls methods on unexported ones, and a
// verb a pointer does not take (%s, %q) makes it print what the pointer
// points to. So HMAC keys also sit behind a pointer to a non-struct value
// (verificationKey.key), which fmt shows as an address whatever the verb,
// even inside a caller's struct. (auth does the same for its Service,
// stores and users; both print through internal/redact.)

// String describes one key: type, size or curve, alg, kid and use, never
// HMAC bytes. Public keys are not secret, but their numbers help nobody in a
// log either.
func (k verificationKey) String() string {
	var b strings.Builder
	var key any
	if k.key != nil {
		key = *k.key
	}
	switch key := key.(type) {
	case []byte:
		b.WriteString("oct " + redact.Bytes(len(key)))
	case *rsa.PublicKey:
		b.WriteString("RSA " + strconv.Itoa(key.N.BitLen()) + " bits")
	case *ecdsa.PublicKey:
		b.WriteString("EC " + key.Curve.Params().Name)
	case ed25519.PublicKey:
		b.WriteString("OKP Ed25519")
	default:
		b.WriteString("unsupported")
	}
	if k.alg != "" {
		b.WriteString(", alg " + k.alg)
	}
	if k.hasKid {
		b.WriteString(", kid " + strconv.Quote(k.kid))
	}
	if k.useEnc {
		b.WriteString(", use enc")
	}
	return "{" + b.String() + "}"
}

// Format prints String for every verb.
func (k verificationKey) Format(f fmt.State, verb rune) { redact.Write(f, verb, k.String()) }

// keyList describes the configured keys (see verificationKey.String).
func (a *Authenticator) keyList() []string {
	var list []verificationKey
	if ks := a.keys.Load(); ks != nil {
		list = ks.keys
	}
	keys := make([]string, len(list))
	for i, k := range list {
		keys[i] = k.String()
	}
	return keys
}

// roleClaimKey is jwt-role-claim-key as configured ("" in a zero
// Authenticator).
func (a *Authenticator) roleClaimKey() string {
	if a.rolePath == nil {
		return ""
	}
	return a.rolePath.String()
}

// Format prints String for every verb: no key material shows.
func (a *Authenticator) Format(f fmt.State, verb rune) { redact.Write(f, verb, a.String()) }

// LogValue is String's content as a slog group.
func (a *Authenticator) LogValue() slog.Value {
	if a == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.Any("keys", a.keyList()), slog.String("jwt_aud", a.aud),
		slog.String("jwt_role_claim_key", a.roleClaimKey()), slog.String("db_anon_role", a.anonRole),
		slog.Bool("cache", a.cache != nil))
}
