package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// AccountHandlerOption changes the sign-up and password-change handlers.
type AccountHandlerOption func(*accountHandler)

// WithAccountSchema names the schema PostgREST would find signup() and
// change_password() in, for the texts of "function not found" errors
// (default "public"; match WithExposedSchema).
func WithAccountSchema(schema string) AccountHandlerOption {
	return func(h *accountHandler) { h.fn.schema = schema }
}

// WithAccountVerbosity sets PostgREST's client-error-verbosity for the
// error bodies (default [postgrest.Verbose]).
func WithAccountVerbosity(v postgrest.Verbosity) AccountHandlerOption {
	return func(h *accountHandler) { h.verbosity = v }
}

// WithMaxAccountBody bounds the request body (default 64 KiB), as
// WithMaxLoginBody does for logins.
func WithMaxAccountBody(n int64) AccountHandlerOption {
	return func(h *accountHandler) { h.maxBody = n }
}

// Errors of the account functions for NULL arguments: SQL NULL (JSON null)
// can be neither an email nor a password. The SQL functions raise the same
// (22004, null_value_not_allowed).
var (
	ErrNullCredentials = sqlerr.New("auth", "22004", "email and pass must not be null")
	ErrNullNewPassword = sqlerr.New("auth", "22004", "new_pass must not be null")
	// ErrNoEmailClaim: change_password was called with a token that has
	// no email claim (or a null one), so it names no user: 42501, which
	// PostgREST answers 403 for an authenticated role.
	ErrNoEmailClaim = sqlerr.New("auth", "42501", "the token has no email claim")
)

type accountHandler struct {
	svc       *Service
	fn        rpcFunction // public.signup(email, pass) or public.change_password(pass, new_pass)
	role      string      // the users' role
	verbosity postgrest.Verbosity
	maxBody   int64
}

// NewSignupHandler returns the handler for POST /rpc/signup {"email":…,
// "pass":…} that answers as PostgREST answers for the SQL signup(email,
// pass) which InstallSchema installs with WithUserRole(role): the new user
// gets role, which the request cannot choose. Success is 204 No Content
// with an empty body (signup() returns void); a taken email is 409
// {"code":"23505",…,"details":"Key (email)=(…) already exists.",…}; an
// email the table's check refuses is 400 23514 (without PostgreSQL's
// "Failing row contains" detail, which holds the hash); null arguments 400
// 22004; a password over the Service's limit or an email over
// MaxEmailLength characters 400 22001; the hashing queue full 503 with
// Retry-After. Body parsing, the 404 PGRST202 for other keys, 405, 406 and
// 413 are the login handler's (see NewLoginHandler), except that array
// bodies are always refused (400 PGRST102) and GET and HEAD always get 405:
// signup() writes, which PostgREST would refuse in GET's read-only
// transaction.
//
// Anyone can sign up: put it behind throttling of your own, or leave it
// out, when accounts are not for everyone.
func NewSignupHandler(svc *Service, role string, opts ...AccountHandlerOption) http.Handler {
	return newAccountHandler(svc, "signup", []string{"email", "pass"}, role, opts)
}

// NewChangePasswordHandler returns the handler for POST
// /rpc/change_password {"pass":…,"new_pass":…} that answers as PostgREST
// answers for the SQL change_password(pass, new_pass) which InstallSchema
// installs with WithUserRole(role). It must sit behind the middleware
// ([postgrest.NewMiddleware]): the user is the email claim of the request's
// token, and only requests whose role is role may call it, as only role
// has EXECUTE on the SQL function. Answers: 204 No Content when the
// password was changed; 401 42501 "permission denied for function
// change_password" with WWW-Authenticate: Bearer for an anonymous request
// (also one that reached the handler without the middleware), 403 42501
// for another role; 403 42501 "the token has no email claim"; 403 28P01
// "invalid user or password" when pass is wrong (or the user is gone); 400
// 22004 for a null new_pass, 400 22001 for a password over the limit; and
// the body-parsing answers of NewSignupHandler.
func NewChangePasswordHandler(svc *Service, role string, opts ...AccountHandlerOption) http.Handler {
	return newAccountHandler(svc, "change_password", []string{"pass", "new_pass"}, role, opts)
}

// newAccountHandler serves the SQL function name(params…), params in the
// declared order.
func newAccountHandler(svc *Service, name string, params []string, role string, opts []AccountHandlerOption) *accountHandler {
	h := &accountHandler{svc: svc, fn: rpcFunction{schema: "public", name: name, params: params}, role: role, maxBody: 64 << 10}
	for _, o := range opts {
		o(h)
	}
	return h
}

