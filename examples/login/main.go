// Command login is a PostgREST-compatible login server: POST /rpc/login
// answers as PostgREST answers for the "SQL User Management" login(), and GET
// /me, behind the same authentication PostgREST runs, shows the role and
// claims a token carries.
//
// Run it with no set-up at all (users in memory, a random secret, one demo
// user whose curl lines it prints):
//
//	go run ./examples/login
//
// or seed users, and keep tokens valid across restarts with a secret file:
//
//	head -c 32 /dev/urandom | base64 > jwt-secret
//	go run ./examples/login -secret-file jwt-secret -user alice@example.com:s3cret-pass:webuser
//
// With DATABASE_URL it uses the basic_auth.users table of that database and
// the database's app.jwt_secret, so that its tokens and those of the SQL
// login() are one and the same. -install creates the table and login() and,
// when the database has no app.jwt_secret yet, stores one (the secret from
// PGJWT_SECRET or -secret-file, or a random one). Roles given with -user must
// exist in the database:
//
//	psql "$DATABASE_URL" -c 'CREATE ROLE webuser NOLOGIN'
//	DATABASE_URL=postgres://… go run ./examples/login -install -user alice@example.com:s3cret-pass:webuser
//
// With -key FILE (a private JWK from "pgjwt keygen") logins are signed with
// that key instead (ES256, ES384, EdDSA or RS256, with its kid), and GET
// /.well-known/jwks.json serves the public key, ready to be PostgREST's
// jwt-secret; tokens signed with the secret (the SQL login()'s) still verify:
//
//	pgjwt keygen --alg ES256 --out login
//	go run ./examples/login -key login.jwk
//
// Endpoints: POST /rpc/login {"email":…,"pass":…} → {"token":…};
// POST /rpc/signup {"email":…,"pass":…} → 204 (role webuser);
// POST /rpc/change_password {"pass":…,"new_pass":…} with the token → 204;
// GET /me → {"role":…,"claims":{…}}; GET /healthz → ok; GET /metrics → the
// counters of auth.Service.Stats and postgrest.Authenticator.Stats in the
// Prometheus text format (PostgREST's names for the JWT cache:
// pgrst_jwt_cache_requests_total, pgrst_jwt_cache_hits_total,
// pgrst_jwt_cache_evictions_total; pgjwt_… for the rest).
//
// With -key, GET /.well-known/jwks.json → {"keys":[…]}.
//
// It logs (-log text, the default, json or off) logins, authentication
// failures with their PostgREST code, and hashing-queue saturation, through
// log/slog; -server-timing adds PostgREST's Server-Timing: jwt;dur=… header.
//
// The server bounds every connection, so that a client sending its request
// one byte at a time cannot hold a connection (and a goroutine and a
// buffer) for as long as it likes: the headers must arrive within 5 s, the
// whole request within 20 s, and the response is written within 25 s of
// the headers, so every exchange is over within 30 s; idle kept-alive
// connections close after 60 s. Keep such limits when you copy this server.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pgjwt-go/pgjwt/auth"
	"github.com/pgjwt-go/pgjwt/auth/postgrest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "login:", err)
		os.Exit(1)
	}
}

// run is the whole program; main only adds the process around it, so tests
// can start the server in-process and stop it by cancelling ctx.
func run(ctx context.Context, args []string, env func(string) (string, bool), stdout io.Writer) error {
	cfg, err := parseConfig(args, env, stdout)
	if err != nil {
		return err
	}

	// Logs go to stdout with the rest; the libraries are silent without a
	// logger.
	switch cfg.logFormat {
	case "text":
		cfg.logger = slog.New(slog.NewTextHandler(stdout, nil))
	case "json":
		cfg.logger = slog.New(slog.NewJSONHandler(stdout, nil))
	}

	// The users and the secret: in memory, or the database's.
	svc, secret, pool, err := openService(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	if pool != nil {
		defer pool.Close()
	}

	// PostgREST's authentication: verify the Bearer token, take its role
	// claim, and let requests without a token run as "anon".
	jwtSecret := secret
	if cfg.keys != nil {
		// The public key and the secret, as PostgREST's jwt-secret would
		// hold them during the migration.
		jwtSecret = cfg.keys.JWTSecret()
	}
	authn, err := postgrest.NewAuthenticator(postgrest.WithJWTSecret(jwtSecret), postgrest.WithAnonRole(anonRole),
		postgrest.WithLogger(cfg.logger), postgrest.WithServerTiming(cfg.timing))
	if err != nil {
		return err
	}
	authenticate := authn.Middleware

	mux := http.NewServeMux()
	// The login handler sits behind the middleware too: PostgREST refuses a
	// login that carries an expired or forged token.
	// GET (credentials in the URL) and array bodies (a login per element)
	// are refused by default.
	throttle, err := loginThrottles(ctx, cfg, pool, stdout)
	if err != nil {
		return err
	}
	mux.Handle("/rpc/login", authenticate(auth.NewLoginHandler(svc, throttle...)))
	// Sign-ups get the demo role, never one from the body; a password
	// change is for the bearer of a token of that role.
	mux.Handle("/rpc/signup", authenticate(auth.NewSignupHandler(svc, demoRole)))
	mux.Handle("/rpc/change_password", authenticate(auth.NewChangePasswordHandler(svc, demoRole)))
	mux.Handle("GET /me", authenticate(http.HandlerFunc(me)))
	// The counters of both libraries, read at scrape time. Behind a proxy,
	// keep /metrics off the public side (or serve it on a port of its own).
	mux.Handle("GET /metrics", metricsHandler(svc, authn))
	if cfg.keys != nil {
		mux.Handle("GET "+auth.JWKSPath, auth.JWKSHandler(cfg.keys))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := newServer(mux, timeouts)
	printWelcome(stdout, "http://"+ln.Addr().String(), cfg)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown: stop accepting, let requests in flight finish.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "stopped")
	return nil
}

// serverTimeouts are the limits newServer puts on every connection; zero
// means none.
type serverTimeouts struct {
	header  time.Duration // reading the request headers
	request time.Duration // reading the whole request, headers and body
	write   time.Duration // from the end of the headers to the end of the response
	idle    time.Duration // waiting for the next request on a kept-alive connection
}

// timeouts are the server's limits (a variable so that tests can scale
// them down). A client has 5 s for its headers and 20 s for the whole
// request, and the response must be written within 25 s of the headers: an
// exchange ends within 30 s, however slowly the client sends or reads. A
// kept-alive connection closes after 60 s without a request.
var timeouts = serverTimeouts{header: 5 * time.Second, request: 20 * time.Second, write: 25 * time.Second,
	idle: 60 * time.Second}

// newServer returns the HTTP server for handler with the limits t.
func newServer(handler http.Handler, t serverTimeouts) *http.Server {
	return &http.Server{Handler: handler, ReadHeaderTimeout: t.header, ReadTimeout: t.request,
		WriteTimeout: t.write, IdleTimeout: t.idle}
}

// me answers with who the request runs as: the role and the exact claims
// PostgREST would put into request.jwt.claims.
func me(w http.ResponseWriter, r *http.Request) {
	id, _ := postgrest.IdentityFrom(r.Context()) // always set behind the middleware
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		Role   string          `json:"role"`
		Claims json.RawMessage `json:"claims"`
	}{id.Role(), json.RawMessage(id.Claims())})
}
