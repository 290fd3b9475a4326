package rolepath

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// claims is a token payload in the shapes identity providers use (Keycloak's
// realm_access and resource_access, Auth0's namespaced claims), plus the
// corner cases: null, "", mixed arrays, non-ASCII names.
const claims = `{
	"role": "web_user",
	"sub": "u-42",
	"aud": ["api", "postgrest_test_author"],
	"exp": 1900000000,
	"want": "postgrest_test_author",
	"realm_access": {"roles": ["offline_access", "postgrest_test_author", "uma_authorization"]},
	"resource_access": {"web": {"roles": ["web_reader"]}, "api": {"roles": ["api_reader", "api_writer"]}},
	"https://example.com/claims": {"role": "ns_role", "roles": [{"value": "first"}, {"value": "second"}]},
	"app_metadata": {"role": null, "level": 3, "tags": ["a", 1, true, null, {"k": "v"}, ["x"], "b"]},
	"write-role": "editor",
	"é": {"rôle": "unicode"},
	"$meta": {"@type": "t"},
	"2fa": "otp",
	"": "blank",
	"odd": ["a)]b"],
	"empty": "",
	"nested": {"a": {"b": {"c": "deep"}}}
}`

type firstCase struct {
	key   string
	want  any  // a string, json.Number, bool, nil; or a JSON text when isJSON
	found bool // false: the path selects nothing
}

func checkFirst(t *testing.T, cases []firstCase) {
	t.Helper()
	m, ok := decodeClaims([]byte(claims))
	require.True(t, ok)
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			p, err := Parse(c.key)
			require.NoError(t, err)
			require.Equal(t, c.key, p.String())
			got, found := p.First(m)
			require.Equal(t, c.found, found, "got %#v", got)
			if text, isJSON := c.want.(jsonText); isJSON {
				require.JSONEq(t, string(text), canonical(t, got))
				return
			}
			require.Equal(t, c.want, got)
			// First is the first node of the whole query, whichever way
			// First takes (plain names have a fast path).
			all := p.all(m)
			require.Equal(t, found, len(all) > 0)
			if found {
				require.Equal(t, all[0], got)
			}
		})
	}
}

// jsonText marks an expected object or array, compared as JSON.
type jsonText string

func num(s string) json.Number { return json.Number(s) }

// TestLegacyDSL: the PostgREST v13/v14 syntax (any key not starting with
// "$"), still accepted by v16.2 with a deprecation warning.
func TestLegacyDSL(t *testing.T) {
	checkFirst(t, []firstCase{
		// .key: letters and digits (any script), "_", "$", "@"
		{".role", "web_user", true},
		{".realm_access.roles[1]", "postgrest_test_author", true},
		{".resource_access.api.roles[0]", "api_reader", true},
		{".é.rôle", "unicode", true},
		{".$meta.@type", "t", true},
		{".2fa", "otp", true},
		{".exp", num("1900000000"), true},
		{".aud", jsonText(`["api","postgrest_test_author"]`), true},
		// ."quoted": any characters but '"', no escapes
		{`."https://example.com/claims".role`, "ns_role", true},
		{`."https://example.com/claims".roles[0].value`, "first", true},
		{`."write-role"`, "editor", true},
		{`.""`, "blank", true},
		{`."é"."rôle"`, "unicode", true},
		// [n]: a non-negative index; leading zeros read as decimal
		{".aud[1]", "postgrest_test_author", true},
		{".aud[01]", "postgrest_test_author", true},
		{".aud[2]", nil, false},
		{".aud[0][0]", nil, false},
		{".realm_access[0]", nil, false},
		// found null and "" are found
		{".app_metadata.role", nil, true},
		{".empty", "", true},
		// nothing
		{".missing", nil, false},
		{".role.x", nil, false},
		{".aud.x", nil, false},
		{`."Role"`, nil, false},
		// one final filter [?(@ OP "text")] on an array: the first string
		// element that matches; other types are skipped
		{`.realm_access.roles[?(@ == "postgrest_test_author")]`, "postgrest_test_author", true},
		{`.realm_access.roles[?(@ != "offline_access")]`, "postgrest_test_author", true},
		{`.realm_access.roles[?(@ ^== "uma")]`, "uma_authorization", true},
		{`.realm_access.roles[?(@ ==^ "_author")]`, "postgrest_test_author", true},
		{`.realm_access.roles[?(@ *== "test")]`, "postgrest_test_author", true},
		{`.realm_access.roles[?(@ == "nobody")]`, nil, false},
		{`.realm_access.roles[?(@==  "offline_access")]`, "offline_access", true},
		{`.realm_access.roles[?( @ ^== "uma" )]`, "uma_authorization", true},
		{`.realm_access.roles[?(@ ^== "")]`, "offline_access", true},
		{`.app_metadata.tags[?(@ != "a")]`, "b", true},
		{`.app_metadata.tags[?(@ == "v")]`, nil, false},
		{`.odd[?(@ *== ")]")]`, "a)]b", true},
		{`.realm_access[?(@ == "roles")]`, nil, false},
		{`.role[?(@ == "web_user")]`, nil, false},
		{`."https://example.com/claims".roles[?(@ == "first")]`, nil, false},
	})
}

