package pgjson_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// testdata/vectors.json: fixed cases with the text (or error) PostgreSQL
// produced for them. TestVectors checks Go without a server;
// TestVectorsMatchServer checks that both majors still produce them.
// PGJSON_WRITE_VECTORS=1 rewrites the expectations from the server.

const vectorsPath = "testdata/vectors.json"

type vectorFile struct {
	About   string   `json:"about"`
	Vectors []vector `json:"vectors"`
}

type vector struct {
	Name     string    `json:"name"`
	Producer string    `json:"producer"`
	Members  []vMember `json:"members"`
	Text     *string   `json:"text,omitempty"`
	Error    *vError   `json:"error,omitempty"`
}

type vMember struct {
	Key   string          `json:"key,omitempty"`
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value,omitempty"`
	Hex   string          `json:"hex,omitempty"`
}

type vError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
}

func loadVectors(tb testing.TB) vectorFile {
	tb.Helper()
	data, err := os.ReadFile(vectorsPath)
	if err != nil {
		tb.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(data, &f); err != nil {
		tb.Fatal(err)
	}
	return f
}

func (v vector) object() (pgjson.Object, error) { return membersObject(v.Members) }

func membersObject(ms []vMember) (pgjson.Object, error) {
	o := pgjson.Object{}
	for _, m := range ms {
		val, err := m.goValue()
		if err != nil {
			return nil, fmt.Errorf("%q: %w", m.Key, err)
		}
		o = append(o, pgjson.Member{Key: m.Key, Value: val})
	}
	return o, nil
}

var isoTime = regexp.MustCompile(`^(-?\d+)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$`)

// goValue converts a vector member to the Go value that stands for it.
func (m vMember) goValue() (any, error) {
	var s string
	if m.Hex != "" {
		b, err := hex.DecodeString(m.Hex)
		if err != nil {
			return nil, err
		}
		s = string(b)
	} else if m.Type != "object" && m.Type != "array" && m.Type != "null" {
		if err := json.Unmarshal(m.Value, &s); err != nil {
			return nil, err
		}
	}
	switch m.Type {
	case "null":
		return nil, nil
	case "text":
		return s, nil
	case "int2":
		n, err := strconv.ParseInt(s, 10, 16)
		return int16(n), err
	case "int4":
		n, err := strconv.ParseInt(s, 10, 32)
		return int32(n), err
	case "int8":
		return strconv.ParseInt(s, 10, 64)
	case "numeric":
		return pgjson.Numeric(s), nil
	case "float8":
		return strconv.ParseFloat(s, 64)
	case "float4":
		f, err := strconv.ParseFloat(s, 32)
		return float32(f), err
	case "bool":
		return strconv.ParseBool(s)
	case "json":
		return json.RawMessage(s), nil
	case "bytea":
		if len(s) < 2 || s[:2] != `\x` {
			return nil, fmt.Errorf("bytea %q: want \\x hex", s)
		}
		return hex.DecodeString(s[2:])
	case "timestamptz":
		p := isoTime.FindStringSubmatch(s)
		if p == nil {
			return nil, fmt.Errorf("timestamptz %q", s)
		}
		n := make([]int, 6)
		for i := range n {
			n[i], _ = strconv.Atoi(p[i+1])
		}
		ns := 0
		if p[7] != "" {
			frac := (p[7][1:] + "000000000")[:9]
			ns, _ = strconv.Atoi(frac)
		}
		loc := time.UTC
		if p[8] != "Z" {
			h, _ := strconv.Atoi(p[8][1:3])
			mi, _ := strconv.Atoi(p[8][4:6])
			off := h*3600 + mi*60
			if p[8][0] == '-' {
				off = -off
			}
			loc = time.FixedZone(p[8], off)
		}
		return time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], ns, loc), nil
	case "object":
		var ms []vMember
		if err := json.Unmarshal(m.Value, &ms); err != nil {
			return nil, err
		}
		return membersObject(ms)
	case "array":
		var ms []vMember
		if err := json.Unmarshal(m.Value, &ms); err != nil {
			return nil, err
		}
		a := []any{}
		for _, e := range ms {
			v, err := e.goValue()
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	}
	return nil, fmt.Errorf("unknown type %q", m.Type)
}

func producerNamed(t *testing.T, name string) producerCase {
	for _, p := range producers {
		if p.name == name {
			return p
		}
	}
	t.Fatalf("unknown producer %q", name)
	return producerCase{}
}

func (v vector) expected() outcome {
	if v.Error != nil {
		return outcome{code: v.Error.Code, msg: v.Error.Message, detail: v.Error.Detail}
	}
	if v.Text == nil {
		return outcome{code: "?", msg: "vector without text or error"}
	}
	return outcome{text: *v.Text}
}

func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t).Vectors {
		t.Run(v.Name, func(t *testing.T) {
			o, err := v.object()
			if err != nil {
				t.Fatal(err)
			}
			out, gerr := producerNamed(t, v.Producer).goFn(pgjson.Version{}, o)
			if got := goOutcome(t, out, gerr); !sameOutcome(got, v.expected()) {
				t.Errorf("got  %s\nwant %s", got, v.expected())
			}
			if gerr == nil && v.Producer != "jsonb" && !json.Valid(out) {
				t.Errorf("not valid JSON: %s", out)
			}
		})
	}
}

func TestVectorsMatchServer(t *testing.T) {
	f := loadVectors(t)
	write := os.Getenv("PGJSON_WRITE_VECTORS") == "1"
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		qs := make([]query, len(f.Vectors))
		for i, v := range f.Vectors {
			o, err := v.object()
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			sql, args := producerNamed(t, v.Producer).sqlFor(o, 0)
			qs[i] = query{sql, args}
		}
		got := runQueries(t, c.UTF8, qs)
		for i := range f.Vectors {
			v := &f.Vectors[i]
			if c.Major < 14 {
				// The file holds 14+'s outcomes; 13 refuses numeric
				// infinities, so there Go's 13 must match the server.
				o, _ := v.object()
				out, gerr := producerNamed(t, v.Producer).goFn(pgjson.ForVersion(c.Major), o)
				if goOut := goOutcome(t, out, gerr); !sameOutcome(goOut, got[i]) {
					t.Errorf("PostgreSQL %d, %s: server %s\ngo %s", c.Major, v.Name, got[i], goOut)
				}
				continue
			}
			if write {
				v.Text, v.Error = nil, nil
				if got[i].code != "" {
					v.Error = &vError{Code: got[i].code, Message: got[i].msg, Detail: got[i].detail}
				} else {
					text := got[i].text
					v.Text = &text
				}
				continue
			}
			if !sameOutcome(v.expected(), got[i]) {
				t.Errorf("%s: server %s\nfile %s", v.Name, got[i], v.expected())
			}
		}
	})
	if write {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsPath, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote", vectorsPath)
	}
}
