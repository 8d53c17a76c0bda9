package domain

import (
	"bufio"
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// awkward strings a field may hold: the codec's separators, its quote,
// escapes, non-ASCII and bytes that are not UTF-8.
var awkward = []string{"", "a\tb", "line\nbreak", "cr\r", `"quoted"`, `back\slash`, "中文 名称", "\xff\xfe", " lead", "x"}

// fill sets every field reachable from v to a value that differs from its
// zero value and from the other fields', so a field the codec forgets
// comes back different.
func fill(v reflect.Value, n *int) {
	if !v.CanSet() {
		return // an unexported field: a compact Write's (see fillWrites)
	}
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s%d", awkward[*n%len(awkward)], *n))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(Money{}) {
			v.Set(reflect.ValueOf(Fen(int64(*n) * 101)))
			if *n%2 == 0 {
				v.Set(reflect.ValueOf(Fen(-int64(*n) * 99)))
			}
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 3 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n)
			fill(e, n)
			v.SetMapIndex(k, e)
		}
	default:
		panic("fill: no rule for " + v.Type().String())
	}
}

func filledState() *State {
	s := NewState()
	n := 0
	fill(reflect.ValueOf(s).Elem(), &n)
	fillWrites(s, &n)
	return s
}

// fillWrites replaces the writes fill made (a Write's fields are
// unexported) with one of every shape: a transfer, postings that are not
// one, a project, a reversal of a transfer and one of other postings, one
// reversed, an unknown type, no postings and an empty list, with awkward
// strings in every field and in the accounts.
func fillWrites(s *State, n *int) {
	str := func() string { *n++; return fmt.Sprintf("%s%d", awkward[*n%len(awkward)], *n) }
	acct := func() Account { return Account("household:" + str()) }
	amt := func() Money { *n++; return Fen(int64(*n) * 101) }
	s.Writes = map[string]Write{}
	a, b, m := acct(), acct(), amt()
	big, _ := ParseStoredMoney("123456789012345678901234.56")
	for _, w := range []struct {
		typ                           EventType
		postings                      []Posting
		project, reverses, reversedBy string
		amount                        Money
	}{
		{typ: TypePayoutMade, postings: transfer(a, b, m), amount: m},
		{typ: TypeFundAllocated, postings: transfer(acct(), acct(), big), amount: big},
		{typ: TypePayoutMade, postings: transfer(a, b, m), amount: amt()}, // an amount other than the transfer's
		{typ: TypePayoutBatchAccepted, postings: []Posting{{a, m.MulInt(-2)}, {b, m}, {acct(), m}}, amount: m.MulInt(2)},
		{typ: TypeFundsAppropriated, postings: transfer(a, b, m), project: str(), amount: m, reversedBy: str()},
		{typ: TypeWriteReversed, postings: Negate(transfer(a, b, m)), reverses: str()},
		{typ: TypeWriteReversed, postings: Negate(transfer(a, b, m)), reverses: str(), reversedBy: str(), amount: amt()},
		{typ: TypeWriteReversed, postings: []Posting{{a, m}, {b, m.Neg()}, {a, Zero}}, reverses: str()},
		{typ: EventType(str()), postings: transfer(a, b, m), project: str(), amount: m},
		{typ: TypeProjectPaid, project: str(), amount: amt()},
		{typ: TypeFundsRecovered, postings: []Posting{}, project: str(), amount: amt(), reverses: str()},
	} {
		s.Writes[str()] = s.makeWrite(w.typ, w.postings, w.project, w.amount, w.reverses, w.reversedBy)
	}
}

// sameState reports whether two states hold the same registers: writes
// compared by what their methods answer, the interning table not at all
// (its order is how the accounts were met).
func sameState(a, b *State) bool {
	if !reflect.DeepEqual(writeViews(a), writeViews(b)) {
		return false
	}
	ac, bc := *a, *b
	ac.Writes, bc.Writes, ac.accounts, bc.accounts = nil, nil, accountTable{}, accountTable{}
	return reflect.DeepEqual(&ac, &bc)
}

// writeView is a write as a decision sees it.
type writeView struct {
	Type                          EventType
	Postings                      []Posting
	Project, Reverses, ReversedBy string
	Amount                        Money
}

func writeViews(s *State) map[string]writeView {
	out := make(map[string]writeView, len(s.Writes))
	for id, w := range s.Writes {
		out[id] = writeView{Type: w.Type(), Postings: s.Postings(w), Project: w.Project(), Reverses: w.Reverses(),
			ReversedBy: w.ReversedBy(), Amount: w.Amount()}
	}
	return out
}

