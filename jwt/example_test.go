package jwt_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pgjwt-go/pgjwt/jwt"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// The token the seed's SQL login() mints with
// sign(row_to_json(r), current_setting('app.jwt_secret')) for a user who
// logs in at 19:01:40.6 UTC: role, email and exp one hour later.
func Example_login() {
	now := time.Date(2026, 11, 25, 19, 1, 40, 600000000, time.UTC)
	exp, err := pgjson.EpochSeconds(now) // extract(epoch from now())::integer
	if err != nil {
		panic(err)
	}
	payload, err := pgjson.RowToJSON(pgjson.Object{
		{Key: "role", Value: "webuser"},
		{Key: "email", Value: "foo@bar.com"},
		{Key: "exp", Value: exp + 60*60},
	})
	if err != nil {
		panic(err)
	}
	token, err := jwt.Sign(payload, "reallyreallyreallyreallyverysafe", "HS256")
	if err != nil {
		panic(err)
	}
	fmt.Println(token)
	// Output: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoid2VidXNlciIsImVtYWlsIjoiZm9vQGJhci5jb20iLCJleHAiOjE3OTU2MzY5MDF9.Z8Nm6_qqMvEX3qvazvH7c-G0oxqnOEVIeP8SXs0_NBc
}

// Sign keeps the payload text exactly as given, like PostgreSQL's json type.
func ExampleSign() {
	token, err := jwt.Sign(json.RawMessage(` { "b" : 2 ,"a":1 } `), "", "HS256")
	fmt.Println(token, err)
	_, err = jwt.Sign(json.RawMessage(`not json`), "s", "HS256")
	var e *jwt.Error
	errors.As(err, &e)
	fmt.Println(e.SQLState(), e.Message, e.Detail)
	// Output:
	// eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.IHsgImIiIDogMiAsImEiOjEgfSA.2-HayiQC3JsaK0Ou1x-s6In_faOl0_OIpD0dKxumi34 <nil>
	// 22P02 invalid input syntax for type json Token "not" is invalid.
}

func ExampleVerifyAt() {
	secret := "reallyreallyreallyreallyverysafe"
	token, _ := jwt.Sign(json.RawMessage(`{"role":"webuser","exp":1795636901}`), secret, "HS256")

	before := time.Date(2026, 11, 25, 20, 1, 40, 0, time.UTC) // 1795636900
	res, err := jwt.VerifyAt(token, secret, "HS256", before)
	fmt.Println(res.Valid, string(res.Header), string(res.Payload), err)

	res, _ = jwt.VerifyAt(token, secret, "HS256", before.Add(time.Second)) // exp is exclusive
	fmt.Println(res.Valid)

	res, _ = jwt.VerifyAt(token, "wrong", "HS256", before)
	fmt.Println(res.Valid)

	// Two segments: no signature to check, so NULL - never trust that.
	res, _ = jwt.VerifyAt("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ", secret, "HS256", before)
	fmt.Println(res.Valid)
	// Output:
	// true {"alg":"HS256","typ":"JWT"} {"role":"webuser","exp":1795636901} <nil>
	// false
	// false
	// NULL
}

// Errors carry pgjwt's SQLSTATE and PostgreSQL's message.
func ExampleVerifyAt_errors() {
	secret := "s"
	at := time.Unix(1764000000, 0)
	for _, payload := range []string{`{"exp":"NaN"}`, `{"nbf":99999999999,"exp":1}`, `{"exp":1e20}`} {
		token, _ := jwt.Sign(json.RawMessage(payload), secret, "HS256")
		_, err := jwt.VerifyAt(token, secret, "HS256", at)
		fmt.Println(err.(*jwt.Error).SQLState(), err)
	}
	_, err := jwt.VerifyAt("Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.x", secret, "HS256", at)
	fmt.Println(errors.Is(err, jwt.ErrBase64End), err)
	// Output:
	// 22008 jwt: timestamp cannot be NaN
	// 22000 jwt: range lower bound must be less than or equal to range upper bound
	// 22008 jwt: timestamp out of range: "1e+20"
	// true jwt: invalid base64 end sequence
}

func ExampleURLEncode() {
	fmt.Println(jwt.URLEncode([]byte{0xfb, 0xff}), jwt.URLEncode([]byte(`{"a":1}`)))
	// Output: -_8 eyJhIjoxfQ
}

// PostgreSQL's base64 decoder is lenient in its own ways.
func ExampleURLDecode() {
	for _, s := range []string{"QQ", "QQ==QUJD", "+/", "-_", "QR", "QUJD€", "QQ\n"} {
		b, err := jwt.URLDecode(s)
		fmt.Printf("%q %x %v\n", s, b, err)
	}
	// Output:
	// "QQ" 41 <nil>
	// "QQ==QUJD" 4141 <nil>
	// "+/" fb <nil>
	// "-_" fb <nil>
	// "QR" 41 <nil>
	// "QUJD€"  jwt: invalid symbol "€" found while decoding base64 sequence
	// "QQ\n"  jwt: invalid base64 end sequence
}

func ExampleAlgorithmSign() {
	sig, err := jwt.AlgorithmSign("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ", "s", "HS256")
	fmt.Println(sig, err)
	_, err = jwt.AlgorithmSign("x", "s", "hs256")
	fmt.Println(err)
	// Output:
	// sad3AhpjllXE_XL6lSwwMXhV_4WThhyMgxWlDkDaBHQ <nil>
	// jwt: Cannot use "": No such hash algorithm
}

// float8 input rules, not strconv's.
func ExampleTryCastDouble() {
	for _, s := range []string{" 12 ", "0x10", "1_000", "1e-400", "1e-320", "-inf", "nan(1)", "75z"} {
		v, ok := jwt.TryCastDouble(s)
		fmt.Printf("%q %v %v\n", s, v, ok)
	}
	// Output:
	// " 12 " 12 true
	// "0x10" 16 true
	// "1_000" 0 false
	// "1e-400" 0 false
	// "1e-320" 1e-320 true
	// "-inf" -Inf true
	// "nan(1)" NaN true
	// "75z" 0 false
}

// Install the functions where the pgjwt extension is missing (pgcrypto must
// be installed; by default in the same schema, as pgjwt requires):
//
//	sql, err := jwt.CompatSQL("auth", jwt.WithPgcryptoSchema("extensions"))
//	if err != nil {
//		return err // a name PostgreSQL cannot hold: jwt.ErrInvalidName, jwt.ErrNameTooLong
//	}
//	_, err = pool.Exec(ctx, sql)
//
// Names are taken verbatim, as quoted identifiers; a name too long is
// refused rather than truncated.
func ExampleCompatSQL() {
	sql, err := jwt.CompatSQL(`my "schema"`)
	fmt.Println(err, containsLine(sql, `CREATE OR REPLACE FUNCTION "my ""schema""".sign(payload json, secret text, algorithm text DEFAULT 'HS256') RETURNS text`))
	_, err = jwt.CompatSQL(strings.Repeat("x", 64))
	fmt.Println(errors.Is(err, jwt.ErrNameTooLong))
	// Output:
	// <nil> true
	// true
}

func containsLine(s, line string) bool {
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		if s[:i] == line {
			return true
		}
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return false
}