// TestJSONPath: RFC 9535 keys on the same claims; the compliance vectors in
// testdata cover the syntax case by case.
func TestJSONPath(t *testing.T) {
	checkFirst(t, []firstCase{
		// names
		{"$.role", "web_user", true},
		{"$['role']", "web_user", true},
		{`$["role"]`, "web_user", true},
		{"$.nested.a.b.c", "deep", true},
		{`$["https://example.com/claims"].roles[1].value`, "second", true},
		{"$['write-role']", "editor", true},
		{"$.é.rôle", "unicode", true},
		{`$["\u00e9"]['r\u00f4le']`, "unicode", true},
		{"$['$meta']['@type']", "t", true},
		{"$['2fa']", "otp", true},
		{"$['']", "blank", true},
		{"$.exp", num("1900000000"), true},
		{"$.app_metadata.role", nil, true},
		{"$.empty", "", true},
		{"$.missing", nil, false},
		{"$.role.x", nil, false},
		{"$.Role", nil, false},
		{"$", jsonText(claims), true},
		// indexes and slices
		{"$.realm_access.roles[1]", "postgrest_test_author", true},
		{"$.realm_access.roles[-1]", "uma_authorization", true},
		{"$.realm_access.roles[-3]", "offline_access", true},
		{"$.realm_access.roles[3]", nil, false},
		{"$.realm_access.roles[-4]", nil, false},
		{"$.aud[0]", "api", true},
		{"$.realm_access.roles[1:]", "postgrest_test_author", true},
		{"$.realm_access.roles[::-1]", "uma_authorization", true},
		{"$.realm_access.roles[-2::-1]", "postgrest_test_author", true},
		{"$.realm_access.roles[5:]", nil, false},
		{"$.realm_access.roles[1:1]", nil, false},
		{"$.realm_access.roles[::0]", nil, false},
		{"$.realm_access.roles[0,2]", "offline_access", true},
		{"$.realm_access.roles[2,0]", "uma_authorization", true},
		// wildcards and descendants: object members in sorted order
		{"$.resource_access.*.roles[0]", "api_reader", true},
		{"$.resource_access[*].roles[-1]", "api_writer", true},
		{"$.resource_access..roles[-1]", "api_writer", true},
		{"$..role", "web_user", true},
		{"$..value", "first", true},
		{"$..c", "deep", true},
		{"$..nope", nil, false},
		{"$.nested..*", jsonText(`{"b":{"c":"deep"}}`), true},
		{"$.aud.*", "api", true},
		// filters
		{`$.realm_access.roles[?@ == "postgrest_test_author"]`, "postgrest_test_author", true},
		{`$.realm_access.roles[?(@ == "postgrest_test_author")]`, "postgrest_test_author", true},
		{`$.realm_access.roles[?(@ != "offline_access")]`, "postgrest_test_author", true},
		{`$.realm_access.roles[?@ == $.want]`, "postgrest_test_author", true},
		{`$.realm_access.roles[?@ > "p" && @ < "u"]`, "postgrest_test_author", true},
		{`$.realm_access.roles[?@ == "x" || @ == "uma_authorization"]`, "uma_authorization", true},
		{`$.realm_access.roles[?!(@ == "offline_access")]`, "postgrest_test_author", true},
		{`$.realm_access.roles[?@ == "nobody"]`, nil, false},
		// the RFC's != also matches non-strings (the old DSL skipped them)
		{`$.app_metadata.tags[?@ != "a"]`, num("1"), true},
		{`$.app_metadata.tags[?@ == true]`, true, true},
		{`$.app_metadata.tags[?@ == null]`, nil, true},
		{`$.app_metadata.tags[?@ > 0]`, num("1"), true},
		{`$.app_metadata.tags[?@.k]`, jsonText(`{"k":"v"}`), true},
		{`$.app_metadata.tags[?@[0] == "x"]`, jsonText(`["x"]`), true},
		{`$[?@.level > 2].tags[-1]`, "b", true},
		{`$[?@.roles].roles[0]`, jsonText(`{"value":"first"}`), true},
		{`$..[?@ == "api_writer"]`, "api_writer", true},
		{`$.*[?@ == "api"]`, "api", true},
		// functions
		{`$.realm_access.roles[?search(@, "^uma")]`, "uma_authorization", true},
		{`$.realm_access.roles[?search(@, '_author$')]`, "postgrest_test_author", true},
		{`$.realm_access.roles[?match(@, "post.*")]`, "postgrest_test_author", true},
		{`$.realm_access.roles[?match(@, "post")]`, nil, false},
		{`$.realm_access.roles[?!search(@, "access")]`, "postgrest_test_author", true},
		{`$.realm_access.roles[?length(@) == 17]`, "uma_authorization", true},
		{`$.app_metadata.tags[?count(@.*) == 1]`, jsonText(`{"k":"v"}`), true},
		{`$.app_metadata.tags[?value(@[0]) == "x"]`, jsonText(`["x"]`), true},
		{`$[?length(@.roles) == 2].roles[1]`, jsonText(`{"value":"second"}`), true},
		{`$.*[?length(@.roles) == 2].roles[1]`, "api_writer", true},
		// blank space
		{"$ .realm_access\n.roles [ 1 ]", "postgrest_test_author", true},
		{"$.realm_access.roles[?\t@ ==\r\n'uma_authorization' ]", "uma_authorization", true},
	})
}

