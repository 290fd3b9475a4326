// Package redacttest checks, for the tests of auth and auth/postgrest, that a
// value prints without its secrets through fmt and log/slog. Only tests
// import it.
package redacttest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// printVerbs are the fmt verbs a caller may print a value with.
var printVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

// LeakForms are the spellings in which secret bytes could show up in
// printed output: as text, hex (either case), base64 (four alphabets), and
// as fmt renders a []byte with %v/%d and %#v. Prefixes suffice and still
// catch a partial dump.
func LeakForms(secret []byte) []string {
	head := secret[:min(len(secret), 9)]
	forms := []string{
		string(secret),
		hex.EncodeToString(head), strings.ToUpper(hex.EncodeToString(head)),
		base64.StdEncoding.EncodeToString(head), base64.URLEncoding.EncodeToString(head),
		strings.Trim(fmt.Sprint(secret[:min(len(secret), 4)]), "[]"),
		strings.Trim(fmt.Sprintf("%#v", secret[:min(len(secret), 4)]), "[]byte{}"),
	}
	if len(secret) >= 12 {
		forms = append(forms, base64.StdEncoding.EncodeToString(secret[3:12]), base64.RawURLEncoding.EncodeToString(secret[3:12]))
	}
	return forms
}

// AssertRedacted prints v with every verb and through slog's text and JSON
// handlers (unless noJSON), and fails if any output contains one of the
// forbidden strings.
func AssertRedacted(t testing.TB, name string, v any, noJSON bool, forbidden []string) {
	t.Helper()
	outputs := map[string]string{}
	for _, verb := range printVerbs {
		outputs[verb] = fmt.Sprintf(verb, v)
	}
	for hname, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"slog JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		if noJSON && hname == "slog JSON" {
			continue
		}
		var buf bytes.Buffer
		log := slog.New(newHandler(&buf))
		log.Info("value", "v", v)
		log.Info("any", slog.Any("v", v))
		log.Info("group", slog.Group("g", "v", v))
		outputs[hname] = buf.String()
	}
	for how, out := range outputs {
		for _, f := range forbidden {
			if strings.Contains(out, f) {
				t.Errorf("%s printed with %s shows %q:\n%s", name, how, f, out)
			}
		}
	}
}
