package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/auth"
	"github.com/pgjwt-go/pgjwt/auth/postgrest"
)

// schemaSQL is the application's part: a notes table whose rows the
// database itself filters by the email claim of the request's token. The
// anon and authenticator roles come from auth.InstallSchema.
const schemaSQL = `
DO $$ BEGIN
    CREATE ROLE webuser NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
GRANT webuser TO authenticator;

CREATE SCHEMA IF NOT EXISTS rls_demo;
CREATE TABLE IF NOT EXISTS rls_demo.notes (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner  text NOT NULL DEFAULT current_setting('request.jwt.claims', true)::json->>'email',
    body   text NOT NULL,
    public boolean NOT NULL DEFAULT false
);
ALTER TABLE rls_demo.notes ENABLE ROW LEVEL SECURITY;

-- A webuser reads and writes their own notes: the owner is the email claim.
DROP POLICY IF EXISTS own_notes ON rls_demo.notes;
CREATE POLICY own_notes ON rls_demo.notes TO webuser
    USING (owner = current_setting('request.jwt.claims', true)::json->>'email')
    WITH CHECK (owner = current_setting('request.jwt.claims', true)::json->>'email');
-- Everybody, anonymous requests included, reads public notes.
DROP POLICY IF EXISTS public_notes ON rls_demo.notes;
CREATE POLICY public_notes ON rls_demo.notes FOR SELECT TO anon, webuser
    USING (public);

GRANT USAGE ON SCHEMA rls_demo TO anon, webuser;
GRANT SELECT ON rls_demo.notes TO anon;
GRANT SELECT, INSERT ON rls_demo.notes TO webuser;
`

// setup installs the login schema (users, login(), the anon and
// authenticator roles) and the notes table with its policies.
func setup(ctx context.Context, admin *pgxpool.Pool) error {
	if _, err := auth.InstallSchema(ctx, admin); err != nil {
		return err
	}
	_, err := admin.Exec(ctx, schemaSQL, pgx.QueryExecModeSimpleProtocol)
	return err
}

type note struct {
	ID     int64  `json:"id"`
	Owner  string `json:"owner"`
	Body   string `json:"body"`
	Public bool   `json:"public"`
}

// notesHandler serves GET /notes (the notes the request may see) and POST
// /notes {"body":…,"public":…} (a note owned by the token's email). It
// filters nothing itself: each request runs in a transaction handed to
// the database as PostgREST hands it (postgrest.SetRequestContext: SET LOCAL ROLE
// and request.jwt.claims), and the policies decide.
type notesHandler struct{ db *pgxpool.Pool }

func (h notesHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, _ := postgrest.IdentityFrom(r.Context()) // set by the middleware in front
	var result any
	err := pgx.BeginFunc(r.Context(), h.db, func(tx pgx.Tx) error {
		if err := postgrest.SetRequestContext(r.Context(), tx, id, r); err != nil {
			return err
		}
		var err error
		switch r.Method {
		case http.MethodGet:
			result, err = listNotes(r.Context(), tx)
		case http.MethodPost:
			result, err = addNote(r.Context(), tx, r)
		default:
			err = &postgrest.APIError{Status: http.StatusMethodNotAllowed, Code: "PGRST117", Message: "Unsupported HTTP method: " + r.Method}
		}
		return err
	})
	if err != nil {
		// Answer as PostgREST would: a policy violation or a missing grant
		// is 403, or 401 for an anonymous request.
		var apiErr *postgrest.APIError
		if !errors.As(err, &apiErr) {
			apiErr = postgrest.FromDBError(err, id.Authenticated())
		}
		apiErr.Respond(w, postgrest.Verbose)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodPost {
		w.WriteHeader(http.StatusCreated)
	}
	json.NewEncoder(w).Encode(result)
}

func listNotes(ctx context.Context, tx pgx.Tx) ([]note, error) {
	rows, _ := tx.Query(ctx, `SELECT id, owner, body, public FROM rls_demo.notes ORDER BY id`)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[note])
}

func addNote(ctx context.Context, tx pgx.Tx, r *http.Request) (note, error) {
	var in struct {
		Body   string  `json:"body"`
		Public bool    `json:"public"`
		Owner  *string `json:"owner"` // normally absent: the column defaults to the email claim
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10)).Decode(&in); err != nil {
		return note{}, &postgrest.APIError{Status: http.StatusBadRequest, Code: "PGRST102", Message: "Empty or invalid json"}
	}
	sql := `INSERT INTO rls_demo.notes (body, public) VALUES ($1, $2) RETURNING id, owner, body, public`
	args := []any{in.Body, in.Public}
	if in.Owner != nil {
		sql = `INSERT INTO rls_demo.notes (body, public, owner) VALUES ($1, $2, $3) RETURNING id, owner, body, public`
		args = append(args, *in.Owner)
	}
	rows, _ := tx.Query(ctx, sql, args...)
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[note])
}
