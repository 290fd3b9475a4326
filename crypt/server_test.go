package crypt

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// This file talks to the live server: it sends byte strings so that
// pgcrypto sees exactly the bytes Go hashes, and reads results back as
// bytes, one outcome (result, or SQLSTATE + message, plus NOTICEs) per call.

// outcome is what one crypt() or gen_salt() call gave: a result or an
// error, and the notices raised on the way.
type outcome struct {
	res     string
	code    string // SQLSTATE, "" on success
	msg     string
	notices []Notice
}

func (o outcome) String() string {
	s := ""
	if o.code != "" {
		s = "ERROR " + o.code + " " + quoteBytes(o.msg)
	} else {
		s = quoteBytes(o.res)
	}
	for _, n := range o.notices {
		s += " NOTICE " + n.Code + " " + n.Message
	}
	return s
}

// quoteBytes quotes a byte string so that invalid UTF-8 stays visible.
func quoteBytes(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			b.WriteString(`\x`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// goOutcome runs fn and records its result, error and notices the way
// serverSession records the server's.
func goOutcome(fn func(notice func(Notice)) (string, error)) outcome {
	var o outcome
	res, err := fn(func(n Notice) { o.notices = append(o.notices, n) })
	if err != nil {
		code, msg, ok := pgtest.ErrorOf(err)
		if !ok {
			code, msg = "?????", "foreign error: "+err.Error()
		}
		o.code, o.msg = code, msg
		return o
	}
	o.res = res
	return o
}

// latin1ToUTF8 maps each byte to the character with that code point, which
// is exactly how PostgreSQL converts LATIN1 to UTF8 for the client.
func latin1ToUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

func utf8ToLatin1(t testing.TB, s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			t.Fatalf("server sent %U through a LATIN1 database", r)
		}
		b = append(b, byte(r))
	}
	return string(b)
}

// serverSession is one connection to a database of a live cluster, with
// helper functions that turn errors into rows.
type serverSession struct {
	t       testing.TB
	db      *pgtest.DB
	conn    *pgx.Conn
	notices *[]Notice // where the connection's notices go right now
}

func newServerSession(t testing.TB, db *pgtest.DB) *serverSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := pgx.ParseConfig(db.ConnString)
	if err != nil {
		t.Fatal(err)
	}
	// The client encoding stays UTF8: in a LATIN1 database the bytes are
	// carried as the characters U+0000–U+00FF (latin1ToUTF8).
	cfg.RuntimeParams["client_encoding"] = "UTF8"
	s := &serverSession{t: t, db: db}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		if s.notices != nil {
			*s.notices = append(*s.notices, Notice{Code: n.Code, Message: s.fromServer(n.Message)})
		}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	s.conn = conn
	for _, stmt := range []string{
		`create function pg_temp.try_crypt(p text, s text, out res text, out code text, out msg text)
		 language plpgsql as $$
		 begin
		   res := crypt(p, s);
		 exception when others then
		   get stacked diagnostics code = returned_sqlstate, msg = message_text;
		 end $$`,
		`create function pg_temp.try_gen_salt(t text, r int, out res text, out code text, out msg text)
		 language plpgsql as $$
		 begin
		   if r is null then res := gen_salt(t); else res := gen_salt(t, r); end if;
		 exception when others then
		   get stacked diagnostics code = returned_sqlstate, msg = message_text;
		 end $$`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", db, err)
		}
	}
	return s
}

func (s *serverSession) latin1() bool { return s.db.Encoding == "LATIN1" }

// sendable reports whether the database can receive str as text: a UTF8
// database only valid UTF-8; a LATIN1 database any bytes but NUL.
func (s *serverSession) sendable(str string) bool {
	return strings.IndexByte(str, 0) < 0 && (s.latin1() || utf8.ValidString(str))
}

func (s *serverSession) toServer(str string) string {
	if s.latin1() {
		return latin1ToUTF8(str)
	}
	return str
}

func (s *serverSession) fromServer(str string) string {
	if s.latin1() {
		return utf8ToLatin1(s.t, str)
	}
	return str
}

// call runs one query per argument list in pipelined batches and returns an
// outcome per query; query must select (res, code, msg).
func (s *serverSession) call(query string, args [][]any) []outcome {
	s.t.Helper()
	const chunk = 400
	out := make([]outcome, len(args))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for start := 0; start < len(args); start += chunk {
		end := min(start+chunk, len(args))
		batch := &pgx.Batch{}
		for _, a := range args[start:end] {
			batch.Queue(query, a...)
		}
		br := s.conn.SendBatch(ctx, batch)
		for i := start; i < end; i++ {
			// Notices of query i arrive after result i-1 and before
			// result i, so they are read while reading result i.
			s.notices = &out[i].notices
			var res []byte
			var code, msg *string
			if err := br.QueryRow().Scan(&res, &code, &msg); err != nil {
				s.t.Fatalf("%s: query %d: %v", s.db, i, err)
			}
			s.notices = nil
			if code != nil {
				out[i].code, out[i].msg = *code, s.fromServer(*msg)
			} else {
				out[i].res = s.fromServer(string(res))
			}
		}
		if err := br.Close(); err != nil {
			s.t.Fatalf("%s: %v", s.db, err)
		}
	}
	return out
}

// crypt runs crypt(password, setting) on the server for every pair.
func (s *serverSession) crypt(pairs [][2]string) []outcome {
	args := make([][]any, len(pairs))
	for i, p := range pairs {
		args[i] = []any{s.toServer(p[0]), s.toServer(p[1])}
	}
	return s.call("select res, code, msg from pg_temp.try_crypt($1, $2)", args)
}

// genSalt runs gen_salt(typ) (rounds nil) or gen_salt(typ, rounds).
func (s *serverSession) genSalt(typ string, rounds *int32) outcome {
	return s.call("select res, code, msg from pg_temp.try_gen_salt($1, $2)", [][]any{{s.toServer(typ), rounds}})[0]
}
