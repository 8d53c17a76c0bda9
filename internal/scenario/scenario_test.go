package scenario

import (
	"encoding/json"
	"testing"
)

func TestAmountReadsWanAndYuanExactly(t *testing.T) {
	for in, want := range map[string]Amount{`"440.039万"`: 440039000, `"92720"`: 9272000, `"0.01"`: 1, `"1013.7万"`: 1013700000} {
		var a Amount
		if err := json.Unmarshal([]byte(in), &a); err != nil || a != want {
			t.Errorf("%s = %d (%v), want %d fen", in, a, err, want)
		}
	}
	var a Amount
	if err := json.Unmarshal([]byte(`"0.001"`), &a); err == nil {
		t.Errorf("0.001 yuan accepted as %d fen", a)
	}
}

// TestCrossTabHitsEveryMarginal checks rows and columns to the fen.
func TestCrossTabHitsEveryMarginal(t *testing.T) {
	batches := []Group{{"b1", 37, 1013700000}, {"b2", 13, 440039000}, {"b3", 19, 896400000}, {"b4", 12, 181100000}}
	cats := []Group{{"industry", 62, 1918600000}, {"infrastructure", 10, 400000000}, {"housing", 9, 212639000}}
	cells, err := crossTab(batches, cats)
	if err != nil {
		t.Fatal(err)
	}
	rc, ra := make([]int, len(batches)), make([]Amount, len(batches))
	cc, ca := make([]int, len(cats)), make([]Amount, len(cats))
	for _, c := range cells {
		if c.total < Amount(c.count)*minProjectFen {
			t.Errorf("cell %+v below the least budget", c)
		}
		rc[c.batch] += c.count
		ra[c.batch] += c.total
		cc[c.category] += c.count
		ca[c.category] += c.total
	}
	for i, b := range batches {
		if rc[i] != b.Count || ra[i] != b.Total {
			t.Errorf("batch %s: %d, %d fen", b.Name, rc[i], ra[i])
		}
	}
	for j, c := range cats {
		if cc[j] != c.Count || ca[j] != c.Total {
			t.Errorf("category %s: %d, %d fen", c.Name, cc[j], ca[j])
		}
	}
	if got := split(10, 3); got[0] != 4 || got[1] != 3 || got[2] != 3 {
		t.Errorf("split(10,3) = %v", got)
	}
}