// TestParseErrors: the start-up message is PostgREST's ("failed to parse
// role-claim-key value (KEY)") followed by where and why.
func TestParseErrors(t *testing.T) {
	for key, why := range map[string]string{
		// old DSL
		"":                         "at offset 0: empty path",
		"role":                     "at offset 0: unexpected 'r'",
		" .role":                   "at offset 0: unexpected ' '",
		".":                        "at offset 1: empty key",
		".a.":                      "at offset 3: empty key",
		".a..b":                    "at offset 3: empty key",
		".a b":                     "at offset 2: unexpected ' '",
		".roles.write-role":        "at offset 12: unexpected '-'",
		`."unterminated`:           "at offset 2: unterminated quoted key",
		".a[":                      "at offset 3: bad index",
		".a[x]":                    "at offset 3: bad index",
		".a[-1]":                   "at offset 3: bad index",
		".a[1":                     "at offset 4: bad index",
		".a[99999999999999999999]": "at offset 23: bad index",
		".a[0]x":                   "at offset 5: unexpected 'x'",
		`.a[?(@ == "x")].b`:        "at offset 15: a filter must come last",
		`.a[?(@ = "x")]`:           "at offset 7: unknown filter operator",
		`.a[?(@ =~ "x")]`:          "at offset 7: unknown filter operator",
		`.a[?(x == "x")]`:          `at offset 5: filter must compare "@"`,
		`.a[?(@ == x)]`:            "at offset 10: filter needs a quoted string",
		`.a[?(@ == 'x')]`:          "at offset 10: filter needs a quoted string",
		`.a[?(@ == "x)]`:           "at offset 11: unterminated filter string",
		`.a[?(@ == "x")`:           `at offset 13: filter must end with ")]"`,
		`.a[?@ == "x"]`:            "at offset 3: bad index",
		// RFC 9535: segments and selectors
		"$ ":                         "at offset 1: unexpected ' '",
		"$.":                         "at offset 2: member name expected",
		"$..":                        "at offset 3: member name expected",
		"$.2fa":                      "at offset 2: member name expected",
		"$.a-b":                      "at offset 3: unexpected '-'",
		"$.roles[":                   "at offset 8: selector expected",
		"$[]":                        "at offset 2: selector expected",
		"$[0,]":                      "at offset 4: selector expected",
		"$[0":                        `at offset 3: "," or "]" expected`,
		"$[0 2]":                     `at offset 4: "," or "]" expected`,
		"$[1:2:3:4]":                 `at offset 7: "," or "]" expected`,
		"$.roles[01]":                `at offset 10: bad integer "01"`,
		"$[-0]":                      `at offset 4: bad integer "-0"`,
		"$[9007199254740992]":        "at offset 2: integer 9007199254740992 is out of range (-9007199254740991 to 9007199254740991)",
		"$[::-99999999999999999999]": "at offset 4: integer -99999999999999999999 is out of range (-9007199254740991 to 9007199254740991)",
		// string literals
		"$['a":               "at offset 4: unterminated string",
		`$['\q']`:            `at offset 5: bad escape \q`,
		`$["\'"]`:            `at offset 5: needless escape of '\''`,
		`$['\"']`:            `at offset 5: needless escape of '"'`,
		"$['a\tb']":          "at offset 4: control character in string",
		`$['\u12']`:          `at offset 5: bad \u escape`,
		`$[?@ == 'a\uZZZZ']`: `at offset 12: bad \u escape`,
		`$['\uD800']`:        `at offset 3: \uD800 is a high surrogate without a low one`,
		`$['\uD800\u0041']`:  `at offset 3: \uD800 is a high surrogate without a low one`,
		`$['\uDC00']`:        `at offset 3: \uDC00 is a low surrogate without a high one`,
		// filters
		`$.roles[?"x"]`:  "at offset 12: a literal is not a test",
		"$[?true]":       "at offset 7: a literal is not a test",
		"$[?@ == 01]":    "at offset 10: bad number",
		"$[?@ == 1.]":    "at offset 10: bad number",
		"$[?(@.a]":       `at offset 7: ")" expected`,
		"$[?@.a &&]":     "at offset 9: operand expected",
		"$[?!!@.a]":      "at offset 4: operand expected",
		"$[?!@.a == 1]":  `at offset 8: "," or "]" expected`,
		"$[?@.* == 1]":   "at offset 3: == compares single values: a query here takes names and indexes only",
		"$[?1 == @..a]":  "at offset 8: == compares single values: a query here takes names and indexes only",
		"$[?$[0:1] < 1]": "at offset 3: < compares single values: a query here takes names and indexes only",
		// functions
		"$[?foo(@)]":                     "at offset 3: operand expected",
		"$[?count (@) == 1]":             "at offset 3: operand expected",
		"$[?length(@)]":                  "at offset 12: a literal is not a test",
		"$[?length(@) == 1":              `at offset 17: "," or "]" expected`,
		"$[?match(@)]":                   "at offset 10: match() takes two arguments",
		`$[?search(@, "a", "b")]`:        `at offset 16: ")" expected`,
		`$[?match(@, 'a') == true]`:      "at offset 24: == needs comparable operands",
		"$[?count(1) == 1]":              "at offset 11: count() takes a query",
		"$[?value('x') == 1]":            "at offset 13: value() takes a query",
		"$[?count(match(@,'a')) == 1]":   "at offset 21: count() takes a query",
		`$[?length(match(@, "a")) == 1]`: "at offset 23: length() takes a value, not a test",
		`$[?match(search(@, "a"), "b")]`: "at offset 23: match() takes a value, not a test",
		"$[?length(@.*) == 1]":           "at offset 10: length() takes a single value: a query here takes names and indexes only",
		`$[?search(@..a, "x")]`:          "at offset 10: search() takes a single value: a query here takes names and indexes only",
		`$[?match(@, @.p)]`:              "at offset 12: match() needs a literal pattern",
		`$[?match(@, "(")]`:              "at offset 15: bad pattern: error parsing regexp: missing closing ): `\\A(?:()\\z`",
		`$[?search(@, "a**")]`:           "at offset 18: bad pattern: error parsing regexp: invalid nested repetition operator: `**`",
	} {
		t.Run(key, func(t *testing.T) {
			p, err := Parse(key)
			require.Nil(t, p)
			require.EqualError(t, err, "failed to parse role-claim-key value ("+key+"): "+why)
			require.ErrorIs(t, err, ErrInvalid)
		})
	}
}

