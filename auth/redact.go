package auth

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/redact"
)

// Printing never shows a secret. The values this package hands out
// (*Service, the login handler, *MemStore, *PGStore, User) implement
// fmt.Formatter, fmt.Stringer and slog.LogValuer with a description that
// says what is configured and redacts the JWT secret and password hashes,
// for every verb (%v, %+v, %#v, %s, %q, %x, …) and for slog's text and
// JSON handlers. (auth/postgrest does the same for its Authenticator.)
//
// A Formatter alone is not enough: fmt reaches the fields of a struct it
// prints by reflection and never calls methods on unexported ones, and a
// verb a pointer does not take (%s, %q) makes it print what the pointer
// points to. So the secret also sits behind a pointer to a non-struct value
// (Service.secret), which fmt shows as an address whatever the verb, even
// inside a caller's struct.

// String describes the Service: algorithm, token lifetime, claim names and
// store type, with the secret's length only.
func (s *Service) String() string {
	if s == nil {
		return "<nil>"
	}
	secret := "unset"
	if s.secret != nil {
		secret = redact.Bytes(len(*s.secret))
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
func (s *Service) Format(f fmt.State, verb rune) { redact.Write(f, verb, s.String()) }

// LogValue is String's content as a slog group.
func (s *Service) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("<nil>")
	}
	secret := "unset"
	if s.secret != nil {
		secret = redact.Bytes(len(*s.secret))
	}
	return slog.GroupValue(slog.String("alg", s.alg), slog.String("secret", secret),
		slog.Duration("token_lifetime", time.Duration(s.lifetime)*time.Second),
		slog.Any("extra_claims", s.claimNames()), slog.String("store", fmt.Sprintf("%T", s.store)))
}

// String describes the login handler; its Service prints redacted.
func (h *loginHandler) String() string {
	if h == nil {
		return "<nil>"
	}
	return fmt.Sprintf("auth.loginHandler{schema: %q, service: %s}", h.schema, h.svc.String())
}

// Format prints String for every verb.
func (h *loginHandler) Format(f fmt.State, verb rune) { redact.Write(f, verb, h.String()) }

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
func (m *MemStore) Format(f fmt.State, verb rune) { redact.Write(f, verb, m.String()) }

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
func (s *PGStore) Format(f fmt.State, verb rune) { redact.Write(f, verb, s.String()) }

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
	return redact.Bytes(len(h))
}

// String shows the email and role; the password hash is redacted (read the
// Hash field to get it).
func (u User) String() string {
	return fmt.Sprintf("auth.User{Email: %q, Role: %q, Hash: %s}", u.Email, u.Role, redactedHash(u.Hash))
}

// Format prints String for every verb: the hash never shows.
func (u User) Format(f fmt.State, verb rune) { redact.Write(f, verb, u.String()) }

// LogValue is String's content as a slog group (slog's JSON handler would
// otherwise marshal the Hash field).
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("email", u.Email), slog.String("role", u.Role),
		slog.String("hash", redactedHash(u.Hash)))
}
