package auth

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/internal/pgjsonlex"
	"github.com/pgjwt-go/pgjwt/internal/pgtext"
)

// rpcFunction is a function of the exposed schema as PostgREST looks it up,
// for the errors it gives when a request names no such function.
type rpcFunction struct {
	schema, name string
	params       []string // the SQL function's parameters, in order
}

// rpcArgs are one call's arguments by name; a nil value is SQL NULL.
type rpcArgs map[string]*string

// sortedParams are f's parameters in PostgREST's order for matching keys.
func (f rpcFunction) sortedParams() []string { return slices.Sorted(slices.Values(f.params)) }

// formArgs reads application/x-www-form-urlencoded text (also GET's query
// string) as http-types' parseSimpleQuery does: pairs split at '&' and
// ';', '+' is a space, a malformed %-escape stays as written, a key without
// '=' has the empty value; the last of repeated keys wins. The keys must be
// f's parameters.
func (f rpcFunction) formArgs(s string) (rpcArgs, *postgrest.APIError) {
	vals := map[string]string{}
	s = strings.TrimPrefix(s, "?") // http-types drops one leading '?'
	for _, pair := range strings.FieldsFunc(s, func(r rune) bool { return r == '&' || r == ';' }) {
		k, v, _ := strings.Cut(pair, "=")
		vals[formUnescape(k)] = formUnescape(v)
	}
	if keys := slices.Sorted(maps.Keys(vals)); !slices.Equal(keys, f.sortedParams()) {
		return nil, f.noFunction(keys, false)
	}
	args := rpcArgs{}
	for k, v := range vals {
		args[k] = &v
	}
	return args, nil
}

// recordsetText is json_to_recordset's reading of a body's strings in svc's
// database: it de-escapes every one, nested ones included, into the server
// encoding, and the first \u0000, unpaired surrogate or (in LATIN1) escape
// of a character the encoding lacks fails, with that major's message.
func recordsetText(svc *Service, body []byte) *postgrest.APIError {
	opts := pgjsonlex.Options{Mode: pgjsonlex.Unescape, Errors: loginJSONErrors, Major: svc.epoch.Major()}
	if svc.codec.server == encLatin1 {
		opts.Encoding = pgtext.Latin1
	}
	if err := pgjsonlex.Validate(body, opts); err != nil {
		return postgrest.FromDBError(err, false)
	}
	return nil
}

// readRPCBody reads a POST body as PostgREST's payload parser does, at most
// max bytes (413 PGRST102 beyond, where PostgREST would read any size), and
// its media type.
func readRPCBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, mediaType, *postgrest.APIError) {
	mt := decodeMediaType(r.Header.Get("Content-Type"))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, mt, &postgrest.APIError{Status: http.StatusRequestEntityTooLarge, Code: "PGRST102",
				Message: "Request body exceeds " + strconv.FormatInt(max, 10) + " bytes"}
		}
		return nil, mt, invalidJSONError()
	}
	return body, mt, nil
}

// bodyTypeError answers a body of a type other than JSON or a form:
// PostgREST looks for a function with one unnamed parameter of that type
// (text, xml, bytea), or refuses the type.
func (f rpcFunction) bodyTypeError(mt mediaType) *postgrest.APIError {
	what, unnamed := map[mediaKind]string{mtTextPlain: "text", mtTextXML: "xml", mtOctetStream: "bytea"}[mt.kind]
	if !unnamed {
		return &postgrest.APIError{Status: http.StatusBadRequest, Code: "PGRST102",
			Message: "Content-Type not acceptable: " + mt.mime}
	}
	fn := f.schema + "." + f.name
	details := "Searched for the function " + fn + " with a single unnamed " + what +
		" parameter, but no matches were found in the schema cache."
	return &postgrest.APIError{Status: http.StatusNotFound, Code: "PGRST202",
		Message: "Could not find the function " + fn + " in the schema cache", Details: &details}
}

func invalidJSONError() *postgrest.APIError {
	return &postgrest.APIError{Status: http.StatusBadRequest, Code: "PGRST102", Message: "Empty or invalid json"}
}

// noFunction is PostgREST's PGRST202 for arguments (keys) that match no
// function; jsonBody adds the single-json-parameter candidate it also
// looked for.
func (f rpcFunction) noFunction(keys []string, jsonBody bool) *postgrest.APIError {
	fn := f.schema + "." + f.name
	params, detailParams := " without parameters", " without parameters"
	if len(keys) > 0 {
		params = "(" + strings.Join(keys, ", ") + ")"
		detailParams = " with parameter"
		if len(keys) > 1 {
			detailParams += "s"
		}
		detailParams += " " + strings.Join(keys, ", ")
	}
	details := "Searched for the function " + fn + detailParams
	if jsonBody {
		details += " or with a single unnamed json/jsonb parameter"
	}
	details += ", but no matches were found in the schema cache."
	hint := "Perhaps you meant to call the function " + fn + "(" + strings.Join(f.params, ", ") + ")"
	return &postgrest.APIError{Status: http.StatusNotFound, Code: "PGRST202",
		Message: "Could not find the function " + fn + params + " in the schema cache",
		Details: &details, Hint: &hint}
}
