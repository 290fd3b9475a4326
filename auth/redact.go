package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Printing never shows a secret. The values this package hands out
// (*Service, *Authenticator, the login handler, *MemStore, *PGStore, User)
// implement fmt.Formatter, fmt.Stringer and slog.LogValuer with a
// description that says what is configured and redacts the JWT secret, HMAC
// keys and password hashes, for every verb (%v, %+v, %#v, %s, %q, %x, …)
// and for slog's text and JSON handlers.
//
// A Formatter alone is not enough: fmt reaches the fields of a struct it
// prints by reflection and never calls methods on unexported ones, and a
// verb a pointer does not take (%s, %q) makes it print what the pointer
// points to. So the secret and HMAC keys also sit behind pointers to
// non-struct values (Service.secret, verificationKey.key), which fmt shows as
// addresses whatever the verb, even inside a caller's struct.

// redactedBytes stands in for a secret of n bytes.
func redactedBytes(n int) string { return "[REDACTED " + strconv.Itoa(n) + " bytes]" }

// writeDesc writes desc for verb: quoted for %q, as is otherwise (hex of a
// description would help nobody).
func writeDesc(f fmt.State, verb rune, desc string) {
	if verb == 'q' {
		desc = strconv.Quote(desc)
	}
	io.WriteString(f, desc)
}

// String describes the Service: algorithm, token lifetime, claim names and
// store type, with the secret's length only.
func (s *Service) String() string {
	if s == nil {
		return "<nil>"
	}
	secret := "unset"
	if s.secret != nil {
		secret = redactedBytes(len(*s.secret))
	}
	return fmt.Sprintf("auth.Service{alg: %s, secret: %s, token lifetime: %v, extra claims: %q, store: %T}",
		s.alg, secret, time.Duration(s.lifetime)*time.Second, s.claimNames(), s.store)
}

func (s *Service) claimNames() []string {
	names := make([]string, len(s.claims))
	for i, m := range s.claims {
		names[i] = m.Key
	}
	return names
}

// Format prints String for every verb: the secret never shows.
func (s *Service) Format(f fmt.State, verb rune) { writeDesc(f, verb, s.String()) }

// LogValue is String's content as a slog group.
func (s *Service) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("<nil>")
	}
	secret := "unset"
	if s.secret != nil {
		secret = redactedBytes(len(*s.secret))
	}
	return slog.GroupValue(slog.String("alg", s.alg), slog.String("secret", secret),
		slog.Duration("token_lifetime", time.Duration(s.lifetime)*time.Second),
		slog.Any("extra_claims", s.claimNames()), slog.String("store", fmt.Sprintf("%T", s.store)))
}

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
		b.WriteString("oct " + redactedBytes(len(key)))
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
func (k verificationKey) Format(f fmt.State, verb rune) { writeDesc(f, verb, k.String()) }

// keyList describes the configured keys (see verificationKey.String).
func (a *Authenticator) keyList() []string {
	keys := make([]string, len(a.keys))
	for i, k := range a.keys {
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
func (a *Authenticator) Format(f fmt.State, verb rune) { writeDesc(f, verb, a.String()) }

// LogValue is String's content as a slog group.
func (a *Authenticator) LogValue() slog.Value {
	if a == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.Any("keys", a.keyList()), slog.String("jwt_aud", a.aud),
		slog.String("jwt_role_claim_key", a.roleClaimKey()), slog.String("db_anon_role", a.anonRole),
		slog.Bool("cache", a.cache != nil))
}

// String describes the login handler; its Service prints redacted.
func (h *loginHandler) String() string {
	if h == nil {
		return "<nil>"
	}
	return fmt.Sprintf("auth.loginHandler{schema: %q, service: %s}", h.schema, h.svc.String())
}

// Format prints String for every verb.
func (h *loginHandler) Format(f fmt.State, verb rune) { writeDesc(f, verb, h.String()) }

// LogValue is String's content as a slog group.
func (h *loginHandler) LogValue() slog.Value {
	if h == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("schema", h.schema), slog.Any("service", h.svc.LogValue()))
}

// String counts the users and lists the roles; no user, email or hash shows.
func (m *MemStore) String() string {
	if m == nil {
		return "<nil>"
	}
	users, roles := m.summary()
	return fmt.Sprintf("auth.MemStore{users: %d, roles: %q}", users, roles)
}

func (m *MemStore) summary() (users int, roles []string) {
	m.mu.RLock()
	users = len(m.users)
	m.mu.RUnlock()
	for r := range m.roles {
		roles = append(roles, r)
	}
	slices.Sort(roles)
	return users, roles
}

// Format prints String for every verb.
func (m *MemStore) Format(f fmt.State, verb rune) { writeDesc(f, verb, m.String()) }

// LogValue is String's content as a slog group.
func (m *MemStore) LogValue() slog.Value {
	if m == nil {
		return slog.StringValue("<nil>")
	}
	users, roles := m.summary()
	return slog.GroupValue(slog.Int("users", users), slog.Any("roles", roles))
}

// String names the connection type only: a pool's configuration holds the
// database password.
func (s *PGStore) String() string {
	if s == nil {
		return "<nil>"
	}
	return fmt.Sprintf("auth.PGStore{db: %T}", s.db)
}

// Format prints String for every verb.
func (s *PGStore) Format(f fmt.State, verb rune) { writeDesc(f, verb, s.String()) }

// LogValue is String's content as a slog group.
func (s *PGStore) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("db", fmt.Sprintf("%T", s.db)))
}

// redactedHash stands in for a password hash: empty or not, and its length.
func redactedHash(h string) string {
	if h == "" {
		return `""`
	}
	return redactedBytes(len(h))
}

// String shows the email and role; the password hash is redacted (read the
// Hash field to get it).
func (u User) String() string {
	return fmt.Sprintf("auth.User{Email: %q, Role: %q, Hash: %s}", u.Email, u.Role, redactedHash(u.Hash))
}

// Format prints String for every verb: the hash never shows.
func (u User) Format(f fmt.State, verb rune) { writeDesc(f, verb, u.String()) }

// LogValue is String's content as a slog group (slog's JSON handler would
// otherwise marshal the Hash field).
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("email", u.Email), slog.String("role", u.Role),
		slog.String("hash", redactedHash(u.Hash)))
}
