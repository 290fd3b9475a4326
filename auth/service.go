package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/pgjwt-go/pgjwt/crypt"
	"github.com/pgjwt-go/pgjwt/jwt"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// Service signs users up and logs them in, with the results of the seed's
// SQL: Login returns byte for byte the token that SQL login() returns at the
// same instant with the same secret, and every failure carries the SQLSTATE
// and message PostgreSQL would give.
//
// bcrypt work is bounded: at most WithHashConcurrency hashing operations
// (verifications in Go, and sign-ups or password changes whose hashing may
// run in the database) proceed at once; at most WithHashQueue more wait
// for a slot (default 1,000), each giving up, and leaving the queue, when
// its context ends; beyond that, calls fail at once with ErrHashQueueFull
// instead of piling up. When no slot is idle and logins queue, two or
// three waiting bcrypt verifications of the same cost are computed
// together in one slot (crypt.VerifyBatch), which takes about 1.1 or 1.2
// times one: at saturation the Service verifies about twice as many logins
// per second and the queue drains as much faster (a slot holder then waits
// at most 100 µs for partners). Partners are chosen by cost only, so an
// unknown email (checked against a dummy hash of that cost) and a wrong
// password still take the same time; at low load every verification runs
// alone, at once. A Service is safe for concurrent use.
type Service struct {
	store    Store
	secret   *string     // in the database's bytes, as hmac() sees it; a pointer: see redact.go
	signer   *jwt.Signer // HMAC keyed once with secret and alg
	codec    textCodec
	crypt    crypt.Version
	epoch    pgjson.Version // whose extract(epoch from now())::integer gives exp
	now      func() time.Time
	lifetime int64
	claims   pgjson.Object
	alg      string
	hashPool         // the bounded hashing pool (hashpool.go): verify, acquire, release
	keys     *KeySet // nil: sign with secret and alg
	maxPass  int
	dummy    string
	log      *slog.Logger // nil: no logging
	counters serviceCounters

	policy       HashPolicy  // see policy.go
	rehashOff    atomic.Bool // the store proved unable to reach the policy
	rehashErrors func(error)
}

// ServiceOption changes a Service.
type ServiceOption func(*serviceConfig)

type serviceConfig struct {
	now        func() time.Time
	lifetime   time.Duration
	claims     pgjson.Object
	alg        string
	algSet     bool
	keys       *KeySet
	concurrent int
	queue      int
	maxPass    int
	dummyCost  int
	logger     *slog.Logger
	major      int // WithServerMajor; 0: the store's

	policy       HashPolicy
	rehashErrors func(error)
}

// WithClock makes the Service read the time from now instead of time.Now:
// the "now()" whose epoch gives exp.
func WithClock(now func() time.Time) ServiceOption { return func(c *serviceConfig) { c.now = now } }

// WithTokenLifetime sets how long tokens live (default one hour, as the
// seed's login() does): a positive whole number of seconds.
func WithTokenLifetime(d time.Duration) ServiceOption {
	return func(c *serviceConfig) { c.lifetime = d }
}

// WithClaims adds claims after role, email and exp, in the given order and
// rendered as row_to_json renders the values (see pgjson.Member). A login()
// whose row has the same extra columns returns the same token.
func WithClaims(claims ...pgjson.Member) ServiceOption {
	return func(c *serviceConfig) { c.claims = append(c.claims, claims...) }
}

// WithAlgorithm sets the HMAC algorithm: HS256 (the default, and the only one
// PostgREST accepts with a plain secret), HS384 or HS512.
// It cannot be combined with WithSigningKeys, whose keys have their own.
func WithAlgorithm(alg string) ServiceOption {
	return func(c *serviceConfig) { c.alg, c.algSet = alg, true }
}

// WithSigningKeys makes the Service sign with the current key of ks at
// each login, instead of the secret given to NewService (which must then
// be ""): rotating ks changes the key of the next login, without a
// restart. With an HMAC current key the tokens are SQL login()'s, byte for
// byte; with an asymmetric one they carry its alg and kid. See KeySet and
// the package documentation for the migration from SQL login() tokens.
func WithSigningKeys(ks *KeySet) ServiceOption { return func(c *serviceConfig) { c.keys = ks } }

// WithHashConcurrency bounds the hashing operations in flight (default
// runtime.NumCPU()).
func WithHashConcurrency(n int) ServiceOption { return func(c *serviceConfig) { c.concurrent = n } }

// DefaultMaxPasswordLength is the longest password a Service takes by
// default, in bytes (UTF-8 as given): far beyond any passphrase, and short
// enough that the slowest hash a database may hold for it (sha512crypt at
// 5,000 rounds) stays in the tens of milliseconds.
const DefaultMaxPasswordLength = 1024

