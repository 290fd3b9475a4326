package main

import (
	"fmt"
	"math"
	"strconv"

	"github.com/pgjwt-go/pgjwt/crypt"
)

var genSaltCommand = &command{
	name:     "gen-salt",
	synopsis: "[--pg MAJOR] TYPE [ROUNDS]",
	summary:  "print a new salt as pgcrypto's gen_salt() does",
	run:      runGenSalt,
}

func init() {
	commandDoc["gen-salt"] = `Prints gen_salt(TYPE) or gen_salt(TYPE, ROUNDS) as pgcrypto makes it, with
random bytes from the operating system. TYPE is bf, md5, xdes or des, and from
PostgreSQL 18 also sha256crypt or sha512crypt (case-insensitive, as in
PostgreSQL). ROUNDS is the iteration count (bf: the cost 4–31; xdes: odd,
1–16777215; sha*: 1000–999999999; des only 25 and md5 only 1000, their
fixed counts); 0 means the type's default, as for gen_salt(TYPE).

Examples:
  pgjwt gen-salt bf 10
  pgjwt gen-salt --pg 18 sha512crypt 100000`
}

func runGenSalt(e *env, g *globals, cmd *command, args []string) error {
	var major int
	fs := newFlagSet(cmd, g, &major)
	rest, err := parse(e, cmd, fs, args)
	if err != nil {
		return err
	}
	if len(rest) < 1 || len(rest) > 2 {
		return &usageError{cmd: cmd, msg: "expects TYPE and an optional ROUNDS"}
	}
	rounds, haveRounds := 0, len(rest) == 2
	if haveRounds {
		// gen_salt's iter_count is an int4.
		n, err := strconv.ParseInt(rest[1], 10, 32)
		if err != nil {
			return &usageError{cmd: cmd, msg: fmt.Sprintf("ROUNDS must be an integer from %d to %d, not %q", math.MinInt32, math.MaxInt32, rest[1])}
		}
		rounds = int(n)
	}
	salt, err := genSalt(crypt.ForVersion(major), rest[0], rounds, haveRounds)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, salt)
	return err
}

// genSalt is gen_salt(typ) or, with haveRounds, gen_salt(typ, rounds).
func genSalt(v crypt.Version, typ string, rounds int, haveRounds bool) (string, error) {
	if haveRounds {
		return v.GenSaltRounds(typ, rounds)
	}
	return v.GenSalt(typ)
}
