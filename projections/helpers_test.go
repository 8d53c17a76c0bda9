package projections

import (
	"context"

	"github.com/shopspring/decimal"
)

func domainDecimal(n int) decimal.Decimal { return decimal.NewFromInt(int64(n)) }

// fataler is what mustRead needs of a *testing.T or a *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// mustRead calls check with the projector's model of ledger as of cut and
// fails the test when the read fails or never calls check, so that the
// assertions inside check cannot be skipped by an error.
func mustRead(t fataler, ctx context.Context, p *Projector, ledger string, cut Cut, check func(m *Model)) {
	t.Helper()
	called := false
	err := p.Read(ctx, ledger, cut, func(m *Model) error {
		called = true
		check(m)
		return nil
	})
	if err != nil {
		t.Fatalf("read %s as of %v: %v", ledger, cut, err)
	}
	if !called {
		t.Fatalf("read %s as of %v answered without a model", ledger, cut)
	}
}
