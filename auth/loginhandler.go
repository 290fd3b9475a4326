package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/internal/pgjsonlex"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// LoginHandlerOption changes the login handler.
type LoginHandlerOption func(*loginHandler)

// WithLoginSchema names the schema PostgREST would find login() in, for the
// texts of its "function not found" errors (default "public").
func WithLoginSchema(schema string) LoginHandlerOption {
	return func(h *loginHandler) { h.schema = schema }
}

// WithLoginVerbosity sets PostgREST's client-error-verbosity for the error
// bodies (default [postgrest.Verbose]).
func WithLoginVerbosity(v postgrest.Verbosity) LoginHandlerOption {
	return func(h *loginHandler) { h.verbosity = v }
}

// WithLoginGET(true) logs in on GET and HEAD /rpc/login?email=…&pass=…,
// as PostgREST does (it runs login() in a read-only transaction, which
// login() does not mind). It is off by default, because a password in a
// URL does not stay secret: it ends up in the access logs of the server and
// of every proxy on the way, in browser history and bookmarks, and in the
// Referer header of the next page's requests. Off, GET and HEAD get 405
// PGRST101 "Cannot use the GET method on RPC" with "Allow: OPTIONS,POST"
// and a hint to send a POST body; enable it only for clients that cannot.
func WithLoginGET(allow bool) LoginHandlerOption {
	return func(h *loginHandler) { h.allowGET = allow }
}

// WithBulkLogin accepts a JSON array of up to maxElements login objects in
// one request, as PostgREST accepts an array body for any function: every
// element is logged in, one after the other, each taking its own hashing
// slot (and its place in the Service's queue), and the first element's
// token is returned. Bulk login is off by default (maxElements < 1): an
// array body gets 400 PGRST102, as one 64 KiB request of about 1,400
// objects would otherwise cost 1,400 bcrypt runs, seconds of CPU. A larger
// array than allowed gets 413 PGRST102 before any password is hashed.
// WithBulkLogin(math.MaxInt) restores PostgREST's unlimited behaviour
// (still bounded by WithMaxLoginBody).
func WithBulkLogin(maxElements int) LoginHandlerOption {
	return func(h *loginHandler) { h.maxBulk = maxElements }
}

// WithMaxLoginBody bounds the request body (default 64 KiB); a larger body
// is refused with 413 and PostgREST's error envelope (code PGRST102), where
// PostgREST would read any size.
func WithMaxLoginBody(n int64) LoginHandlerOption {
	return func(h *loginHandler) { h.maxBody = n }
}

type loginHandler struct {
	svc       *Service
	schema    string
	verbosity postgrest.Verbosity
	allowGET  bool
	maxBody   int64
	maxBulk   int // the most objects an array body may hold; < 1: no arrays

	accountThrottle, addressThrottle Throttle // nil: unlimited (see throttle.go)
	proxyHops                        int
}

