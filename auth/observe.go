package auth

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a Service's counters, all counted since
// NewService. Read it with Service.Stats at any time (it is cheap and safe
// for concurrent use) and export it to your metrics system; examples/login
// serves it in the Prometheus text format.
type Stats struct {
	// Logins by outcome: Login calls (and /rpc/login calls, including
	// NULL arguments) that returned a token, that failed with
	// ErrInvalidPassword (an unknown email and a wrong password alike), and
	// that failed otherwise (ErrHashQueueFull, a store error, a password
	// over WithMaxPasswordLength, text the database's encoding refuses, a
	// cancelled context).
	LoginSuccesses          uint64
	LoginInvalidCredentials uint64
	LoginErrors             uint64

	// The hashing slots (WithHashConcurrency) and their queue
	// (WithHashQueue). HashQueueDepth and HashInFlight are gauges: calls
	// waiting now, slots taken now. HashQueueFull counts calls refused with
	// ErrHashQueueFull; HashWaits the calls that waited for a slot (got one
	// or gave up), HashWaitTime their total wait; HashOps the operations that
	// held a slot (bcrypt verifications, sign-ups and password changes), and
	// HashTime the total time they held it. HashGrouped counts the
	// verifications among HashOps that were computed two or three together
	// (crypt.VerifyBatch), at saturation nearly all of them.
	HashQueueDepth int64
	HashInFlight   int
	HashQueueFull  uint64
	HashWaits      uint64
	HashWaitTime   time.Duration
	HashOps        uint64
	HashTime       time.Duration
	HashGrouped    uint64
}

type serviceCounters struct {
	loginOK, loginInvalid, loginErr atomic.Uint64
	queueFull, waits, ops           atomic.Uint64
	waitNanos, hashNanos            atomic.Int64
	queueFullLogged                 atomic.Int64 // unix nanos of the last "queue full" record
	queueFullSince                  atomic.Uint64
}

// Stats returns the counters now (read one by one: under load one field
// may be a call ahead of another; each counter on its own never goes back).
func (s *Service) Stats() Stats {
	c := &s.counters
	return Stats{
		LoginSuccesses:          c.loginOK.Load(),
		LoginInvalidCredentials: c.loginInvalid.Load(),
		LoginErrors:             c.loginErr.Load(),
		HashQueueDepth:          s.waiting.Load(),
		HashInFlight:            len(s.slots),
		HashQueueFull:           c.queueFull.Load(),
		HashWaits:               c.waits.Load(),
		HashWaitTime:            time.Duration(c.waitNanos.Load()),
		HashOps:                 c.ops.Load(),
		HashTime:                time.Duration(c.hashNanos.Load()),
		HashGrouped:             uint64(s.grouped()),
	}
}

// WithLogger logs through l (nil, the default: no logging, at no cost). The
// records, with fixed messages:
//
//   - "auth: login" at Info, attributes outcome ("success"), email and
//     role;
//   - "auth: login failed" at Info, outcome "invalid_credentials" and code
//     28P01. It never says whether the email is unknown or the password
//     wrong, and it omits the email: people type their password into the
//     email field, and a failed login's email is then a password in the
//     log;
//   - "auth: login error" at Warn, outcome "error", code (the SQLSTATE) and
//     error, except for data errors (SQLSTATE class 22, such as text the
//     database's encoding refuses, whose PostgreSQL message quotes bytes of
//     the input), which get the code alone;
//   - "auth: hashing queue full" at Warn, attributes rejected (calls
//     refused with ErrHashQueueFull since the last such record), waiting and
//     in_flight; at most one a second, so that a flood does not flood the
//     log too.
//
// No record holds a password, hash, secret or token. The login handler
// logs through its Service's logger.
func WithLogger(l *slog.Logger) ServiceOption { return func(c *serviceConfig) { c.logger = l } }

// loginDone counts (and logs) the end of a login.
func (s *Service) loginDone(ctx context.Context, email, role string, err error) {
	switch {
	case err == nil:
		s.counters.loginOK.Add(1)
		if s.log != nil {
			s.log.LogAttrs(ctx, slog.LevelInfo, "auth: login", slog.String("outcome", "success"),
				slog.String("email", email), slog.String("role", role))
		}
	case errors.Is(err, ErrInvalidPassword):
		s.counters.loginInvalid.Add(1)
		if s.log != nil {
			s.log.LogAttrs(ctx, slog.LevelInfo, "auth: login failed", slog.String("outcome", "invalid_credentials"),
				slog.String("code", ErrInvalidPassword.SQLState()))
		}
	default:
		s.counters.loginErr.Add(1)
		if s.log != nil {
			attrs := []slog.Attr{slog.String("outcome", "error")}
			var st interface{ SQLState() string }
			code := ""
			if errors.As(err, &st) {
				code = st.SQLState()
				attrs = append(attrs, slog.String("code", code))
			}
			if !strings.HasPrefix(code, "22") {
				attrs = append(attrs, slog.String("error", err.Error()))
			}
			s.log.LogAttrs(ctx, slog.LevelWarn, "auth: login error", attrs...)
		}
	}
}

// queueFull counts a call refused with ErrHashQueueFull and logs at most
// one record a second.
func (s *Service) queueFull(ctx context.Context) {
	c := &s.counters
	c.queueFull.Add(1)
	if s.log == nil {
		return
	}
	c.queueFullSince.Add(1)
	now := time.Now().UnixNano()
	last := c.queueFullLogged.Load()
	if now-last < int64(time.Second) || !c.queueFullLogged.CompareAndSwap(last, now) {
		return
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "auth: hashing queue full",
		slog.Uint64("rejected", c.queueFullSince.Swap(0)), slog.Int64("waiting", s.waiting.Load()),
		slog.Int("in_flight", len(s.slots)))
}
