package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/pgjwt-go/pgjwt/auth"
)

const (
	anonRole    = "anon"    // PostgREST's db-anon-role: requests without a token
	demoRole    = "webuser" // the role of the demo user
	envSecret   = "PGJWT_SECRET"
	envDatabase = "DATABASE_URL"
)

type config struct {
	addr        string
	users       []user
	secret      string // "" when neither PGJWT_SECRET nor -secret-file gave one
	databaseURL string
	install     bool
	demo        bool         // users holds the demo user, made up because no -user was given
	keys        *auth.KeySet // -key: sign with this key; nil: with the secret
	logFormat   string
	timing      bool         // Server-Timing: jwt;dur=…
	logger      *slog.Logger // built by run from logFormat
	hashCost    int          // -hash-cost: bcrypt cost of new and rehashed passwords
}

type user struct{ email, pass, role string }

func parseConfig(args []string, env func(string) (string, bool), out io.Writer) (config, error) {
	var cfg config
	var secretFile string
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:3000", "listen on `host:port`")
	fs.Func("user", "add a user `email:password:role` (repeatable; for demos, as argv is visible in ps); without any, and without $"+envDatabase+", a demo user is made up",
		func(v string) error {
			u, err := parseUser(v)
			cfg.users = append(cfg.users, u)
			return err
		})
	fs.StringVar(&secretFile, "secret-file", "", "read the JWT secret from `file` (one trailing newline is dropped); default $"+envSecret)
	fs.StringVar(&cfg.logFormat, "log", "text", "log `format`: text, json or off (logins, authentication failures, hashing queue saturation; never a password or token)")
	fs.BoolVar(&cfg.timing, "server-timing", false, "send PostgREST's Server-Timing: jwt;dur=… header (its server-timing-enabled)")
	var keyFile string
	fs.StringVar(&keyFile, "key", "", "sign logins with the private JWK in `file` (see pgjwt keygen) and serve its public key at /.well-known/jwks.json")
	fs.IntVar(&cfg.hashCost, "hash-cost", 6, "bcrypt `cost` of new and rehashed passwords (4-31; 6 is gen_salt('bf')'s; logins below it are rehashed; with -install the trigger uses it too)")
	fs.BoolVar(&cfg.install, "install", false, "with $"+envDatabase+": install the basic_auth schema and login() first")
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: login [flags]\n\nA PostgREST-compatible login server. Users live in memory unless $%s names a\nPostgreSQL database. The secret comes from $%s or -secret-file, never from argv.\n\n", envDatabase, envSecret)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if cfg.logFormat != "text" && cfg.logFormat != "json" && cfg.logFormat != "off" {
		return config{}, fmt.Errorf("-log %q: want text, json or off", cfg.logFormat)
	}
	if cfg.hashCost < 4 || cfg.hashCost > 31 {
		return config{}, fmt.Errorf("-hash-cost %d: want 4 to 31", cfg.hashCost)
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	}
	if keyFile != "" {
		ks, err := loadSigningKey(keyFile)
		if err != nil {
			return config{}, err
		}
		cfg.keys = ks
	}
	cfg.databaseURL, _ = env(envDatabase)
	if cfg.install && cfg.databaseURL == "" {
		return config{}, errors.New("-install needs $" + envDatabase)
	}
	if len(cfg.users) == 0 && cfg.databaseURL == "" {
		// A random password: even a demo should not run with a known one.
		cfg.users = []user{{email: "demo@example.com", pass: rand.Text()[:16], role: demoRole}}
		cfg.demo = true
	}

	switch v, ok := env(envSecret); {
	case secretFile != "":
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return config{}, err
		}
		cfg.secret = strings.TrimSuffix(string(b), "\n")
		if cfg.secret == "" {
			return config{}, fmt.Errorf("secret file %s is empty", secretFile)
		}
	case ok:
		if v == "" {
			return config{}, errors.New("$" + envSecret + " is set but empty")
		}
		cfg.secret = v
	}
	// postgrest.WithJWTSecret reads "@path" as a file name, PostgREST's rule for
	// jwt-secret; a literal secret must not start with "@".
	if strings.HasPrefix(cfg.secret, "@") {
		return config{}, errors.New("the secret starts with \"@\", which the middleware would take for a file name")
	}
	return cfg, nil
}

// parseUser reads email:password:role. The email cannot contain ':' here; the
// password may (everything between the first and the last ':').
func parseUser(v string) (user, error) {
	first, last := strings.Index(v, ":"), strings.LastIndex(v, ":")
	if first < 0 || first == last {
		return user{}, errors.New("want email:password:role")
	}
	u := user{email: v[:first], pass: v[first+1 : last], role: v[last+1:]}
	if u.email == "" || u.pass == "" || u.role == "" {
		return user{}, errors.New("want email:password:role, none of them empty")
	}
	return u, nil
}
