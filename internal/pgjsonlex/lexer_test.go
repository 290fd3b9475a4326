package pgjsonlex

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The DETAIL lines PostgreSQL gives (see the spec's list; TestMatchesServer
// checks these and thousands more against the servers).
func TestMessages(t *testing.T) {
	for _, c := range []struct {
		mode         Mode
		in           string
		code, detail string
	}{
		{Input, ``, "22P02", `The input string ended unexpectedly.`},
		{Input, `{"a"`, "22P02", `The input string ended unexpectedly.`},
		{Input, `{"a":}`, "22P02", `Expected JSON value, but found "}".`},
		{Input, `[1,]`, "22P02", `Expected JSON value, but found "]".`},
		{Input, `{"a":1,}`, "22P02", `Expected string, but found "}".`},
		{Input, `{"a" 1}`, "22P02", `Expected ":", but found "1".`},
		{Input, `{1}`, "22P02", `Expected string or "}", but found "1".`},
		{Input, `[1 2]`, "22P02", `Expected "," or "]", but found "2".`},
		{Input, `{"a":1 "b"}`, "22P02", `Expected "," or "}", but found ""b"".`},
		{Input, `1 2`, "22P02", `Expected end of input, but found "2".`},
		{Input, `{"a":1}x`, "22P02", `Token "x" is invalid.`},
		{Input, `tru`, "22P02", `Token "tru" is invalid.`},
		{Input, `01`, "22P02", `Token "01" is invalid.`},
		{Input, `-+1`, "22P02", `Token "-" is invalid.`},
		{Input, `1.x`, "22P02", `Token "1.x" is invalid.`},
		{Input, `"abc`, "22P02", `Token ""abc" is invalid.`},
		{Input, `"\u12`, "22P02", `Token ""\u12" is invalid.`},
		{Input, "\ufeff1", "22P02", "Token \"\ufeff1\" is invalid."},
		{Input, "\"a\tb\"", "22P02", `Character with value 0x09 must be escaped.`},
		{Input, `"\xyz"`, "22P02", `Escape sequence "\x" is invalid.`},
		{Input, `"\éa"`, "22P02", `Escape sequence "\é" is invalid.`},
		{Input, `"\u12g4"`, "22P02", `"\u" must be followed by four hexadecimal digits.`},
		// json input keeps these; de-escaping refuses them.
		{Input, `["\u0000", "\ud800", "\udc00"]`, "", ""},
		{Unescape, `"\u0000"`, "22P05", `\u0000 cannot be converted to text.`},
		{Unescape, `"\ud800"`, "22P02", `Unicode low surrogate must follow a high surrogate.`},
		{Unescape, `"\udc00"`, "22P02", `Unicode low surrogate must follow a high surrogate.`},
		{Unescape, `"\ud800\ud800"`, "22P02", `Unicode high surrogate must not follow a high surrogate.`},
		{Unescape, `"\ud800\n"`, "22P02", `Unicode low surrogate must follow a high surrogate.`},
		{Unescape, `"\ud83d\ude00 \\u0000"`, "", ""},
		// In text order with the syntax errors, or after all of them.
		{Unescape, `["\u0000", 1,]`, "22P05", `\u0000 cannot be converted to text.`},
		{Unescape, `[1,] "\u0000"`, "22P02", `Expected JSON value, but found "]".`},
		{Unescape, `{"email":"\u0000","pass":"\ud800"}`, "22P05", `\u0000 cannot be converted to text.`},
		{InputThenUnescape, `["\u0000", 1,]`, "22P02", `Expected JSON value, but found "]".`},
		{InputThenUnescape, `["\u0000", "\ud800"]`, "22P05", `\u0000 cannot be converted to text.`},
	} {
		got := goVerdict(Validate([]byte(c.in), Options{Mode: c.mode, Errors: testErrors}))
		want := verdict{}
		if c.code != "" {
			want = verdict{c.code, map[string]string{"22P02": "invalid input syntax for type json", "22P05": "unsupported Unicode escape sequence"}[c.code], c.detail}
		}
		assert.Equal(t, want, got, "mode %d: %q", c.mode, c.in)
	}
}

// Where majors differ: a \u escape LATIN1 lacks, and a control character
// right after a lone high surrogate.
func TestMajors(t *testing.T) {
	latin1 := func(major int) Options {
		return Options{Mode: Unescape, Errors: testErrors, Encoding: "LATIN1", Major: major}
	}
	assert.NoError(t, Validate([]byte(`"\u00e9\u00ff"`), latin1(15)))
	assert.Equal(t, verdict{"22P05", `character with byte sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in encoding "LATIN1"`, ""},
		goVerdict(Validate([]byte(`"\u20ac"`), latin1(15))))
	assert.Equal(t, verdict{"22P05", `character with byte sequence 0xf0 0x9f 0x98 0x80 in encoding "UTF8" has no equivalent in encoding "LATIN1"`, ""},
		goVerdict(Validate([]byte(`"\ud83d\ude00"`), latin1(13)))) // the pair is converted as one character
	for _, major := range []int{16, 18, 0} {
		assert.Equal(t, verdict{"22P05", "unsupported Unicode escape sequence", "Unicode escape value could not be translated to the server's encoding LATIN1."},
			goVerdict(Validate([]byte(`"\u20ac"`), latin1(major))))
	}
	// \u0000 is refused before the conversion is tried.
	assert.Equal(t, `\u0000 cannot be converted to text.`, goVerdict(Validate([]byte(`"\u0000"`), latin1(15))).detail)

	ctl := []byte("\"\\ud800\x01\"")
	for major, detail := range map[int]string{
		13: "Character with value 0x01 must be escaped.", 15: "Character with value 0x01 must be escaped.",
		16: "Unicode low surrogate must follow a high surrogate.", 0: "Unicode low surrogate must follow a high surrogate.",
	} {
		assert.Equal(t, detail, goVerdict(Validate(ctl, Options{Mode: Unescape, Errors: testErrors, Major: major})).detail, "major %d", major)
		// json input checks the control character only.
		assert.Equal(t, "Character with value 0x01 must be escaped.", goVerdict(Validate(ctl, Options{Errors: testErrors, Major: major})).detail)
	}
}

func TestDefaultErrors(t *testing.T) {
	err := Validate([]byte(`"\u0000" x`), Options{Mode: Unescape})
	assert.Equal(t, verdict{"22P05", "unsupported Unicode escape sequence", `\u0000 cannot be converted to text.`}, goVerdict(err))
	err = Validate([]byte(`[`), Options{})
	assert.Equal(t, verdict{"22P02", "invalid input syntax for type json", "The input string ended unexpectedly."}, goVerdict(err))
}

func TestErrorsAreTheCallersSentinels(t *testing.T) {
	err := Validate([]byte(`[`), Options{Errors: testErrors})
	assert.True(t, errors.Is(err, testErrors.Syntax))
	err = Validate([]byte(`"\u0000"`), Options{Mode: Unescape, Errors: testErrors})
	assert.True(t, errors.Is(err, testErrors.Escape))
}

type event struct {
	ev    Event
	depth int
	kind  Kind
	text  string
}

func events(t *testing.T, in string, mode Mode) []event {
	t.Helper()
	p := NewParser([]byte(in), Options{Mode: mode, Errors: testErrors})
	var out []event
	for {
		ev, err := p.Next()
		require.NoError(t, err)
		e := event{ev: ev, depth: p.Depth()}
		switch ev {
		case Key:
			e.text = string(p.AppendText(nil))
		case Scalar:
			e.kind, e.text = p.Kind(), string(p.Token())
			if e.kind == String {
				e.text = string(p.AppendText(nil))
			}
		}
		out = append(out, e)
		if ev == Done {
			return out
		}
	}
}

func TestEvents(t *testing.T) {
	got := events(t, ` {"a\u00e9" : [1, "x\ud83d\ude00\n", {}], "b":{"c":null}, "d":[]} `, Unescape)
	want := []event{
		{BeginObject, 0, 0, ""},
		{Key, 1, 0, "aé"},
		{BeginArray, 1, 0, ""},
		{Scalar, 2, Number, "1"},
		{Scalar, 2, String, "x😀\n"},
		{BeginObject, 2, 0, ""},
		{EndObject, 2, 0, ""},
		{EndArray, 1, 0, ""},
		{Key, 1, 0, "b"},
		{BeginObject, 1, 0, ""},
		{Key, 2, 0, "c"},
		{Scalar, 2, Null, "null"},
		{EndObject, 1, 0, ""},
		{Key, 1, 0, "d"},
		{BeginArray, 1, 0, ""},
		{EndArray, 1, 0, ""},
		{EndObject, 0, 0, ""},
		{Done, 0, 0, ""},
	}
	assert.Equal(t, want, got)
	assert.Equal(t, []event{{Scalar, 0, True, "true"}, {Done, 0, 0, ""}}, events(t, "true", Input))
}

// A scalar's event comes only after the token that follows it is read, as
// the server runs the scalar action then: a lexing error there wins.
func TestScalarAfterNextToken(t *testing.T) {
	p := NewParser([]byte(`[1 x]`), Options{Errors: testErrors})
	ev, err := p.Next()
	require.NoError(t, err)
	require.Equal(t, BeginArray, ev)
	_, err = p.Next()
	assert.Equal(t, `Token "x" is invalid.`, goVerdict(err).detail)

	p = NewParser([]byte(`[1 }`), Options{Errors: testErrors})
	_, _ = p.Next()
	ev, err = p.Next()
	require.NoError(t, err)
	assert.Equal(t, Scalar, ev)
	_, err = p.Next()
	assert.Equal(t, `Expected "," or "]", but found "}".`, goVerdict(err).detail)
}

// Nesting costs no stack and has no limit; the containers' kinds are kept
// beyond the 64 levels of the first word.
func TestDeepNesting(t *testing.T) {
	const n = 1_000_000
	deep := strings.Repeat("[", n) + strings.Repeat("]", n)
	require.NoError(t, Validate([]byte(deep), Options{Errors: testErrors}))
	assert.Equal(t, "The input string ended unexpectedly.", goVerdict(Validate([]byte(deep[:len(deep)-1]), Options{Errors: testErrors})).detail)

	var open, closing strings.Builder
	r := rand.New(rand.NewPCG(1, 2))
	var kinds []bool
	for i := 0; i < 300; i++ {
		obj := r.IntN(2) == 0
		kinds = append(kinds, obj)
		if obj {
			open.WriteString(`{"k":`)
		} else {
			open.WriteString(`[`)
		}
	}
	for i := len(kinds) - 1; i >= 0; i-- {
		closing.WriteString(map[bool]string{true: "}", false: "]"}[kinds[i]])
	}
	text := open.String() + "1" + closing.String()
	require.NoError(t, Validate([]byte(text), Options{Errors: testErrors}))
	// The wrong closer for the container opened at level 200.
	cut := len(text) - 200
	wrong := map[bool]string{true: "]", false: "}"}[kinds[199]]
	got := goVerdict(Validate([]byte(text[:cut]+wrong+text[cut+1:]), Options{Errors: testErrors}))
	want := map[bool]string{true: `Expected "," or "}", but found "]".`, false: `Expected "," or "]", but found "}".`}[kinds[199]]
	assert.Equal(t, want, got.detail)
}

// SpecialBytes must agree with PlainStringByte on every word, and the lowest
// byte it flags must be the first special one.
func TestSpecialBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	n := 500000
	if testing.Short() {
		n = 50000
	}
	for i := 0; i < n; i++ {
		var b [8]byte
		for k := range b {
			b[k] = byte(r.UintN(256))
			if r.IntN(3) > 0 {
				b[k] = byte(0x20 + r.UintN(0x60))
			}
		}
		plain, first := true, 8
		for k, c := range b {
			if !PlainStringByte[c] && plain {
				plain, first = false, k
			}
		}
		x := binary.LittleEndian.Uint64(b[:])
		if got := SpecialBytes(x) == 0; got != plain {
			t.Fatalf("SpecialBytes(% x) == 0 is %v", b, got)
		}
		if got := bits.TrailingZeros64(SpecialBytes(x)) / 8; got != first {
			t.Fatalf("SpecialBytes(% x) flags byte %d first, want %d", b, got, first)
		}
	}
}

func TestHexDigit(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := int8(-1)
		switch {
		case c >= '0' && c <= '9':
			want = int8(c - '0')
		case c >= 'a' && c <= 'f':
			want = int8(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			want = int8(c - 'A' + 10)
		}
		assert.Equal(t, want, hexDigit[c], "%q", rune(c))
	}
}

func TestNumberEnd(t *testing.T) {
	for _, c := range []struct {
		in  string
		end int
		ok  bool
	}{
		{"1", 1, true}, {"-0.5e+3,", 7, true}, {"12E-0]", 5, true}, {"01", 1, true}, {"1x", 1, true},
		{"-", 1, false}, {"-.5", 3, false}, {"1.e3", 4, false}, {"1e", 2, false}, {"1e+", 3, false},
		{"x", 0, false}, {"--1", 1, false}, {"", 0, false},
	} {
		end, ok := NumberEnd([]byte(c.in), 0)
		assert.Equal(t, [2]any{c.end, c.ok}, [2]any{end, ok}, "%q", c.in)
	}
}