func (h *accountHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, apiErr := negotiate(r.Header.Values("Accept")); apiErr != nil {
		h.fail(w, apiErr)
		return
	}
	switch r.Method {
	case http.MethodPost:
	case http.MethodOptions:
		w.Header().Set("Content-Length", "0")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Allow", "OPTIONS,POST")
		w.WriteHeader(http.StatusOK)
		return
	default:
		h.fail(w, &postgrest.APIError{Status: http.StatusMethodNotAllowed, Code: "PGRST101",
			Message: "Cannot use the " + r.Method + " method on RPC", Header: http.Header{"Allow": {"OPTIONS,POST"}}})
		return
	}
	id, _ := postgrest.IdentityFrom(r.Context())
	args, apiErr := h.postArgs(w, r)
	if apiErr != nil {
		h.fail(w, apiErr)
		return
	}
	var err error
	if h.fn.name == "signup" {
		err = h.signup(r, args)
	} else {
		err = h.changePassword(r, id, args)
	}
	if err != nil {
		e := postgrest.FromDBError(err, id.Authenticated())
		if errors.Is(err, ErrHashQueueFull) {
			e.Header = http.Header{"Retry-After": {"1"}}
		}
		h.fail(w, e)
		return
	}
	w.WriteHeader(http.StatusNoContent) // PostgREST's answer for a void function
}

func (h *accountHandler) signup(r *http.Request, a rpcArgs) error {
	email, pass := a["email"], a["pass"]
	if email == nil || pass == nil {
		return ErrNullCredentials
	}
	return h.svc.SignUp(r.Context(), *email, *pass, h.role)
}

func (h *accountHandler) changePassword(r *http.Request, id postgrest.Identity, a rpcArgs) error {
	// The SQL function's privileges: EXECUTE is the users' role's only.
	if !id.Authenticated() || id.Role() != h.role {
		return sqlerr.New("auth", "42501", "permission denied for function change_password")
	}
	email := claimText(id.Claims(), "email")
	if email == nil {
		return ErrNoEmailClaim
	}
	pass, newPass := a["pass"], a["new_pass"]
	if newPass == nil {
		return ErrNullNewPassword
	}
	if pass == nil {
		// NULL matches no password; check new_pass's length first, as the
		// SQL does, and cost a failed login's hashing all the same.
		if err := h.svc.checkPasswordLength(*newPass); err != nil {
			return err
		}
		if err := h.svc.dummyVerify(r.Context()); err != nil {
			return err
		}
		return ErrInvalidPassword
	}
	return h.svc.ChangePassword(r.Context(), *email, *pass, *newPass)
}

// claimText is claims::json ->> key: a string unescaped, other values as
// their JSON text, null or absent as nil.
func claimText(claims, key string) *string {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(claims), &m) != nil {
		return nil
	}
	raw, ok := m[key]
	if !ok {
		return nil
	}
	return jsonText(raw)
}

func (h *accountHandler) fail(w http.ResponseWriter, e *postgrest.APIError) {
	e.Respond(w, h.verbosity)
}

// postArgs reads the body as PostgREST's payload parser would (see the
// login handler's postArgs), for this function's parameters.
func (h *accountHandler) postArgs(w http.ResponseWriter, r *http.Request) (rpcArgs, *postgrest.APIError) {
	body, mt, apiErr := readRPCBody(w, r, h.maxBody)
	if apiErr != nil {
		return nil, apiErr
	}
	switch mt.kind {
	case mtJSON:
		return h.jsonArgs(body)
	case mtURLEncoded:
		return h.fn.formArgs(string(body))
	}
	return nil, h.fn.bodyTypeError(mt)
}

func (h *accountHandler) jsonArgs(body []byte) (rpcArgs, *postgrest.APIError) {
	if len(body) == 0 {
		return nil, h.fn.noFunction(nil, true)
	}
	if !utf8.Valid(body) || !json.Valid(body) {
		return nil, invalidJSONError()
	}
	var obj map[string]json.RawMessage
	switch bytes.TrimLeft(body, " \t\r\n")[0] {
	case '{':
		_ = json.Unmarshal(body, &obj)
	case '[':
		return nil, &postgrest.APIError{Status: http.StatusBadRequest, Code: "PGRST102",
			Message: "Bulk calls are disabled: send a single JSON object, not an array"}
	}
	// Any other JSON value counts as an empty array: no keys at all.
	if keys := argKeys(obj); !slices.Equal(keys, h.fn.sortedParams()) {
		return nil, h.fn.noFunction(keys, true)
	}
	if apiErr := recordsetText(h.svc, body); apiErr != nil {
		return nil, apiErr
	}
	args := rpcArgs{}
	for _, k := range h.fn.params {
		args[k] = jsonText(obj[k])
	}
	return args, nil
}
