package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/auth"
)

// The login limits. Per account: 10 attempts at once, then one a minute,
// so a guesser gets at most about 1,440 guesses a day at one account while
// a user who mistypes a few times never notices. Per client address (an
// IPv4 address or an IPv6 /64): 30 at once, then one every 2 s (1,800 an
// hour), room for a shared office NAT, while one address cannot spray
// guesses over many accounts quickly.
var (
	accountLimit = auth.Limit{Every: time.Minute, Burst: 10}
	addressLimit = auth.Limit{Every: 2 * time.Second, Burst: 30}
)

// loginThrottles returns the login handler's throttling options: in
// memory, or with $DATABASE_URL (pool) in the database's basic_auth.throttle, so
// that every replica on that database counts the same attempts. The client
// address is the connection's; behind a reverse proxy add
// auth.WithForwardedFor(1), or every client is the proxy.
func loginThrottles(ctx context.Context, cfg config, pool *pgxpool.Pool, out io.Writer) ([]auth.LoginHandlerOption, error) {
	if pool == nil {
		account, err := auth.NewMemThrottle(accountLimit, 0)
		if err != nil {
			return nil, err
		}
		address, err := auth.NewMemThrottle(addressLimit, 0)
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(out, "throttle: in memory, per account and per address")
		return []auth.LoginHandlerOption{auth.WithAccountThrottle(account), auth.WithAddressThrottle(address)}, nil
	}
	if cfg.install {
		if err := auth.InstallThrottleSchema(ctx, pool, ""); err != nil {
			return nil, err
		}
	}
	// Fail at start-up, not at every login, when the table is missing.
	if _, err := pool.Exec(ctx, "SELECT FROM basic_auth.throttle LIMIT 0"); err != nil {
		return nil, fmt.Errorf("throttle table: %w\n(run once with -install to create basic_auth.throttle)", err)
	}
	account, err := auth.NewPGThrottle(pool, "login-account", accountLimit)
	if err != nil {
		return nil, err
	}
	address, err := auth.NewPGThrottle(pool, "login-address", addressLimit)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(out, "throttle: PostgreSQL, table basic_auth.throttle, shared by all replicas")
	return []auth.LoginHandlerOption{auth.WithAccountThrottle(account), auth.WithAddressThrottle(address)}, nil
}
