package postgrest

import "context"

// Identity is who a request runs as, as PostgREST hands it to the database.
// Only an Authenticator makes one; IdentityFrom, Authenticate and
// AuthenticateToken hand out copies, read through the methods. The
// Authenticator shares one Identity between the requests of a cached token,
// and one between all anonymous requests; its fields are unexported and
// immutable (strings and a bool), so a copy costs nothing and a handler
// cannot change what another request sees. The zero Identity is no one:
// SetRequestContext refuses it.
type Identity struct {
	role          string
	claims        string
	authenticated bool
}

// Role is the database role: the role claim, or db-anon-role.
func (id Identity) Role() string { return id.role }

// Claims is the exact JSON text PostgREST puts into request.jwt.claims: the
// token's claims (aeson-rendered: compact, sorted members) with "role" set
// to Role; {"role":"<anon>"} without a token. Parse it to read a claim.
func (id Identity) Claims() string { return id.claims }

// Authenticated is PostgREST's notion, used for 401 versus 403 (see
// FromDBError): the role differs from db-anon-role (always true when
// db-anon-role is unset).
func (id Identity) Authenticated() bool { return id.authenticated }

type identityKey struct{}

// IdentityFrom returns a copy of the Identity the middleware stored in ctx.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(*Identity)
	if !ok || id == nil {
		return Identity{}, false
	}
	return *id, true
}

// RoleFrom returns the database role of the request.
func RoleFrom(ctx context.Context) (string, bool) {
	id, ok := IdentityFrom(ctx)
	return id.role, ok
}

// ClaimsFrom returns the request.jwt.claims JSON text of the request.
func ClaimsFrom(ctx context.Context) (string, bool) {
	id, ok := IdentityFrom(ctx)
	return id.claims, ok
}
