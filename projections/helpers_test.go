package projections

import "github.com/shopspring/decimal"

func domainDecimal(n int) decimal.Decimal { return decimal.NewFromInt(int64(n)) }