// NewLoginHandler returns the handler for POST /rpc/login that answers as
// PostgREST (v13–v16) answers for the seed's SQL login(email, pass)
// returning the composite jwt_token:
//
//   - 200 with the JSON object {"token":"…"}, Content-Type
//     "application/json; charset=utf-8" (or
//     "application/vnd.pgrst.object+json; charset=utf-8" when the client
//     asks for it), Content-Range "0-0/*", Vary "Accept, Prefer, Range";
//   - 403 {"code":"28P01",…,"message":"invalid user or password"} for wrong
//     credentials, and PostgREST's status for every other SQLSTATE (see
//     [postgrest.FromDBError]), e.g. 400 for text PostgreSQL refuses;
//   - 400 PGRST102 "Empty or invalid json" for a body that is not JSON,
//     "All object keys must match" for an array of objects with different
//     keys, and "Content-Type not acceptable: …" for a body type PostgREST
//     cannot pass to a function;
//   - 404 PGRST202 when the body's keys are not exactly email and pass (an
//     empty body, extra or missing keys, a text/plain body), as PostgREST
//     finds no matching function;
//   - 405 PGRST101 "Cannot use the PUT method on RPC" for methods other than
//     POST, OPTIONS and (with WithLoginGET) GET and HEAD, with an Allow
//     header naming those; OPTIONS gives 200 with "Allow: OPTIONS,POST"
//     (login() is VOLATILE);
//   - 406 PGRST107 when the Accept header admits no JSON;
//   - 503 {"code":"53000",…} with "Retry-After: 1" when the Service's
//     hashing queue is full (ErrHashQueueFull; see WithHashQueue).
//
// Bodies may be JSON or application/x-www-form-urlencoded. An array of
// JSON objects, which PostgREST takes as one call per element, is refused
// unless WithBulkLogin allows it (400 PGRST102 "Bulk login is disabled…").
// JSON values become text as
// json_to_recordset makes them: strings unescaped, numbers and booleans as
// written, objects and arrays as their JSON text, null as NULL (which never
// logs in).
//
// The handler does not authenticate the request; wrap it in the middleware
// ([postgrest.NewMiddleware]) to reject stale bearer tokens sent along, as
// PostgREST does.
//
// Known differences from PostgREST, by design or not modelled: GET and
// array bodies are refused by default (see WithLoginGET and WithBulkLogin;
// with WithLoginGET(true) and WithBulkLogin(math.MaxInt) the handler
// answers as PostgREST does); text/csv
// bodies are refused as "Content-Type not acceptable: text/csv" (PostgREST
// parses them into rows); the PGRST202 hint always suggests login(email,
// pass) (PostgREST drops it when its fuzzy match scores too low); GET treats
// every query parameter as an argument (PostgREST reserves select, order,
// limit and others); bodies over the limit get 413; Accept negotiation
// knows only JSON, the singular object type and wildcards; the Prefer
// header is ignored.
func NewLoginHandler(svc *Service, opts ...LoginHandlerOption) http.Handler {
	h := &loginHandler{svc: svc, schema: "public", maxBody: 64 << 10}
	for _, o := range opts {
		o(h)
	}
	return h
}

// loginArgs are the function arguments of one call: nil means SQL NULL.
type loginArgs struct{ email, pass *string }

