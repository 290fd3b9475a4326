package auth

import (
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/internal/sqlname"
)

// Limit is a token bucket: Burst attempts at once, then one more every
// Every. Both implementations of Throttle apply it with the generic cell
// rate algorithm (GCRA), which needs one timestamp per key: the time at
// which the key's bucket would be full again.
type Limit struct {
	Every time.Duration // the time one attempt takes to come back
	Burst int           // attempts allowed at once, from a full bucket
}

func (l Limit) validate() error {
	if l.Every <= 0 || l.Burst < 1 {
		return fmt.Errorf("auth: throttle limit %v per attempt, burst %d: want a positive interval and a burst of at least 1", l.Every, l.Burst)
	}
	return nil
}

// Throttle counts attempts per key. Take spends one attempt for key: it
// reports whether the attempt may go ahead, and when it may not, how long
// until one may. A refused attempt spends nothing. Keys are kept as their
// SHA-256, so neither memory nor a table holds an email or address as
// text; the hash is unsalted (replicas sharing a PGThrottle must agree on
// it), so an address, or an email from a list, can be found again by
// hashing candidates: treat the state as pseudonymous, not anonymous.
type Throttle interface {
	Take(ctx context.Context, key string) (allowed bool, retryAfter time.Duration, err error)
}

// gcra is one step of the algorithm: tat is the key's theoretical arrival
// time (zero for a new key).
func gcra(l Limit, tat, now time.Time) (newTAT time.Time, allowed bool, retryAfter time.Duration) {
	if tat.Before(now) {
		tat = now
	}
	tolerance := l.Every * time.Duration(l.Burst-1)
	if wait := tat.Sub(now) - tolerance; wait > 0 {
		return tat, false, wait
	}
	return tat.Add(l.Every), true, 0
}

// DefaultThrottleKeys is how many keys a MemThrottle remembers by default:
// about 17 MB of heap when full (measured: map entry, list element and
// state per key).
const DefaultThrottleKeys = 100_000

// MemThrottle is the Throttle of one process: a map of keys to GCRA
// timestamps, bounded to maxKeys entries by evicting the least recently
// used key, so that a flood of distinct keys (random emails, many
// addresses) costs bounded memory. An evicted key starts again with a full
// bucket: a flood of other keys between two attempts on one account resets
// that account's limit, which the per-address limit then bounds. Safe for
// concurrent use.
type MemThrottle struct {
	limit Limit
	max   int
	now   func() time.Time
	mu    sync.Mutex
	keys  map[[sha256.Size]byte]*list.Element
	lru   list.List // of *memEntry, most recent first
}

type memEntry struct {
	key [sha256.Size]byte
	tat time.Time
}

// NewMemThrottle returns a MemThrottle with limit, remembering at most
// maxKeys keys (DefaultThrottleKeys when maxKeys is 0).
func NewMemThrottle(limit Limit, maxKeys int) (*MemThrottle, error) {
	if err := limit.validate(); err != nil {
		return nil, err
	}
	if maxKeys == 0 {
		maxKeys = DefaultThrottleKeys
	}
	if maxKeys < 1 {
		return nil, fmt.Errorf("auth: NewMemThrottle: %d keys: want at least 1", maxKeys)
	}
	return &MemThrottle{limit: limit, max: maxKeys, now: time.Now, keys: map[[sha256.Size]byte]*list.Element{}}, nil
}

// Take implements Throttle; it never fails.
func (m *MemThrottle) Take(_ context.Context, key string) (bool, time.Duration, error) {
	k := sha256.Sum256([]byte(key))
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	el, ok := m.keys[k]
	var e *memEntry
	if ok {
		e = el.Value.(*memEntry)
		m.lru.MoveToFront(el)
	} else {
		if m.lru.Len() >= m.max {
			old := m.lru.Back()
			delete(m.keys, old.Value.(*memEntry).key)
			m.lru.Remove(old)
		}
		e = &memEntry{key: k}
		m.keys[k] = m.lru.PushFront(e)
	}
	var allowed bool
	var wait time.Duration
	e.tat, allowed, wait = gcra(m.limit, e.tat, now)
	return allowed, wait, nil
}

// Len is the number of keys remembered.
func (m *MemThrottle) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