// WithMaxPasswordLength sets the longest password SignUp, SetPassword,
// ChangePassword, UserRole and Login take, in bytes (default
// DefaultMaxPasswordLength); longer ones fail with ErrPasswordTooLong before
// any lookup or hashing. 0 restores the SQL's behaviour, any length.
//
// Why a limit: the SQL accepts passwords of any length, and the work of
// md5-crypt, DES-based and sha-crypt hashes grows with it (bcrypt reads
// only 72 bytes), so a login naming a user whose stored hash is
// sha512crypt, with a 64 KiB password, would hold a hashing slot for about
// 20 s. A user whose password is longer than the limit (set in SQL) cannot
// log in through the Service until the limit is raised.
func WithMaxPasswordLength(n int) ServiceOption { return func(c *serviceConfig) { c.maxPass = n } }

// WithHashQueue bounds how many calls may wait for a hashing slot while
// all WithHashConcurrency slots are busy (default 1,000; 0 means none
// waits). Further calls fail at once with ErrHashQueueFull, which the login
// handler answers with 503 and Retry-After: an unbounded queue lets a flood
// of logins hold a goroutine, a request body and a connection each for as
// long as the hashing takes to get to them.
//
// The numbers, for sizing: a cost-6 bcrypt (gen_salt('bf')'s) takes about
// 3.5 ms of one CPU, so the default queue drains in about 3.5 s / NumCPU,
// the longest a queued login waits; it holds at most 1,000 request bodies
// (64 KiB each at most, WithMaxLoginBody's default, so 64 MiB) and as many
// goroutines. Each bcrypt cost step doubles the wait. A waiting call also
// gives up when its context ends (the client went away), freeing its place.
// math.MaxInt makes the queue unbounded, as it was before this option.
func WithHashQueue(n int) ServiceOption { return func(c *serviceConfig) { c.queue = n } }

// WithDummyHashCost sets the bcrypt cost of the hash an unknown email is
// checked against, so that it costs what a wrong password costs. By default
// (and with 0) the dummy is made at the hash policy (WithHashPolicy;
// gen_salt('bf')'s cost 6 unless changed). Match the cost of the stored
// hashes.
func WithDummyHashCost(cost int) ServiceOption { return func(c *serviceConfig) { c.dummyCost = cost } }

// WithServerMajor names the PostgreSQL major whose login() the Service
// reproduces, where the majors differ: exp = extract(epoch from
// now())::integer + lifetime rounds a now() exactly half a second past a
// whole second to even on 13 (12.5 → 12, 13.5 → 14) and away from zero on
// 14+ (12.5 → 13), so the same login mints an exp one second apart half of
// those times. A PGStore knows its server's major (server_version_num) and
// the Service follows it without this option; given with a PGStore of
// another major, NewService fails. For a MemStore, or any other Store, the
// default is 18 (any major from 14 gives the same tokens); pass 13 to mint
// what a PostgreSQL 13 login() would. Majors below 13 behave as 13, above
// 18 as 18.
func WithServerMajor(major int) ServiceOption {
	return func(c *serviceConfig) { c.major = pgjson.ForVersion(major).Major() }
}