func encodeState(t *testing.T, s *State) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := EncodeState(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestStateCodecCoversEveryField: a state with every field of every
// register set (awkward strings included) decodes to an equal state and
// encodes again to the same bytes. A field added to a register and not to
// the codec fails here.
func TestStateCodecCoversEveryField(t *testing.T) {
	s := filledState()
	first := encodeState(t, s)
	got, err := DecodeState(bytes.NewReader(first))
	if err != nil {
		t.Fatalf("%v\n%s", err, first)
	}
	if !sameState(got, s) {
		t.Fatalf("decoded state differs:\n got %#v\nwant %#v", writeViews(got), writeViews(s))
	}
	if second := encodeState(t, got); !bytes.Equal(first, second) {
		t.Fatalf("re-encoded bytes differ:\n%s\n---\n%s", first, second)
	}
}

// TestEmptyStateRoundTrips: a new ledger's state decodes with every
// register present, as NewState makes it.
func TestEmptyStateRoundTrips(t *testing.T) {
	got, err := DecodeState(bytes.NewReader(encodeState(t, NewState())))
	if err != nil {
		t.Fatal(err)
	}
	if !sameState(got, NewState()) {
		t.Fatalf("got %#v", got)
	}
}

// TestDecodeStateStopsAtItsEnd: what follows the state is left for the
// caller (the writer snapshot's key lines).
func TestDecodeStateStopsAtItsEnd(t *testing.T) {
	r := bufio.NewReader(bytes.NewReader(append(encodeState(t, filledState()), "after\n"...)))
	if _, err := DecodeState(r); err != nil {
		t.Fatal(err)
	}
	if rest, _ := r.ReadString('\n'); rest != "after\n" {
		t.Fatalf("left %q", rest)
	}
}

// TestDecodeStateRejectsDamage: every truncation, a dropped or extra
// field, a bad amount or flag, and a count larger than the bytes left
// are errors, never a quietly different state.
func TestDecodeStateRejectsDamage(t *testing.T) {
	good := encodeState(t, filledState())
	for i := range len(good) {
		if _, err := DecodeState(bytes.NewReader(good[:i])); err == nil {
			t.Fatalf("truncated at %d of %d: decoded", i, len(good))
		}
	}
	lines := strings.SplitAfter(string(good), "\n")
	edits := map[string]func(string) string{
		"a field dropped": func(l string) string { i := strings.LastIndexByte(l, '\t'); return l[:max(i, 0)] + "\n" },
		"a field added":   func(l string) string { return strings.TrimSuffix(l, "\n") + "\textra\n" },
	}
	for name, edit := range edits {
		for i, l := range lines[1 : len(lines)-2] { // every line but the magic, end and the empty tail
			damaged := strings.Join(lines[:i+1], "") + edit(l) + strings.Join(lines[i+2:], "")
			if _, err := DecodeState(strings.NewReader(damaged)); err == nil {
				t.Fatalf("%s on line %d %q: decoded", name, i+2, l)
			}
		}
	}
	for _, bad := range []struct{ from, to string }{
		{"\t-85.14\n", "\t-85.1x\n"},   // an amount
		{"\t-95.04\n", "\t-9504e-2\n"}, // an exponent
		{"households\t3\n", "households\t99999999\n"},
		{"ledger\t1\t", "ledger\t2\t"}, // a flag
	} {
		if !bytes.Contains(good, []byte(bad.from)) {
			t.Fatalf("test needs %q in the encoding", bad.from)
		}
		damaged := bytes.Replace(good, []byte(bad.from), []byte(bad.to), 1)
		if _, err := DecodeStateWithin(bufio.NewReader(bytes.NewReader(damaged)), int64(len(damaged))); err == nil {
			t.Fatalf("%q for %q: decoded", bad.to, bad.from)
		}
	}
}

// TestDecodeStateWithinBoundsCounts: a count no bytes left could hold is
// refused before a map or slab is made for it, so a damaged count costs
// nothing before the snapshot's digest check discards it.
func TestDecodeStateWithinBoundsCounts(t *testing.T) {
	good := encodeState(t, filledState())
	damaged := bytes.Replace(good, []byte("households\t3\n"), []byte("households\t33554432\n"), 1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := DecodeStateWithin(bufio.NewReader(bytes.NewReader(damaged)), int64(len(damaged)))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "bytes left") {
		t.Fatalf("err = %v, want a count the bytes cannot hold", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("allocated %d bytes for a damaged count", grew)
	}
}