func (h *loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	singular, apiErr := negotiate(r.Header.Values("Accept"))
	if apiErr != nil {
		h.fail(w, apiErr)
		return
	}
	var calls []loginArgs
	switch r.Method {
	case http.MethodPost:
		calls, apiErr = h.postArgs(w, r)
	case http.MethodGet, http.MethodHead:
		if !h.allowGET {
			apiErr = h.invalidMethod(r.Method)
			hint := "Send the credentials in a POST body: in a URL they end up in logs and browser history"
			apiErr.Hint = &hint
			break
		}
		calls, apiErr = h.formArgs(r.URL.RawQuery)
	case http.MethodOptions:
		w.Header().Set("Content-Length", "0")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Allow", "OPTIONS,POST")
		w.WriteHeader(http.StatusOK)
		return
	default:
		apiErr = h.invalidMethod(r.Method)
	}
	if apiErr != nil {
		h.fail(w, apiErr)
		return
	}
	token := ""
	for i, c := range calls {
		if apiErr := h.throttle(r, c); apiErr != nil {
			h.fail(w, apiErr)
			return
		}
		t, err := h.login(r, c)
		if err != nil {
			e := postgrest.FromDBError(err, false)
			if errors.Is(err, ErrHashQueueFull) {
				// The queue drains in a few seconds at most (see
				// WithHashQueue): a second is a fair first wait.
				e.Header = http.Header{"Retry-After": {"1"}}
			}
			h.fail(w, e)
			return
		}
		if i == 0 {
			token = t
		}
	}
	body := []byte(`{"token":"` + token + `"}`) // base64url and dots: nothing to escape
	hdr := w.Header()
	hdr.Set("Content-Range", "0-0/*")
	if r.Method != http.MethodHead {
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if singular {
		hdr.Set("Content-Type", "application/vnd.pgrst.object+json; charset=utf-8")
	} else {
		hdr.Set("Content-Type", "application/json; charset=utf-8")
	}
	hdr.Set("Vary", "Accept, Prefer, Range")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func (h *loginHandler) login(r *http.Request, c loginArgs) (string, error) {
	if c.email == nil || c.pass == nil {
		// SQL NULL matches no user; cost the bcrypt work all the same.
		err := h.svc.dummyVerify(r.Context())
		if err == nil {
			err = ErrInvalidPassword
		}
		h.svc.loginDone(r.Context(), "", "", err)
		return "", err
	}
	return h.svc.Login(r.Context(), *c.email, *c.pass)
}

func (h *loginHandler) fail(w http.ResponseWriter, e *postgrest.APIError) { e.Respond(w, h.verbosity) }

// postArgs reads the body as PostgREST's payload parser would.
func (h *loginHandler) postArgs(w http.ResponseWriter, r *http.Request) ([]loginArgs, *postgrest.APIError) {
	body, mt, apiErr := readRPCBody(w, r, h.maxBody)
	if apiErr != nil {
		return nil, apiErr
	}
	switch mt.kind {
	case mtJSON:
		return h.jsonArgs(body)
	case mtURLEncoded:
		return h.formArgs(string(body))
	}
	return nil, h.function().bodyTypeError(mt)
}

// jsonArgs is PostgREST's JSON payload rule followed by PostgreSQL's
// json_to_recordset into (email text, pass text).
func (h *loginHandler) jsonArgs(body []byte) ([]loginArgs, *postgrest.APIError) {
	if len(body) == 0 {
		return nil, h.noFunction(nil, true)
	}
	if !utf8.Valid(body) || !json.Valid(body) {
		return nil, invalidJSONError()
	}
	var objects []map[string]json.RawMessage
	switch bytes.TrimLeft(body, " \t\r\n")[0] {
	case '{':
		var o map[string]json.RawMessage
		_ = json.Unmarshal(body, &o)
		objects = append(objects, o)
	case '[':
		if h.maxBulk < 1 {
			return nil, &postgrest.APIError{Status: http.StatusBadRequest, Code: "PGRST102",
				Message: "Bulk login is disabled: send a single JSON object, not an array (the server allows arrays with auth.WithBulkLogin)"}
		}
		var elems []json.RawMessage
		_ = json.Unmarshal(body, &elems)
		if len(elems) > h.maxBulk {
			// Refused before any element is looked at, let alone hashed.
			return nil, &postgrest.APIError{Status: http.StatusRequestEntityTooLarge, Code: "PGRST102",
				Message: "Bulk login is limited to " + strconv.Itoa(h.maxBulk) + " objects per request, got " + strconv.Itoa(len(elems))}
		}
		for _, e := range elems {
			var o map[string]json.RawMessage
			if bytes.TrimLeft(e, " \t\r\n")[0] != '{' || json.Unmarshal(e, &o) != nil {
				return nil, &postgrest.APIError{Status: http.StatusBadRequest, Code: "PGRST102", Message: "All object keys must match"}
			}
			objects = append(objects, o)
		}
	}
	// Any other JSON value counts as an empty array: no keys at all.
	keys := []string{}
	if len(objects) > 0 {
		keys = argKeys(objects[0])
		for _, o := range objects[1:] {
			if !slices.Equal(argKeys(o), keys) {
				return nil, &postgrest.APIError{Status: http.StatusBadRequest, Code: "PGRST102", Message: "All object keys must match"}
			}
		}
	}
	if !slices.Equal(keys, []string{"email", "pass"}) {
		return nil, h.noFunction(keys, true)
	}
	if apiErr := recordsetText(h.svc, body); apiErr != nil {
		return nil, apiErr
	}
	calls := make([]loginArgs, len(objects))
	for i, o := range objects {
		calls[i].email = jsonText(o["email"])
		calls[i].pass = jsonText(o["pass"])
	}
	return calls, nil
}

// jsonText is json_to_recordset's conversion of one value to text.
func jsonText(raw json.RawMessage) *string {
	raw = bytes.TrimSpace(raw)
	switch raw[0] {
	case 'n':
		return nil
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return &s
	}
	s := string(raw) // numbers, booleans, objects and arrays verbatim
	return &s
}

// The errors of json_to_recordset's reading of the body, which is
// PostgreSQL's json grammar (internal/pgjsonlex).
var loginJSONErrors = pgjsonlex.Errors{
	Syntax: sqlerr.New("auth", "22P02", "invalid input syntax for type json"),
	Escape: sqlerr.New("auth", "22P05", "unsupported Unicode escape sequence"),
}

// formArgs reads a form (or GET's query string) into login's arguments.
func (h *loginHandler) formArgs(s string) ([]loginArgs, *postgrest.APIError) {
	args, apiErr := h.function().formArgs(s)
	if apiErr != nil {
		return nil, apiErr
	}
	return []loginArgs{{args["email"], args["pass"]}}, nil
}

// formUnescape decodes %XX and '+'; a malformed escape stays as written.
func formUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(v))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func argKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// noFunction is PostgREST's PGRST202 for arguments that match no function.
func (h *loginHandler) noFunction(keys []string, jsonBody bool) *postgrest.APIError {
	return h.function().noFunction(keys, jsonBody)
}

// function is login(email, pass) in the exposed schema.
func (h *loginHandler) function() rpcFunction {
	return rpcFunction{schema: h.schema, name: "login", params: []string{"email", "pass"}}
}

// invalidMethod is PostgREST's 405 for a method it does not run functions
// with, plus the Allow header RFC 9110 asks of a 405 (PostgREST sends
// none), naming the methods this handler serves.
func (h *loginHandler) invalidMethod(method string) *postgrest.APIError {
	allow := "OPTIONS,POST"
	if h.allowGET {
		allow = "OPTIONS,GET,HEAD,POST"
	}
	return &postgrest.APIError{Status: http.StatusMethodNotAllowed, Code: "PGRST101",
		Message: "Cannot use the " + method + " method on RPC", Header: http.Header{"Allow": {allow}}}
}

// mediaKind is the part of PostgREST's MediaType the handler tells apart.
type mediaKind int

const (
	mtOther mediaKind = iota
	mtJSON
	mtURLEncoded
	mtTextPlain
	mtTextXML
	mtOctetStream
	mtCSV
	mtAny
	mtSingular
	mtKnown // a type PostgREST knows but cannot take as a function's input
)

type mediaType struct {
	kind mediaKind
	mime string // PostgREST's toMime: the canonical name, or the text as sent
}

// decodeMediaType is PostgREST's decodeMediaType for the types a login can
// meet: case-insensitive type/subtype, parameters ignored except where
// PostgREST reads them; an absent header means JSON.
func decodeMediaType(h string) mediaType {
	if h == "" {
		return mediaType{mtJSON, "application/json"}
	}
	main, sub, params, ok := tokenizeMediaType(h)
	if !ok {
		return mediaType{mtOther, h}
	}
	stripped := params["nulls"] == "stripped"
	switch strings.ToLower(main) + "/" + strings.ToLower(sub) {
	case "application/json":
		return mediaType{mtJSON, "application/json"}
	case "application/x-www-form-urlencoded":
		return mediaType{mtURLEncoded, "application/x-www-form-urlencoded"}
	case "text/plain":
		return mediaType{mtTextPlain, "text/plain"}
	case "text/xml":
		return mediaType{mtTextXML, "text/xml"}
	case "application/octet-stream":
		return mediaType{mtOctetStream, "application/octet-stream"}
	case "text/csv":
		return mediaType{mtCSV, "text/csv"}
	case "*/*":
		return mediaType{mtAny, "*/*"}
	case "application/geo+json":
		return mediaType{mtKnown, "application/geo+json"}
	case "application/openapi+json":
		return mediaType{mtKnown, "application/openapi+json"}
	case "application/vnd.pgrst.object+json", "application/vnd.pgrst.object":
		if stripped {
			return mediaType{mtSingular, "application/vnd.pgrst.object+json;nulls=stripped"}
		}
		return mediaType{mtSingular, "application/vnd.pgrst.object+json"}
	case "application/vnd.pgrst.array+json", "application/vnd.pgrst.array":
		if stripped {
			return mediaType{mtKnown, "application/vnd.pgrst.array+json;nulls=stripped"}
		}
		return mediaType{mtJSON, "application/json"}
	}
	return mediaType{mtOther, h}
}

// tokenizeMediaType splits "type/subtype; k=v; k2=\"v2\"" as PostgREST's
// parser does (type: letters, digits, '.', '*'; subtype also '+', '-').
func tokenizeMediaType(s string) (main, sub string, params map[string]string, ok bool) {
	isTok := func(extra string) func(r rune) bool {
		return func(r rune) bool {
			return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(extra, r)
		}
	}
	i := strings.IndexFunc(s, func(r rune) bool { return !isTok(".*")(r) })
	if i <= 0 || s[i] != '/' {
		return "", "", nil, false
	}
	main, rest := s[:i], s[i+1:]
	j := strings.IndexFunc(rest, func(r rune) bool { return !isTok(".*+-")(r) })
	if j < 0 {
		j = len(rest)
	}
	if j == 0 {
		return "", "", nil, false
	}
	sub, rest = rest[:j], rest[j:]
	params = map[string]string{}
	for {
		t := strings.TrimLeft(rest, " \t\r\n")
		if !strings.HasPrefix(t, ";") {
			break
		}
		t = strings.TrimLeft(t[1:], " \t\r\n")
		k, v, found := strings.Cut(t, "=")
		if !found {
			break
		}
		k = strings.TrimRight(k, " \t\r\n")
		v = strings.TrimLeft(v, " \t\r\n")
		if strings.HasPrefix(v, `"`) {
			end := strings.IndexByte(v[1:], '"')
			if end < 0 {
				break
			}
			params[strings.ToLower(k)] = v[1 : end+1]
			rest = v[end+2:]
			continue
		}
		end := strings.IndexFunc(v, func(r rune) bool { return !isTok("|-")(r) })
		if end < 0 {
			end = len(v)
		}
		params[strings.ToLower(k)] = v[:end]
		rest = v[end:]
	}
	return main, sub, params, true
}

// negotiate picks the response type from the Accept headers: JSON, or the
// singular object type when asked for. Anything else is PostgREST's 406.
func negotiate(accept []string) (singular bool, apiErr *postgrest.APIError) {
	if len(accept) == 0 {
		return false, nil
	}
	var offered []string
	for _, h := range accept {
		for part := range strings.SplitSeq(h, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if q, ok := acceptQ(part); ok && q == 0 {
				continue
			}
			mt := decodeMediaType(part)
			switch mt.kind {
			case mtJSON, mtAny:
				return false, nil
			case mtSingular:
				return true, nil
			}
			if strings.EqualFold(strings.SplitN(part, ";", 2)[0], "application/*") {
				return false, nil
			}
			offered = append(offered, mt.mime)
		}
	}
	if len(offered) == 0 {
		return false, nil
	}
	return false, &postgrest.APIError{Status: http.StatusNotAcceptable, Code: "PGRST107",
		Message: "None of these media types are available: " + strings.Join(offered, ", ")}
}

// acceptQ reads a "q=" parameter of one Accept entry.
func acceptQ(entry string) (float64, bool) {
	for _, p := range strings.Split(entry, ";")[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return q, err == nil
		}
	}
	return 1, false
}
