package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/auth"
)

// openService returns the login Service and the secret its tokens are signed
// with, on the in-memory store or, with DATABASE_URL, on PostgreSQL; then
// also the pool, which the throttles share.
func openService(ctx context.Context, cfg config, out io.Writer) (*auth.Service, string, *pgxpool.Pool, error) {
	if cfg.databaseURL == "" {
		svc, secret, err := memoryService(ctx, cfg, out)
		return svc, secret, nil, err
	}
	pool, err := pgxpool.New(ctx, cfg.databaseURL)
	if err != nil {
		return nil, "", nil, err
	}
	svc, secret, err := databaseService(ctx, pool, cfg, out)
	if err != nil {
		pool.Close()
		return nil, "", nil, err
	}
	return svc, secret, pool, nil
}

// memoryService: users from -user (or a demo user), secret from the
// environment (or a random one that dies with the process).
func memoryService(ctx context.Context, cfg config, out io.Writer) (*auth.Service, string, error) {
	secret := cfg.secret
	if secret == "" {
		secret = rand.Text() + rand.Text() // 52 base32 characters, 260 random bits
		fmt.Fprintf(out, "secret: random, for this run only (set $%s or -secret-file to keep tokens valid across restarts)\n", envSecret)
	}
	users := cfg.users
	// The memory store stands in for the database, whose roles are what the
	// users may have; here those are the roles the users were given.
	roles := []string{demoRole} // the role of sign-ups
	for _, u := range users {
		roles = append(roles, u.role)
	}
	mem := auth.NewMemStore(roles...)
	if err := mem.SetHashPolicy(cfg.hashPolicy()); err != nil {
		return nil, "", err
	}
	svc, err := newService(mem, secret, cfg, out)
	if err != nil {
		return nil, "", err
	}
	for _, u := range users {
		if err := svc.SignUp(ctx, u.email, u.pass, u.role); err != nil {
			return nil, "", fmt.Errorf("user %s: %w", u.email, err)
		}
	}
	fmt.Fprintf(out, "store: in memory, %d user(s), lost on exit\n", len(users))
	return svc, secret, nil
}

// databaseService: users in basic_auth.users, and the secret the SQL login()
// signs with (the database setting app.jwt_secret), so that a token from
// either is accepted by the other.
func databaseService(ctx context.Context, pool *pgxpool.Pool, cfg config, out io.Writer) (*auth.Service, string, error) {
	if cfg.install {
		inst, err := auth.InstallSchema(ctx, pool, auth.WithUserRole(demoRole), // and signup(), change_password()
			auth.WithTriggerHashPolicy(cfg.hashPolicy()))
		if err != nil {
			return nil, "", err
		}
		fmt.Fprintf(out, "installed: basic_auth.users, public.login() (sign() from schema %s)\n", inst.SignSchema)
	}
	store, err := auth.NewPGStore(ctx, pool)
	if errors.Is(err, auth.ErrSchemaNotInstalled) && !cfg.install {
		return nil, "", fmt.Errorf("%w\n(run once with -install to create basic_auth.users and login())", err)
	}
	if err != nil {
		return nil, "", err
	}
	secret, err := databaseSecret(ctx, pool, store, cfg, out)
	if err != nil {
		return nil, "", err
	}
	svc, err := newService(store, secret, cfg, out)
	if err != nil {
		return nil, "", err
	}
	for _, u := range cfg.users {
		switch err := svc.SignUp(ctx, u.email, u.pass, u.role); {
		case errors.Is(err, auth.ErrDuplicateEmail):
			fmt.Fprintf(out, "user %s exists, left unchanged\n", u.email)
		case err != nil:
			return nil, "", fmt.Errorf("user %s: %w", u.email, err)
		}
	}
	fmt.Fprintln(out, "store: PostgreSQL, table basic_auth.users")
	return svc, secret, nil
}

// databaseSecret reconciles the secret given to this program with the
// database's app.jwt_secret: they must be one secret, or the tokens of the
// SQL login() and of this server would not verify against each other.
// -install stores a missing one (a random one when none was given).
func databaseSecret(ctx context.Context, pool *pgxpool.Pool, store *auth.PGStore, cfg config, out io.Writer) (string, error) {
	stored, err := store.Secret(ctx)
	switch {
	case errors.Is(err, auth.ErrNoSecret): // the SQL login() cannot sign yet either
		stored = ""
	case err != nil:
		return "", err
	}
	switch {
	case stored != "" && cfg.secret != "" && stored != cfg.secret:
		return "", errors.New("the given secret ($" + envSecret + " or -secret-file) differs from the database's app.jwt_secret; use one secret")
	case stored != "":
		fmt.Fprintln(out, "secret: the database's app.jwt_secret")
		return stored, nil
	case !cfg.install && cfg.secret == "":
		return "", errors.New("the database has no app.jwt_secret: run once with -install, or " +
			`ALTER DATABASE … SET app.jwt_secret TO '…' (at least 32 bytes)`)
	case !cfg.install:
		fmt.Fprintln(out, "secret: from the environment; the SQL login() cannot sign until app.jwt_secret is set (-install does that)")
		return cfg.secret, nil
	}
	secret, how := cfg.secret, "given"
	if secret == "" {
		secret, how = rand.Text()+rand.Text(), "random"
	}
	if len(secret) < 32 { // checked before it is stored; NewService would refuse it later
		return "", fmt.Errorf("%w (got %d)", auth.ErrShortSecret, len(secret))
	}
	// ALTER DATABASE takes no parameters: let format() quote name and value.
	var alter string
	err = pool.QueryRow(ctx, "SELECT format('ALTER DATABASE %I SET app.jwt_secret TO %L', current_database(), $1::text)",
		secret).Scan(&alter)
	if err == nil {
		_, err = pool.Exec(ctx, alter)
	}
	if err != nil {
		return "", fmt.Errorf("store app.jwt_secret: %w", err)
	}
	fmt.Fprintf(out, "secret: %s, stored as the database's app.jwt_secret (new sessions see it)\n", how)
	return secret, nil
}
