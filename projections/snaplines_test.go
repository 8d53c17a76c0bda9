package projections

import (
	"bufio"
	"bytes"
	"reflect"
	"testing"
	"unsafe"

	"github.com/fundledger/fundledger/domain"
)

// fillEvery sets every field of the struct v points to a distinct non-zero
// value; strings hold what the field format must quote.
func fillEvery(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v).Elem()
	for i := range rv.NumField() {
		// Unexported fields (a line's kind and bank parts) are set through
		// their address, so that every field the model holds is covered.
		f := reflect.NewAt(rv.Field(i).Type(), unsafe.Pointer(rv.Field(i).UnsafeAddr())).Elem()
		switch {
		case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Struct:
			p := reflect.New(f.Type().Elem())
			fillEvery(t, p.Interface())
			f.Set(p)
		case f.Type() == reflect.TypeOf(domain.Money{}):
			f.Set(reflect.ValueOf(domain.Fen(int64(-12345 * (i + 1)))))
		case f.Kind() == reflect.String:
			f.SetString([]string{"a\tb", "\"q", "x\ny\r", "光伏", "plain", ""}[i%5] + rv.Type().Field(i).Name)
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		case f.Kind() == reflect.Uint64:
			f.SetUint(uint64(1<<40 + i))
		case f.Kind() == reflect.Int8:
			f.SetInt(-1)
		default:
			t.Fatalf("field %s of kind %s: teach fillEvery and snaplines.go about it", rv.Type().Field(i).Name, f.Kind())
		}
	}
}

func TestSnapLinesCoverEveryField(t *testing.T) {
	var l line
	var w write
	fillEvery(t, &l)
	fillEvery(t, &w)
	var buf bytes.Buffer
	fw := &fieldWriter{w: bufio.NewWriter(&buf)}
	if err := fw.line(&l); err != nil {
		t.Fatal(err)
	}
	if err := fw.write("W\t1", &w); err != nil {
		t.Fatal(err)
	}
	if err := fw.w.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(buf.Bytes(), []byte("\n")); n != 2 {
		t.Fatalf("%d newlines, want 2 (a raw newline got through):\n%s", n, buf.Bytes())
	}
	lr := &lineReader{r: bufio.NewReader(&buf)}
	var gl line
	if err := lr.line(&gl); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gl, l) {
		t.Errorf("line\n got %+v\nwant %+v", gl, l)
	}
	id, gw, err := lr.write()
	if err != nil {
		t.Fatal(err)
	}
	if id != "W\t1" || !reflect.DeepEqual(*gw, w) {
		t.Errorf("write %q\n got %+v\nwant %+v", id, *gw, w)
	}
}

func TestSnapLinesRejectMalformed(t *testing.T) {
	for _, in := range []string{
		"w\t0\ti\t1.00\tp\tf\t1.00\t1\td\tk\tkr\tkn\t0\tro\n",       // a field short
		"w\t2\ti\t1.00\tp\tf\t1.00\t1\td\tk\tkr\tkn\t0\tro\trb\n",   // bool not 0 or 1
		"w\t0\ti\t1.001\tp\tf\t1.00\t1\td\tk\tkr\tkn\t0\tro\trb\n",  // three decimals
		"w\t0\ti\t1.00\tp\tf\t1.00\t-1\td\tk\tkr\tkn\t0\tro\trb\n",  // negative seq
		"\"w\t0\ti\t1.00\tp\tf\t1.00\t1\td\tk\tkr\tkn\t0\tro\trb\n", // bad quote
		"w\t0\ti\t1.00\tp\tf\t1.00\t1\td\tk\tkr\tkn\t0\tro\trb",     // no newline
	} {
		lr := &lineReader{r: bufio.NewReader(bytes.NewReader([]byte(in)))}
		var l line
		if err := lr.line(&l); err == nil {
			t.Errorf("%q read as %+v", in, l)
		}
	}
}

// TestSnapshotRoundTripAtScale encodes a model with thousands of payout
// lines and writes, decodes it and encodes it again: the same bytes and
// the same model.
func TestSnapshotRoundTripAtScale(t *testing.T) {
	m := benchModel(t, 300, 3000)
	var a, b bytes.Buffer
	if err := encodeModel(&a, m); err != nil {
		t.Fatal(err)
	}
	got, err := decodeModel(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := encodeModel(&b, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("re-encoding a decoded snapshot gives other bytes")
	}
	if len(got.st.Writes) != len(m.st.Writes) || !reflect.DeepEqual(got.st.Writes, m.st.Writes) {
		t.Error("writes differ after a round trip")
	}
	for id, h := range m.st.Households {
		if !reflect.DeepEqual(got.st.Households[id].Lines, h.Lines) && len(h.Lines) > 0 {
			t.Fatalf("household %s: lines differ after a round trip", id)
		}
	}
	// Bytes after the last entry are refused.
	if _, err := decodeModel(bytes.NewReader(append(a.Bytes(), "x\n"...))); err == nil {
		t.Error("a body with a stray line after its last entry decoded")
	}
}