// NewService returns a Service on store that signs with secret, the value of
// the database setting app.jwt_secret as the store's connection reads it
// (see PGStore.Secret). Like PostgREST, it refuses secrets shorter than 32
// bytes (ErrShortSecret). With WithSigningKeys, secret must be "".
func NewService(store Store, secret string, opts ...ServiceOption) (*Service, error) {
	cfg := serviceConfig{now: time.Now, lifetime: time.Hour, alg: "HS256", concurrent: runtime.NumCPU(), queue: 1000,
		maxPass: DefaultMaxPasswordLength, policy: DefaultHashPolicy}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case store == nil:
		return nil, errors.New("auth: NewService: nil store")
	case cfg.keys != nil && secret != "":
		return nil, errors.New("auth: NewService: a secret and WithSigningKeys: pass \"\" as the secret, or put it in the key set (NewHMACSigningKey)")
	case cfg.keys != nil && cfg.algSet:
		return nil, errors.New("auth: NewService: WithAlgorithm and WithSigningKeys: the keys have their own algorithm")
	case cfg.keys == nil && len(secret) < 32:
		return nil, fmt.Errorf("auth: NewService: %w (got %d)", ErrShortSecret, len(secret))
	case cfg.now == nil:
		return nil, errors.New("auth: NewService: nil clock")
	case cfg.lifetime <= 0 || cfg.lifetime%time.Second != 0 || cfg.lifetime/time.Second > 1<<31-1:
		return nil, fmt.Errorf("auth: NewService: token lifetime %v: want a positive whole number of seconds that fits an integer", cfg.lifetime)
	case cfg.concurrent < 1:
		return nil, fmt.Errorf("auth: NewService: hash concurrency %d: want at least 1", cfg.concurrent)
	case cfg.queue < 0:
		return nil, fmt.Errorf("auth: NewService: hash queue %d: want 0 or more", cfg.queue)
	case cfg.maxPass < 0:
		return nil, fmt.Errorf("auth: NewService: max password length %d: want 0 (no limit) or more", cfg.maxPass)
	}
	s := &Service{store: store, codec: utf8Codec, crypt: crypt.ForVersion(crypt.MaxMajor), now: cfg.now,
		lifetime: int64(cfg.lifetime / time.Second), claims: cfg.claims, alg: cfg.alg,
		maxPass: cfg.maxPass, log: cfg.logger, policy: cfg.policy, rehashErrors: cfg.rehashErrors}
	if e, ok := store.(storeEncoding); ok {
		s.codec = e.textCodec()
	}
	if v, ok := store.(storeCrypt); ok {
		s.crypt = v.cryptVersion()
	}
	s.epoch = pgjson.ForVersion(pgjson.MaxMajor)
	if pg, ok := store.(*PGStore); ok {
		major := pg.cryptVersion().Major()
		if cfg.major != 0 && cfg.major != major {
			return nil, fmt.Errorf("auth: NewService: WithServerMajor(%d), but the PGStore's server is PostgreSQL %d", cfg.major, major)
		}
		s.epoch = pgjson.ForVersion(major)
	} else if cfg.major != 0 {
		s.epoch = pgjson.ForVersion(cfg.major)
	}
	s.hashPool.init(cfg.concurrent, cfg.queue, s.crypt)
	s.hashPool.counters, s.hashPool.onFull = &s.counters, s.queueFull
	if cfg.keys != nil {
		s.keys, s.alg = cfg.keys, "KeySet"
	} else {
		dbSecret, err := s.codec.toServer(secret)
		if err != nil {
			return nil, fmt.Errorf("auth: NewService: secret: %w", err)
		}
		s.secret = &dbSecret
		// Keyed once; an unknown algorithm fails here, not at a login.
		if s.signer, err = jwt.NewSigner(dbSecret, cfg.alg); err != nil {
			return nil, fmt.Errorf("auth: NewService: %w", err)
		}
	}
	for _, m := range cfg.claims {
		if m.Key == "role" || m.Key == "email" || m.Key == "exp" {
			return nil, fmt.Errorf("auth: NewService: claim %q is set by login itself", m.Key)
		}
	}
	// Fail now, not at the first login, on claims or an algorithm that
	// cannot be rendered or signed.
	if _, err := s.token("role", "user@example.com", 0); err != nil {
		return nil, fmt.Errorf("auth: NewService: %w", err)
	}
	if err := s.policy.check(s.crypt); err != nil {
		return nil, fmt.Errorf("auth: NewService: %w", err)
	}
	dummyPolicy := s.policy
	if cfg.dummyCost != 0 {
		dummyPolicy = HashPolicy{Algorithm: "bf", Cost: cfg.dummyCost}
	}
	var err error
	if s.dummy, err = dummyPolicy.hash(s.crypt, "no such user"); err != nil {
		return nil, fmt.Errorf("auth: NewService: dummy hash cost %d: %w", cfg.dummyCost, err)
	}
	return s, nil
}

// SignUp creates a user with a password and a database role; the store
// hashes the password as the table's trigger does.
func (s *Service) SignUp(ctx context.Context, email, pass, role string) error {
	if err := s.checkPasswordLength(pass); err != nil {
		return err
	}
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.releaseSince(time.Now())
	return s.store.CreateUser(ctx, email, pass, role)
}

// ChangePassword sets a new password after checking the old one (failing
// with ErrInvalidPassword as Login does).
func (s *Service) ChangePassword(ctx context.Context, email, oldPass, newPass string) error {
	// Before the old password's hashing, which would be wasted.
	if err := s.checkPasswordLength(newPass); err != nil {
		return err
	}
	// No rehash of the old password: it is about to be replaced.
	if _, err := s.userRole(ctx, email, oldPass, false); err != nil {
		return err
	}
	return s.SetPassword(ctx, email, newPass)
}

// SetPassword sets a user's password without the old one: for
// administrators and password-reset flows that proved the user otherwise.
func (s *Service) SetPassword(ctx context.Context, email, pass string) error {
	if err := s.checkPasswordLength(pass); err != nil {
		return err
	}
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.releaseSince(time.Now())
	return s.store.SetPassword(ctx, email, pass)
}

// DeleteUser deletes a user.
func (s *Service) DeleteUser(ctx context.Context, email string) error {
	return s.store.DeleteUser(ctx, email)
}

