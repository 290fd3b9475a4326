package pgjson_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// The payload the seed's login() hands to sign(): row_to_json of role,
// email and an exp one hour after now.
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
	fmt.Println(string(payload))
	// Output: {"role":"webuser","email":"foo@bar.com","exp":1795636901}
}

func ExampleRowToJSON() {
	out, _ := pgjson.RowToJSON(pgjson.Object{
		{Key: "name", Value: "<b>&</b>"},
		{Key: "at", Value: time.Date(2026, 11, 25, 19, 57, 28, 123450000, time.UTC)},
		{Key: "ratio", Value: 0.1},
		{Key: "big", Value: 1e15},
		{Key: "tags", Value: []string{"a", "b"}},
		{Key: "price", Value: pgjson.Numeric("12.50")},
		{Key: "extra", Value: json.RawMessage(`{"kept" :  "verbatim"}`)},
	})
	fmt.Println(string(out))
	// Output: {"name":"<b>&</b>","at":"2026-11-25T19:57:28.12345+00:00","ratio":0.1,"big":1e+15,"tags":["a","b"],"price":12.50,"extra":{"kept" :  "verbatim"}}
}

func ExampleBuildObject() {
	out, _ := pgjson.BuildObject(pgjson.Object{
		{Key: "role", Value: "anon"},
		{Key: "exp", Value: 1764097300},
		{Key: "nested", Value: pgjson.Object{{Key: "a", Value: nil}}},
	})
	fmt.Println(string(out))
	// Output: {"role" : "anon", "exp" : 1764097300, "nested" : {"a" : null}}
}

func ExampleJSONB() {
	out, _ := pgjson.JSONB(pgjson.Object{
		{Key: "role", Value: "anon"},
		{Key: "exp", Value: 1764097300},
		{Key: "role", Value: "admin"}, // the last duplicate wins
		{Key: "f", Value: 1e-5},
		{Key: "raw", Value: json.RawMessage(`{"b":1, "a":[1.0, 2E2]}`)},
	})
	fmt.Println(string(out))
	// Output: {"f": 0.00001, "exp": 1764097300, "raw": {"a": [1.0, 200], "b": 1}, "role": "admin"}
}

// EpochSeconds rounds half a second away from zero, as numeric → integer does.
func ExampleEpochSeconds() {
	s, _ := pgjson.EpochSeconds(time.Unix(1764097300, 500000000))
	fmt.Println(s)
	// Output: 1764097301
}

// Where encoding/json and PostgreSQL part ways.
func ExampleToJSON() {
	for _, v := range []any{"<a href='x'>&</a>", 1e15, 1e-5, float32(1e6), pgjson.Numeric("2.50"), []byte("hi")} {
		pg, _ := pgjson.ToJSON(v)
		goJSON, _ := json.Marshal(v)
		fmt.Printf("%s  %s\n", pg, goJSON)
	}
	// Output:
	// "<a href='x'>&</a>"  "\u003ca href='x'\u003e\u0026\u003c/a\u003e"
	// 1e+15  1000000000000000
	// 1e-05  0.00001
	// 1e+06  1000000
	// 2.50  "2.50"
	// "\\x6869"  "aGk="
}
