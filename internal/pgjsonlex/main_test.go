package pgjsonlex

import (
	"testing"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
