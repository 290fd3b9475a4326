package pgjson_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// The seed's login payload: role, email, exp.
type loginClaims struct {
	Role  string `json:"role"`
	Email string `json:"email"`
	Exp   int64  `json:"exp"`
}

var (
	benchRole, benchEmail = "webuser", "foo@bar.com"
	benchExp              = int64(1795636901)
	sink                  []byte
)

func loginObject(role, email string, exp int64) pgjson.Object {
	return pgjson.Object{{Key: "role", Value: role}, {Key: "email", Value: email}, {Key: "exp", Value: exp}}
}

// BenchmarkLoginPayload compares RowToJSON of the 3-claim login payload
// with encoding/json.Marshal of an equivalent struct (whose bytes coincide
// here: no escapes, declared order), in the same run; ratio = encoding/json
// time / RowToJSON time.
func BenchmarkLoginPayload(b *testing.B) {
	o := loginObject(benchRole, benchEmail, benchExp)
	claims := loginClaims{benchRole, benchEmail, benchExp}
	var rowNs, jsonNs float64
	b.Run("RowToJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = pgjson.RowToJSON(o)
		}
		rowNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("RowToJSON_building_Object", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = pgjson.RowToJSON(loginObject(benchRole, benchEmail, benchExp))
		}
	})
	b.Run("AppendRowToJSON_reused_buffer", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 128)
		for b.Loop() {
			buf, _ = pgjson.AppendRowToJSON(buf[:0], o)
		}
		sink = buf
	})
	b.Run("encoding_json_Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = json.Marshal(claims)
		}
		jsonNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		if rowNs > 0 {
			b.ReportMetric(jsonNs/rowNs, "encjson/rowtojson")
		}
	})
	b.Run("BuildObject", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = pgjson.BuildObject(o)
		}
	})
	b.Run("JSONB", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = pgjson.JSONB(o)
		}
	})
	b.Run("EpochSeconds", func(b *testing.B) {
		now := time.Unix(1795633301, 600000000)
		var n int64
		for b.Loop() {
			n, _ = pgjson.EpochSeconds(now)
		}
		_ = n
	})
	for _, c := range pgtest.Clusters(b) {
		b.Run("server_"+c.String(), func(b *testing.B) {
			serverLoop(b, c)
			if rowNs > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rowNs, "server/rowtojson")
			}
		})
	}
}

// serverLoop times row_to_json of the login row on the server, per row of a
// server-side loop (one query in all, no round trip per row).
func serverLoop(b *testing.B, c *pgtest.Cluster) {
	var n int64
	b.ResetTimer()
	err := c.UTF8.Pool.QueryRow(context.Background(), `
		select count(row_to_json(r)::text) from (
		  select $1::text::name as role, $2::text as email, $3::int4 + g as exp
		  from generate_series(1, $4::int4) g) r`,
		benchRole, benchEmail, int32(benchExp-int64(b.N)), int32(b.N)).Scan(&n)
	if err != nil || n != int64(b.N) {
		b.Fatal(n, err)
	}
}

// BenchmarkLoginPayloadPaired interleaves RowToJSON and json.Marshal in
// blocks of 256 calls, so that both see the same load on a busy machine;
// one op is one call of each. It reports each one's time and their ratio.
func BenchmarkLoginPayloadPaired(b *testing.B) {
	o := loginObject(benchRole, benchEmail, benchExp)
	claims := loginClaims{benchRole, benchEmail, benchExp}
	const block = 256
	var row, enc time.Duration
	calls := 0
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		for range block {
			sink, _ = pgjson.RowToJSON(o)
		}
		mid := time.Now()
		for range block {
			sink, _ = json.Marshal(claims)
		}
		row += mid.Sub(start)
		enc += time.Since(mid)
		calls += block
	}
	b.ReportMetric(float64(row.Nanoseconds())/float64(calls), "rowtojson-ns/call")
	b.ReportMetric(float64(enc.Nanoseconds())/float64(calls), "encjson-ns/call")
	b.ReportMetric(float64(enc)/float64(row), "encjson/rowtojson")
}
