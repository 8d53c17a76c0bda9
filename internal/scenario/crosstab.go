package scenario

import (
	"fmt"
	"sort"
)

// cell is the projects of one batch and one category.
type cell struct {
	batch, category int
	count           int
	total           Amount
}

// minProjectFen is the least budget a generated project may have: 100 yuan.
const minProjectFen = 10000

// crossTab finds project counts and totals per (batch, category) whose rows
// add up to the batches and whose columns add up to the categories, to the
// fen. It lays counts out with the north-west corner rule, which gives a
// staircase of cells in which the amounts are then fixed by the totals; it
// tries a few orders of rows and columns (as given, by average budget
// descending, ascending) and takes the first in which every cell holds at
// least minProjectFen per project.
func crossTab(batches, cats []Group) ([]cell, error) {
	orders := []func([]Group) []int{asGiven, byAverage(true), byAverage(false)}
	for _, ro := range orders {
		for _, co := range orders {
			if cells, ok := staircase(batches, cats, ro(batches), co(cats)); ok {
				return cells, nil
			}
		}
	}
	// Small specs: try every order of rows and columns.
	if len(batches) <= 6 && len(cats) <= 6 {
		for _, ro := range perms(len(batches)) {
			for _, co := range perms(len(cats)) {
				if cells, ok := staircase(batches, cats, ro, co); ok {
					return cells, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("scenario: cannot split the batches over the categories with at least %d fen per project; adjust the spec", minProjectFen)
}

func asGiven(g []Group) []int {
	out := make([]int, len(g))
	for i := range out {
		out[i] = i
	}
	return out
}

func byAverage(desc bool) func([]Group) []int {
	return func(g []Group) []int {
		out := asGiven(g)
		// a's average above b's, compared by cross-multiplying in fen.
		above := func(a, b int) bool {
			return int64(g[a].Total)*int64(max(g[b].Count, 1)) > int64(g[b].Total)*int64(max(g[a].Count, 1))
		}
		sort.SliceStable(out, func(a, b int) bool {
			if desc {
				return above(out[a], out[b])
			}
			return above(out[b], out[a])
		})
		return out
	}
}

// staircase walks rows ro and columns co by the north-west corner rule on
// counts, and gives each cell the amount that closes its row or column.
func staircase(rows, cols []Group, ro, co []int) ([]cell, bool) {
	rc := make([]int, len(rows))
	ra := make([]Amount, len(rows))
	for i, g := range rows {
		rc[i], ra[i] = g.Count, g.Total
	}
	cc := make([]int, len(cols))
	ca := make([]Amount, len(cols))
	for j, g := range cols {
		cc[j], ca[j] = g.Count, g.Total
	}
	var out []cell
	i, j := 0, 0
	for i < len(ro) && j < len(co) {
		r, c := ro[i], co[j]
		if rc[r] == 0 { // an empty row must hold no money
			if ra[r] != 0 {
				return nil, false
			}
			i++
			continue
		}
		if cc[c] == 0 {
			if ca[c] != 0 {
				return nil, false
			}
			j++
			continue
		}
		n := min(rc[r], cc[c])
		var amt Amount
		switch {
		case rc[r] == n && cc[c] == n: // both close: the amounts must agree
			if ra[r] != ca[c] {
				return nil, false
			}
			amt = ra[r]
		case rc[r] == n:
			amt = ra[r]
		default:
			amt = ca[c]
		}
		if amt < Amount(n)*minProjectFen || amt > ra[r] || amt > ca[c] {
			return nil, false
		}
		out = append(out, cell{batch: r, category: c, count: n, total: amt})
		rc[r] -= n
		cc[c] -= n
		ra[r] -= amt
		ca[c] -= amt
		if rc[r] == 0 {
			i++
		}
		if cc[c] == 0 {
			j++
		}
	}
	for r := range rows {
		if rc[r] != 0 || ra[r] != 0 {
			return nil, false
		}
	}
	for c := range cols {
		if cc[c] != 0 || ca[c] != 0 {
			return nil, false
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].batch != out[b].batch {
			return out[a].batch < out[b].batch
		}
		return out[a].category < out[b].category
	})
	return out, true
}

// split divides total fen into n parts that differ by at most one fen, the
// larger parts first.
func split(total Amount, n int) []Amount {
	out := make([]Amount, n)
	base, rem := total/Amount(n), int(total%Amount(n))
	for i := range out {
		out[i] = base
		if i < rem {
			out[i]++
		}
	}
	return out
}

// perms answers every order of 0..n-1, always in the same sequence.
func perms(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range perms(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}
