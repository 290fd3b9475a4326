package jwt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"sort"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// The benchmarks use the seed's login() payload: three claims.
const (
	benchPayload = `{"role":"webuser","email":"foo@bar.com","exp":4102444800}`
	benchSecret  = "reallyreallyreallyreallyverysafe"
)

var (
	benchToken = func() string {
		t, err := Sign(json.RawMessage(benchPayload), benchSecret, "HS256")
		if err != nil {
			panic(err)
		}
		return t
	}()
	benchAt     = time.Unix(1795636900, 0) // before exp (2100-01-01)
	benchClaims = gojwt.MapClaims{"role": "webuser", "email": "foo@bar.com", "exp": 4102444800}
)

// ratio times op and base alternately in short batches and returns the
// median of the per-round time ratios: on a shared, busy machine this keeps
// the comparison fair where two separate benchmarks would not be.
func ratio(op, base func() error) float64 {
	const rounds, batch = 31, 1000
	var rs []float64
	timeBatch := func(f func() error) time.Duration {
		start := time.Now()
		for i := 0; i < batch; i++ {
			if err := f(); err != nil {
				panic(err)
			}
		}
		return time.Since(start)
	}
	for r := 0; r < rounds; r++ {
		a := timeBatch(op)
		b := timeBatch(base)
		rs = append(rs, float64(a)/float64(b))
	}
	sort.Float64s(rs)
	return rs[rounds/2]
}

func loop(b *testing.B, op func() error) {
	b.ReportAllocs()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
}

// hmacFloor is the bare HMAC-SHA256 of the signing input with a hash keyed
// in advance: the least any implementation must do per token.
var hmacFloor = func() func() error {
	input := []byte(benchToken[:len(benchToken)-44])
	h := hmac.New(sha256.New, []byte(benchSecret))
	var sum [32]byte
	return func() error {
		h.Reset()
		h.Write(input)
		h.Sum(sum[:0])
		return nil
	}
}()

var benchPayloadJSON = json.RawMessage(benchPayload)

func jwtSign() error {
	_, err := Sign(benchPayloadJSON, benchSecret, "HS256")
	return err
}

func jwtVerify() error {
	res, err := VerifyAt(benchToken, benchSecret, "HS256", benchAt)
	if err == nil && res.Valid != Valid {
		return errors.New("not valid")
	}
	return err
}

var benchKey = []byte(benchSecret)

func golangJWTSign() error {
	_, err := gojwt.NewWithClaims(gojwt.SigningMethodHS256, benchClaims).SignedString(benchKey)
	return err
}

var golangJWTParser = gojwt.NewParser(gojwt.WithValidMethods([]string{"HS256"}), gojwt.WithTimeFunc(func() time.Time { return benchAt }))

func golangJWTParse() error {
	_, err := golangJWTParser.Parse(benchToken, func(*gojwt.Token) (any, error) { return benchKey, nil })
	return err
}

func BenchmarkHMACFloor(b *testing.B) { loop(b, hmacFloor) }

func BenchmarkSign(b *testing.B) {
	loop(b, jwtSign)
	b.StopTimer()
	b.ReportMetric(ratio(jwtSign, hmacFloor), "x-hmac-floor")
	b.ReportMetric(ratio(golangJWTSign, jwtSign), "x-faster-than-golang-jwt")
}

func BenchmarkVerify(b *testing.B) {
	loop(b, jwtVerify)
	b.StopTimer()
	b.ReportMetric(ratio(jwtVerify, hmacFloor), "x-hmac-floor")
	b.ReportMetric(ratio(golangJWTParse, jwtVerify), "x-faster-than-golang-jwt")
}

func BenchmarkGolangJWTSign(b *testing.B)  { loop(b, golangJWTSign) }
func BenchmarkGolangJWTParse(b *testing.B) { loop(b, golangJWTParse) }

// serverLoop runs fn's SQL over b.N rows in chunks, inside the server: the
// per-row cost of pgjwt's functions (CompatSQL) without round trips.
func serverLoop(b *testing.B, goOp func() error, query string, args ...any) {
	clusters := pgtest.Clusters(b)
	for _, c := range clusters {
		b.Run(c.String(), func(b *testing.B) {
			pool := oracle(b, c.UTF8)
			b.ResetTimer()
			for done := 0; done < b.N; {
				n := min(b.N-done, 20000)
				var count int64
				if err := pool.QueryRow(ctx(b), query, append([]any{n}, args...)...).Scan(&count); err != nil {
					b.Fatal(err)
				}
				if count != int64(n) {
					b.Fatalf("%d rows, want %d", count, n)
				}
				done += n
			}
			b.StopTimer()
			server := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(server/goNsPerOp(goOp), "x-slower-than-go")
		})
	}
}

// goNsPerOp times op for a moment, for the server benchmarks' ratio.
func goNsPerOp(op func() error) float64 {
	const n = 20000
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := op(); err != nil {
			panic(err)
		}
	}
	return float64(time.Since(start).Nanoseconds()) / n
}

// The arguments come from a subquery fenced with OFFSET 0, so that they
// are not constants: every row calls the function (no plan-time folding).
func BenchmarkServerSign(b *testing.B) {
	serverLoop(b, jwtSign, `select count(`+oracleSchema+`.sign(x.p, x.s))
		from generate_series(1, $1) g, (select $2::json as p, $3::text as s offset 0) x`, benchPayload, benchSecret)
}

func BenchmarkServerVerify(b *testing.B) {
	serverLoop(b, jwtVerify, `select count(*) filter (where v.valid)
		from generate_series(1, $1) g, (select $2::text as t, $3::text as s offset 0) x,
		     lateral `+oracleSchema+`.verify(x.t, x.s) v`, benchToken, benchSecret)
}