// TestFirstFastPath: keys of plain names take a walk without node lists;
// it agrees with the general evaluation on every shape of claims.
func TestFirstFastPath(t *testing.T) {
	for _, doc := range []string{
		`{}`, `{"a":null}`, `{"a":1}`, `{"a":{"b":null}}`, `{"a":{"b":[1]}}`, `{"a":["b"]}`, `{"a":{"b":{"c":"d"}}}`,
	} {
		m, ok := decodeClaims([]byte(doc))
		require.True(t, ok)
		for _, key := range []string{"$", "$.a", "$.a.b", "$['a']['b']", ".a", ".a.b", `."a"."b"`, "$.a.b.c"} {
			p, err := Parse(key)
			require.NoError(t, err)
			got, found := p.First(m)
			all := p.all(m)
			require.Equal(t, len(all) > 0, found, "%s on %s", key, doc)
			if found {
				require.Equal(t, all[0], got, "%s on %s", key, doc)
			}
		}
	}
}

// TestConcurrentFirst: a Path is shared by every request (run with -race).
func TestConcurrentFirst(t *testing.T) {
	m, ok := decodeClaims([]byte(claims))
	require.True(t, ok)
	var wg sync.WaitGroup
	for _, key := range []string{"$.role", `$..[?search(@, "^api_")]`, `.realm_access.roles[?(@ ^== "uma")]`, "$.realm_access.roles[::-1]"} {
		p, err := Parse(key)
		require.NoError(t, err)
		want, _ := p.First(m)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 200 {
					if got, _ := p.First(m); got != want {
						t.Errorf("%s: %v, want %v", key, got, want)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
}
