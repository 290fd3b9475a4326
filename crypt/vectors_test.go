package crypt

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// vector is one row of testdata/crypt-vectors.json: a crypt() call and what
// PostgreSQL returns for it on the majors listed. Byte strings that are not
// valid UTF-8 are given in hex ("password_hex", …) instead.
type vector struct {
	Password    string `json:"password"`
	PasswordHex string `json:"password_hex"`
	Setting     string `json:"setting"`
	SettingHex  string `json:"setting_hex"`
	Result      string `json:"result"`
	ResultHex   string `json:"result_hex"`
	Error       *pgMsg `json:"error"`
	Notice      *pgMsg `json:"notice"`
	Majors      string `json:"majors"` // "13-18", "13-17" or "18"
	Note        string `json:"note"`
	lo, hi      int
}

type pgMsg struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func fromHex(t testing.TB, s, h string) string {
	if h == "" {
		return s
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatalf("bad hex %q: %v", h, err)
	}
	return string(b)
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/crypt-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	for i := range vs {
		v := &vs[i]
		v.Password = fromHex(t, v.Password, v.PasswordHex)
		v.Setting = fromHex(t, v.Setting, v.SettingHex)
		v.Result = fromHex(t, v.Result, v.ResultHex)
		lo, hi, ok := strings.Cut(v.Majors, "-")
		if !ok {
			hi = lo
		}
		if _, err := fmt.Sscan(lo, &v.lo); err != nil {
			t.Fatalf("vector %d: majors %q", i, v.Majors)
		}
		if _, err := fmt.Sscan(hi, &v.hi); err != nil {
			t.Fatalf("vector %d: majors %q", i, v.Majors)
		}
	}
	return vs
}

// checkOutcome compares what Go returned with what a vector or the server
// says.
func outcomeString(res string, err error) string {
	if err != nil {
		if e, ok := err.(*Error); ok {
			return "ERROR " + e.Code + " " + e.Message
		}
		return "ERROR (foreign) " + err.Error()
	}
	return fmt.Sprintf("%q", res)
}

func (v vector) want() string {
	if v.Error != nil {
		return "ERROR " + v.Error.Code + " " + v.Error.Message
	}
	return fmt.Sprintf("%q", v.Result)
}

// TestVectors runs the spec's regression vectors on every major they name:
// no server needed.
func TestVectors(t *testing.T) {
	for i, v := range loadVectors(t) {
		if pgtest.Trimmed() && expensive(v.Setting) {
			continue
		}
		for major := v.lo; major <= v.hi; major++ {
			if pgtest.Trimmed() && major != v.lo && major != v.hi {
				continue // 13–17 share all code; the ends of the range suffice
			}
			var notices []Notice
			ver := ForVersion(major, WithNotices(func(n Notice) { notices = append(notices, n) }))
			res, err := ver.Crypt(v.Password, v.Setting)
			if got, want := outcomeString(res, err), v.want(); got != want {
				t.Errorf("#%d pg%d crypt(%q, %q) = %s, want %s", i, major, v.Password, v.Setting, got, want)
			}
			var wantNotices []Notice
			if v.Notice != nil {
				wantNotices = []Notice{{Code: v.Notice.Code, Message: v.Notice.Message}}
			}
			if fmt.Sprint(notices) != fmt.Sprint(wantNotices) {
				t.Errorf("#%d pg%d crypt(%q, %q) notices %v, want %v", i, major, v.Password, v.Setting, notices, wantNotices)
			}
		}
	}
}
