package projections

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIDsAfterPicksThePageInOrder: the one-pass page pick answers exactly
// the first limit ids after the token in byte order, as sorting them all
// would, for limits below, at and above what is left, and for all (-1).
func TestIDsAfterPicksThePageInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		set := map[string]bool{}
		for range rng.IntN(300) {
			set[fmt.Sprintf("H%04d", rng.IntN(1000))] = true
		}
		sorted := slices.Sorted(maps.Keys(set))
		after := ""
		if round%3 != 0 {
			after = fmt.Sprintf("H%04d", rng.IntN(1000)) // in the set or not
		}
		var rest []string
		for _, id := range sorted {
			if id > after {
				rest = append(rest, id)
			}
		}
		for _, limit := range []int{-1, 1, 2, 38, len(rest), len(rest) + 1, 1001} {
			if limit == 0 {
				continue
			}
			got := idsAfter(maps.Keys(set), after, limit)
			want := rest
			if limit >= 0 && limit < len(rest) {
				want = rest[:limit]
			}
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Fatalf("round %d, after %q, limit %d:\n got %v\nwant %v", round, after, limit, got, want)
			}
		}
	}
}

// TestListSearchPagesInOrder: with q, pages hold the matching ids in byte
// order, without gaps or repeats, across page tokens.
func TestListSearchPagesInOrder(t *testing.T) {
	m := demoModel(t, Cut{})
	all, _ := m.listKeys(KindHouseholds)
	var want []string
	for _, id := range slices.Sorted(all) {
		if it := m.listItem(KindHouseholds, id); it.matches("1") {
			want = append(want, id)
		}
	}
	var got []string
	token := ""
	for range 10000 {
		l, _, err := m.List(KindHouseholds, "1", token, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range l.Items {
			got = append(got, it.ID)
		}
		if token = l.NextPageToken; token == "" {
			break
		}
	}
	if len(want) < 100 || !slices.Equal(got, want) {
		t.Fatalf("q=1 paged %d ids, want %d in order", len(got), len(want))
	}
}
