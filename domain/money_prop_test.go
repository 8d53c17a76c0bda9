package domain

import (
	"math"
	"math/big"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// moneyGen draws amounts from every range Money has: small fen, values at
// the int64 limits (where the fast path must hand over to big), and values
// far outside int64 (circulation summed over years), as fen.
func moneyGen() *rapid.Generator[*big.Int] {
	return rapid.Custom(func(t *rapid.T) *big.Int {
		switch rapid.IntRange(0, 3).Draw(t, "range") {
		case 0:
			return big.NewInt(rapid.Int64Range(-1_000_000_00, 1_000_000_00).Draw(t, "small"))
		case 1:
			edge := rapid.SampledFrom([]int64{math.MaxInt64, math.MinInt64}).Draw(t, "edge")
			return new(big.Int).Sub(big.NewInt(edge), big.NewInt(rapid.Int64Range(-3, 3).Draw(t, "off")))
		case 2:
			return big.NewInt(rapid.Int64().Draw(t, "any"))
		default:
			hi := big.NewInt(rapid.Int64().Draw(t, "hi"))
			return hi.Mul(hi, big.NewInt(rapid.Int64Range(2, math.MaxInt64).Draw(t, "mul")))
		}
	})
}

// moneyOf makes Money from fen the way arithmetic would reach it.
func moneyOf(fen *big.Int) Money { return fromBig(new(big.Int).Set(fen)) }

// dec is the reference: the same fen as a decimal of yuan.
func dec(fen *big.Int) decimal.Decimal { return decimal.NewFromBigInt(fen, -2) }

// checkMoney fails unless m holds exactly want (as a decimal of yuan) in
// canonical form, and writes it as decimal does.
func checkMoney(t *rapid.T, what string, m Money, want decimal.Decimal) {
	if !m.Decimal().Equal(want) {
		t.Fatalf("%s = %s, decimal says %s", what, m, want.StringFixed(2))
	}
	if m.String() != want.StringFixed(2) {
		t.Fatalf("%s writes %q, decimal %q", what, m.String(), want.StringFixed(2))
	}
	if (m.big != nil) == m.Decimal().Shift(2).BigInt().IsInt64() || (m.big != nil && m.fen != 0) {
		t.Fatalf("%s = %#v is not canonical", what, m)
	}
}

// TestMoneyAgreesWithDecimal: every operation of Money answers what
// shopspring/decimal answers for the same amounts, across the int64
// limits and beyond.
func TestMoneyAgreesWithDecimal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := moneyGen().Draw(t, "a"), moneyGen().Draw(t, "b")
		n := rapid.Int64().Draw(t, "n")
		ma, mb := moneyOf(a), moneyOf(b)
		da, db := dec(a), dec(b)
		checkMoney(t, "a", ma, da)
		checkMoney(t, "a+b", ma.Add(mb), da.Add(db))
		checkMoney(t, "a-b", ma.Sub(mb), da.Sub(db))
		checkMoney(t, "-a", ma.Neg(), da.Neg())
		checkMoney(t, "a*n", ma.MulInt(n), da.Mul(decimal.NewFromInt(n)))
		checkMoney(t, "a+b-b", ma.Add(mb).Sub(mb), da)
		// == means equality only on the int64 path; two equal big values
		// hold different pointers, which is why code compares with Equal.
		small := ma.big == nil && mb.big == nil
		if ma.Cmp(mb) != da.Cmp(db) || ma.Equal(mb) != da.Equal(db) || (small && ma.Equal(mb) != (ma == mb)) {
			t.Fatalf("Cmp/Equal(%s, %s) = %d/%v, decimal %d", ma, mb, ma.Cmp(mb), ma.Equal(mb), da.Cmp(db))
		}
		if ma.Sign() != da.Sign() || ma.IsZero() != da.IsZero() || ma.IsNegative() != da.IsNegative() || ma.IsPositive() != da.IsPositive() {
			t.Fatalf("sign of %s", ma)
		}
		if !mb.IsZero() && Ratio(ma, mb) != da.DivRound(db, 8).Round(4).StringFixed(4) {
			t.Fatalf("Ratio(%s, %s) = %s", ma, mb, Ratio(ma, mb))
		}
		if got, err := ParseStoredMoney(ma.String()); err == nil && !got.Equal(ma) {
			t.Fatalf("%s reads back as %s", ma, got)
		}
	})
}

// TestMoneyDoesNotWrapAtInt64: sums past int64 fen (≈9.2 × 10^16 yuan)
// stay exact instead of wrapping to a negative balance, and come back to
// the int64 form when they return into range.
func TestMoneyDoesNotWrapAtInt64(t *testing.T) {
	top := Fen(math.MaxInt64)
	over := top.Add(Fen(1))
	if over.String() != "92233720368547758.08" || !over.IsPositive() || over.Cmp(top) <= 0 {
		t.Fatalf("MaxInt64 fen + 1 fen = %s", over)
	}
	if back := over.Sub(Fen(1)); back != top {
		t.Fatalf("back into range: %#v, want %#v", back, top)
	}
	if low := Fen(math.MinInt64).Sub(Fen(1)); low.String() != "-92233720368547758.09" || !low.IsNegative() {
		t.Fatalf("MinInt64 fen - 1 fen = %s", low)
	}
	if neg := Fen(math.MinInt64).Neg(); neg.String() != "92233720368547758.08" {
		t.Fatalf("-MinInt64 fen = %s", neg)
	}
	if prod := MaxAmount.MulInt(1000); prod.String() != "1000000000000000.00" {
		t.Fatalf("MaxAmount × 1000 = %s", prod)
	}
	if prod := MaxAmount.MulInt(1_000_000); prod.String() != "1000000000000000000.00" || prod.big == nil {
		t.Fatalf("MaxAmount × 10^6 = %s (%#v)", prod, prod)
	}
	// A gross counter: a hundred thousand top-size amounts in circulation.
	sum := Zero
	for range 100_000 {
		sum = sum.Add(MaxAmount)
	}
	if sum.String() != "100000000000000000.00" {
		t.Fatalf("10^5 × MaxAmount = %s", sum)
	}
}