// PGThrottle is the Throttle that replicas share: the GCRA timestamps live
// in the table InstallThrottleSchema creates, and each attempt is one
// INSERT … ON CONFLICT DO UPDATE that computes the new timestamp and the
// answer in the database, with the database's clock, under the row's lock,
// so concurrent attempts from any number of processes are counted exactly.
// Every 1,024th attempt of a PGThrottle also deletes the rows of keys whose
// bucket is full again (they are as good as absent), so the table holds
// only keys attempted within about Burst × Every. Several PGThrottles (an
// account limit and an address limit) share a table under different scopes.
type PGThrottle struct {
	db       DB
	limit    Limit
	scope    string
	take     string
	prune    string
	attempts atomic.Uint64
}

// PGThrottleOption changes a PGThrottle.
type PGThrottleOption func(*PGThrottle, *string)

// WithThrottleSchema names the schema of the throttle table (default
// "basic_auth"); match InstallThrottleSchema's.
func WithThrottleSchema(name string) PGThrottleOption {
	return func(_ *PGThrottle, schema *string) { *schema = name }
}

// NewPGThrottle returns a PGThrottle with limit on db, counting the keys of
// scope (such as "login-account" or "login-address") apart from the other
// scopes in the table. It reads nothing yet: a missing table shows at the
// first Take (42P01).
func NewPGThrottle(db DB, scope string, limit Limit, opts ...PGThrottleOption) (*PGThrottle, error) {
	if err := limit.validate(); err != nil {
		return nil, err
	}
	if db == nil {
		return nil, errors.New("auth: NewPGThrottle: nil db")
	}
	schema := "basic_auth"
	t := &PGThrottle{db: db, limit: limit, scope: scope}
	for _, o := range opts {
		o(t, &schema)
	}
	n := namedOption{"throttle schema", "WithThrottleSchema", schema}
	if why, tooLong := sqlname.Check(schema); why != "" {
		return nil, n.refuse(why, tooLong)
	}
	tab := quoteIdent(schema) + ".throttle"
	// $3 is Every, $4 the tolerance (Burst-1)×Every, in microseconds. SET sees the old row
	// in every expression, so allowed and tat come from the same state.
	t.take = `INSERT INTO ` + tab + ` AS t (scope, key, tat, allowed)
VALUES ($1, $2, pg_catalog.now() + ($3::bigint * interval '1 microsecond'), true)
ON CONFLICT (scope, key) DO UPDATE SET
    allowed = GREATEST(t.tat, pg_catalog.now()) - pg_catalog.now() <= ($4::bigint * interval '1 microsecond'),
    tat = CASE WHEN GREATEST(t.tat, pg_catalog.now()) - pg_catalog.now() <= ($4::bigint * interval '1 microsecond')
               THEN GREATEST(t.tat, pg_catalog.now()) + ($3::bigint * interval '1 microsecond') ELSE t.tat END
RETURNING t.allowed,
    CASE WHEN t.allowed THEN 0
         ELSE (extract(epoch FROM t.tat - pg_catalog.now() - ($4::bigint * interval '1 microsecond')) * 1000000)::bigint END`
	t.prune = `DELETE FROM ` + tab + ` WHERE scope = $1 AND tat < pg_catalog.now()`
	return t, nil
}

// Take implements Throttle in one statement. Inside a transaction the
// database's now() is the transaction's start: give it a pool.
func (t *PGThrottle) Take(ctx context.Context, key string) (bool, time.Duration, error) {
	k := sha256.Sum256([]byte(key))
	var allowed bool
	var waitMicros int64
	tolerance := t.limit.Every * time.Duration(t.limit.Burst-1)
	if err := t.db.QueryRow(ctx, t.take, t.scope, k[:], t.limit.Every.Microseconds(), tolerance.Microseconds()).Scan(&allowed, &waitMicros); err != nil {
		return false, 0, err
	}
	if t.attempts.Add(1)%1024 == 0 {
		// Housekeeping only: a failure here leaves rows for the next round.
		_, _ = t.Prune(ctx)
	}
	return allowed, time.Duration(waitMicros) * time.Microsecond, nil
}

// Prune deletes the rows of this scope whose bucket is full again and
// returns how many it deleted.
func (t *PGThrottle) Prune(ctx context.Context) (int64, error) {
	tag, err := t.db.Exec(ctx, t.prune, t.scope)
	return tag.RowsAffected(), err
}

