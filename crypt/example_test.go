package crypt_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/pgjwt-go/pgjwt/crypt"
)

func ExampleCrypt() {
	// The setting's prefix picks the algorithm, exactly as in
	// SELECT crypt('password', '$2a$04$abcdefghijklmnopqrstuu').
	hash, err := crypt.Crypt("password", "$2a$04$abcdefghijklmnopqrstuu")
	fmt.Println(hash, err)

	// Unknown prefixes, including OpenBSD's "$2b$", silently become
	// traditional DES with the first two bytes as salt.
	hash, err = crypt.Crypt("password", "$2b$10$abcdefghijklmnopqrstuu")
	fmt.Println(hash, err)

	// Errors carry PostgreSQL's SQLSTATE and message.
	_, err = crypt.Crypt("password", "$2a$03$abcdefghijklmnopqrstuu")
	var e *crypt.Error
	fmt.Println(errors.As(err, &e), e.SQLState(), errors.Is(err, crypt.ErrInvalidSalt), err)
	// Output:
	// $2a$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm <nil>
	// $2SXu7evaw9i. <nil>
	// true 22023 true crypt: invalid salt
}

func ExampleGenSalt() {
	// In production: salt, err := crypt.GenSalt("bf") (crypto/rand).
	// WithRand makes the salt reproducible, for tests and this example only.
	v := crypt.ForVersion(18, crypt.WithRand(bytes.NewReader(make([]byte, 16))))
	salt, err := v.GenSaltRounds("bf", 8)
	fmt.Println(salt, err)

	// Type names ignore case; counts are checked as gen_salt checks them.
	_, err = crypt.GenSaltRounds("BF", 32)
	fmt.Println(err)
	_, err = crypt.ForVersion(17).GenSalt("sha512crypt")
	fmt.Println(err)
	// Output:
	// $2a$08$...................... <nil>
	// crypt: gen_salt: Incorrect number of rounds
	// crypt: gen_salt: Unknown salt algorithm
}

func ExampleVerify() {
	const stored = "$2a$06$RQiOJ.3ELirrXwxIZY8q0OR3CVJrAfda1z26CCHPnB6mmVZD8p0/C"
	ok, err := crypt.Verify("foox", stored)
	fmt.Println(ok, err)
	ok, err = crypt.Verify("wrong", stored)
	fmt.Println(ok, err)
	// A hash pgcrypto cannot use is an error, not a mismatch.
	ok, err = crypt.Verify("foox", "$2a$06$short")
	fmt.Println(ok, err)
	// Output:
	// true <nil>
	// false <nil>
	// false crypt: invalid salt
}

func ExampleWithNotices() {
	// PostgreSQL 18 clamps sha-crypt rounds with a NOTICE, not an error.
	v := crypt.ForVersion(18, crypt.WithNotices(func(n crypt.Notice) {
		fmt.Println("NOTICE", n.Code, n.Message)
	}))
	hash, err := v.Crypt("the minimum number is still observed", "$5$rounds=10$roundstoolow")
	fmt.Println(hash, err)
	// Output:
	// NOTICE 22003 rounds=10 is below supported value (1000), using 1000 instead
	// $5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC <nil>
}

func ExampleForVersion() {
	// "$5$" is sha256crypt from PostgreSQL 18 on, traditional DES before.
	for _, major := range []int{15, 18} {
		hash, _ := crypt.ForVersion(major).Crypt("foox", "$5$abc")
		fmt.Println(major, hash)
	}
	// Output:
	// 15 $55y.x3hDhH9I
	// 18 $5$abc$MhVm6lOm5NxccMg.jT6tB06vflslWYXNfwgh/APZHyB
}

func ExampleVerifyBatch() {
	// Two logins waiting at once: a right password and a wrong one, both
	// bcrypt of cost 6, are computed together in about the time of one.
	// A hash pgcrypto cannot use fails alone, with Verify's error.
	checks := []crypt.Check{
		{Password: "foox", Hash: "$2a$06$RQiOJ.3ELirrXwxIZY8q0OR3CVJrAfda1z26CCHPnB6mmVZD8p0/C"},
		{Password: "wrong", Hash: "$2a$06$RQiOJ.3ELirrXwxIZY8q0OdjttBr27xfQ8SaBCuiIfqkSuQ8dtypC"},
		{Password: "foox", Hash: "$2a$06$short"},
	}
	fmt.Println(crypt.Pairable(checks[0].Hash, checks[1].Hash))
	crypt.VerifyBatch(checks)
	for _, c := range checks {
		fmt.Println(c.OK, c.Err)
	}
	// Output:
	// true
	// true <nil>
	// false <nil>
	// false crypt: invalid salt
}

// In a LATIN1 database PostgreSQL quotes a byte, not a UTF-8 character;
// tell crypt the database's server_encoding to get its message.
func ExampleWithEncoding() {
	setting := "$5$ab\xc3\xa4" // "abä" as UTF-8, or "abÃ¤" in LATIN1
	_, err := crypt.ForVersion(18).Crypt("pw", setting)
	fmt.Printf("%q\n", err)
	_, err = crypt.ForVersion(18, crypt.WithEncoding("LATIN1")).Crypt("pw", setting)
	fmt.Printf("%q\n", err)
	// Output:
	// "crypt: invalid character in salt string: \"ä\""
	// "crypt: invalid character in salt string: \"\xc3\""
}