// UserRole is basic_auth.user_role(email, pass): the user's role when the
// password is right. Where the SQL function returns NULL (no such user, or
// a wrong password), UserRole returns ErrInvalidPassword, after the same
// bcrypt work in both cases. A stored hash below the hash policy is
// rehashed after a right password (see WithHashPolicy).
func (s *Service) UserRole(ctx context.Context, email, pass string) (string, error) {
	return s.userRole(ctx, email, pass, true)
}

func (s *Service) userRole(ctx context.Context, email, pass string, rehash bool) (string, error) {
	// The password never travels to the database, so check it as the
	// server would check the parameters (email first), and convert it to
	// the bytes crypt() would see there.
	if _, err := s.codec.toServer(email); err != nil {
		return "", err
	}
	dbPass, err := s.codec.toServer(pass)
	if err != nil {
		return "", err
	}
	// Whether or not the user exists: the answer tells nothing about it.
	if err := s.checkPasswordLength(pass); err != nil {
		return "", err
	}
	u, err := s.store.LookupUser(ctx, email)
	found := err == nil
	if err != nil && !errors.Is(err, ErrUserNotFound) {
		return "", err
	}
	hash := s.codec.fromClient(u.Hash)
	if !found {
		// No user enumeration: an unknown email costs one bcrypt of the
		// same cost, like a wrong password.
		hash = s.dummy
	}
	ok, err := s.verify(ctx, dbPass, hash)
	err = s.codec.cryptErrorToClient(err)
	if err == nil && ok && found && rehash {
		// pass as the store takes it: the store converts like SetPassword.
		s.maybeRehash(ctx, email, u.Hash, pass)
	}
	if err != nil {
		return "", err
	}
	if !ok || !found {
		return "", ErrInvalidPassword
	}
	return u.Role, nil
}

// Login is the seed's login(email, pass): the JWT of the payload
// {"role":…,"email":…,"exp":…} rendered as row_to_json renders it, with exp
// = extract(epoch from now())::integer + 3600 (a half second rounded away
// from zero, or to even on PostgreSQL 13: see WithServerMajor),
// signed HS256 with the secret. WithTokenLifetime, WithClaims and
// WithAlgorithm change the lifetime, add claims after exp, and change the
// algorithm. Wrong credentials give ErrInvalidPassword (28P01 "invalid user
// or password").
func (s *Service) Login(ctx context.Context, email, pass string) (string, error) {
	role, token, err := s.login(ctx, email, pass)
	s.loginDone(ctx, email, role, err)
	return token, err
}

func (s *Service) login(ctx context.Context, email, pass string) (role, token string, err error) {
	role, err = s.UserRole(ctx, email, pass)
	if err != nil {
		return "", "", err
	}
	epoch, err := s.epoch.EpochSeconds(s.now())
	if err != nil {
		return "", "", err
	}
	// sign() sees the payload as UTF-8, whatever the encodings.
	token, err = s.token(s.codec.toUTF8(role), s.codec.toUTF8(email), epoch)
	return role, token, err
}

// checkPasswordLength enforces WithMaxPasswordLength, in bytes of the
// database encoding as the SQL's octet_length counts them.
func (s *Service) checkPasswordLength(pass string) error {
	if n := s.codec.serverLen(pass); s.maxPass > 0 && n > s.maxPass {
		return ErrPasswordTooLong.WithDetail(fmt.Sprintf("The password has %d bytes; at most %d are allowed.", n, s.maxPass))
	}
	return nil
}

// token signs the login payload for the instant epoch.
func (s *Service) token(role, email string, epoch int64) (string, error) {
	exp := epoch + s.lifetime
	if exp > 1<<31-1 {
		// integer + integer overflows in SQL as well.
		return "", pgjson.ErrIntegerRange
	}
	row := make(pgjson.Object, 0, 3+len(s.claims))
	row = append(row, pgjson.Member{Key: "role", Value: role}, pgjson.Member{Key: "email", Value: email},
		pgjson.Member{Key: "exp", Value: int32(exp)})
	row = append(row, s.claims...)
	payload, err := pgjson.RowToJSON(row)
	if err != nil {
		return "", err
	}
	if s.keys != nil {
		return s.keys.Current().Sign(payload)
	}
	return s.signer.Sign(payload)
}

// dummyVerify spends one verification against the dummy hash: the cost of
// a failed login, for a request that fails before any lookup.
func (s *Service) dummyVerify(ctx context.Context) error {
	_, err := s.verify(ctx, "", s.dummy)
	return err
}

// releaseSince frees a slot the Service took with acquire at start,
// counting the operation and the time it was held.
func (s *Service) releaseSince(start time.Time) {
	s.held(start, 1)
	s.hashPool.release()
}