// InstallThrottleSchema creates the table PGThrottle keeps its state in,
// schema.throttle (schema default "basic_auth" when ""), when missing. It is
// UNLOGGED: attempts are not worth WAL, and a crash only refills every
// bucket. The schema must exist (InstallSchema creates basic_auth). The
// name is quoted, and refused when empty, with NUL, not UTF-8 or longer
// than 63 bytes of UTF-8 (sqlname.Check). Unlike InstallSchema it is not
// measured in the database encoding: a non-ASCII name longer there than in
// UTF-8 would be truncated by the server, and name another schema.
func InstallThrottleSchema(ctx context.Context, db DB, schema string) error {
	if schema == "" {
		schema = "basic_auth"
	}
	n := namedOption{"throttle schema", "InstallThrottleSchema", schema}
	if why, tooLong := sqlname.Check(schema); why != "" {
		return n.refuse(why, tooLong)
	}
	_, err := db.Exec(ctx, `CREATE UNLOGGED TABLE IF NOT EXISTS `+quoteIdent(schema)+`.throttle (
    scope text NOT NULL,
    key bytea NOT NULL,
    tat timestamptz NOT NULL,
    allowed boolean NOT NULL,
    PRIMARY KEY (scope, key)
)`)
	if err != nil {
		return fmt.Errorf("auth: install throttle table: %w", err)
	}
	return nil
}

// WithAccountThrottle limits login attempts per account: every login
// spends an attempt of its email (as sent; emails differ by case in the
// users table, and so do their limits) before any hashing. Beyond the
// limit the handler answers 429 (see WithAddressThrottle). Off by default.
// Choose a burst that a user who mistypes never meets: an attacker can
// spend an account's attempts and so keep its owner out until they refill.
func WithAccountThrottle(t Throttle) LoginHandlerOption {
	return func(h *loginHandler) { h.accountThrottle = t }
}

// WithAddressThrottle limits login attempts per client address (IPv4, or
// the /64 network of an IPv6 address, which one client usually holds
// whole): every login spends an attempt of its address before any hashing.
// The address is the connection's (r.RemoteAddr) unless
// WithForwardedFor says to trust proxies. Beyond the limit, and beyond the
// account limit, the handler answers 429 in PostgREST's error shape, as
// PostgREST answers a function that raises SQLSTATE 'PT429':
// {"code":"PT429","details":null,"hint":null,"message":"too many login
// attempts"}, with Retry-After in whole seconds (at least 1). A Throttle
// that fails gets PostgREST's answer for the database error (503 PGRST001
// for a lost connection): logins stop rather than go unthrottled. Off by
// default.
func WithAddressThrottle(t Throttle) LoginHandlerOption {
	return func(h *loginHandler) { h.addressThrottle = t }
}

// WithForwardedFor(n) takes the client address from X-Forwarded-For: the
// n-th address from the right, the one the outermost of n trusted proxies
// appended (n = 1 for one load balancer). Without it (n = 0, the default)
// the header is ignored: anyone can send it, and trusting it lets a client
// pick a new address for every attempt. When the header has fewer than n
// addresses, or the n-th is no IP address, the connection's address is
// used.
func WithForwardedFor(n int) LoginHandlerOption {
	return func(h *loginHandler) { h.proxyHops = n }
}

// clientAddress is the address key of a request.
func clientAddress(r *http.Request, hops int) string {
	if hops > 0 {
		var entries []string
		for _, v := range r.Header.Values("X-Forwarded-For") {
			entries = append(entries, strings.Split(v, ",")...)
		}
		if len(entries) >= hops {
			if a, err := netip.ParseAddr(strings.TrimSpace(entries[len(entries)-hops])); err == nil {
				return addressKey(a)
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return addressKey(a)
	}
	return host
}

func addressKey(a netip.Addr) string {
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

var errTooManyAttempts = &postgrest.APIError{Status: http.StatusTooManyRequests, Code: "PT429", Message: "too many login attempts"}

// throttle spends the attempts of one login; nil means go ahead.
func (h *loginHandler) throttle(r *http.Request, c loginArgs) *postgrest.APIError {
	if h.addressThrottle != nil {
		if e := take(r, h.addressThrottle, clientAddress(r, h.proxyHops)); e != nil {
			return e
		}
	}
	if h.accountThrottle != nil && c.email != nil { // NULL names no account
		if e := take(r, h.accountThrottle, *c.email); e != nil {
			return e
		}
	}
	return nil
}

// take spends one attempt of key in t: nil when it may go ahead, else the
// answer (429 with Retry-After, or the store's error).
func take(r *http.Request, t Throttle, key string) *postgrest.APIError {
	allowed, wait, err := t.Take(r.Context(), key)
	if err != nil {
		return postgrest.FromDBError(err, false)
	}
	if allowed {
		return nil
	}
	e := *errTooManyAttempts
	secs := int64((wait + time.Second - 1) / time.Second)
	e.Header = http.Header{"Retry-After": {strconv.FormatInt(max(secs, 1), 10)}}
	return &e
}
