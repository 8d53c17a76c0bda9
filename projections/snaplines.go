package projections

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/fundledger/fundledger/domain"
)

// The two most numerous entries of a snapshot, payout lines and writes
// (one of each per payout), are written as lines of tab-separated fields
// in a fixed order rather than JSON: reflecting over 200k of each was
// most of a restart's decode (issue 14). The style is domain's state
// codec: a field that holds a tab, a newline or a carriage return, or
// starts with '"', is written Go-quoted, so a raw field never starts with
// '"'; amounts are written with two decimals and read by
// domain.ParseStoredMoney. TestSnapLinesCoverEveryField fills every field
// of line and write and fails when one is not carried.

const (
	lineFields  = 15
	writeFields = 12
)

// fieldWriter appends tab-separated fields to a line.
type fieldWriter struct {
	w   *bufio.Writer
	buf []byte
	n   int
}

func (f *fieldWriter) str(s string) {
	if f.n > 0 {
		f.buf = append(f.buf, '\t')
	}
	f.n++
	if needsQuote(s) {
		f.buf = strconv.AppendQuote(f.buf, s)
		return
	}
	f.buf = append(f.buf, s...)
}

func (f *fieldWriter) uint(v uint64)        { f.str(""); f.buf = strconv.AppendUint(f.buf, v, 10) }
func (f *fieldWriter) int(v int64)          { f.str(""); f.buf = strconv.AppendInt(f.buf, v, 10) }
func (f *fieldWriter) money(m domain.Money) { f.str(""); f.buf = m.AppendText(f.buf) }
func (f *fieldWriter) bool(b bool) {
	if b {
		f.str("1")
	} else {
		f.str("0")
	}
}

// end writes the line.
func (f *fieldWriter) end() error {
	f.buf = append(f.buf, '\n')
	_, err := f.w.Write(f.buf)
	f.buf, f.n = f.buf[:0], 0
	return err
}

func needsQuote(s string) bool {
	if len(s) > 0 && s[0] == '"' {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\t' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}

func (f *fieldWriter) line(l *line) error {
	b := l.banked()
	f.str(l.Write)
	f.bool(l.Batch)
	f.str(l.Item)
	f.money(l.Standard)
	f.str(l.Period)
	f.str(l.Fund)
	f.money(l.Amount)
	f.uint(l.Seq)
	f.str(l.Day)
	f.str(b.Bank)
	f.str(b.BankRef)
	f.str(b.Reason)
	f.bool(l.Reversed)
	f.str(b.ReissueOf)
	f.str(b.ReissuedBy)
	return f.end()
}

func (f *fieldWriter) write(id string, w *write) error {
	f.str(id)
	f.str(string(w.Type))
	f.uint(w.Seq)
	f.int(int64(w.Polarity))
	x := w.extra()
	f.str(x.Reverses)
	f.str(x.ReversedBy)
	f.str(x.Project)
	f.str(w.Fund)
	f.str(x.Payee)
	f.str(w.Household)
	f.money(w.Amount)
	f.str(x.ReissueOf)
	return f.end()
}

// lineReader reads a snapshot body line by line.
type lineReader struct {
	r    *bufio.Reader
	long []byte
	fs   [][]byte
	in   map[string]string // interns the repeated names (Model.intern)
	m    *Model            // interns the lines' kinds (Model.kind), if set
}

// next answers the next line without its newline; the bytes are valid
// until the following call.
func (r *lineReader) next() ([]byte, error) {
	b, err := r.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.long = append(r.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = r.r.ReadSlice('\n')
			r.long = append(r.long, b...)
		}
		b = r.long
	}
	if err == io.EOF && len(b) > 0 {
		return nil, io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	return b[:len(b)-1], nil
}

// fields splits the next line into exactly n fields, unquoting quoted
// ones; the bytes are valid until the following call.
func (r *lineReader) fields(n int) ([][]byte, error) {
	b, err := r.next()
	if err != nil {
		return nil, err
	}
	r.fs = r.fs[:0]
	for {
		i := bytes.IndexByte(b, '\t')
		if i < 0 {
			i = len(b)
		}
		f := b[:i:i]
		if len(f) > 0 && f[0] == '"' {
			s, err := strconv.Unquote(string(f))
			if err != nil {
				return nil, fmt.Errorf("field %d: %w", len(r.fs)+1, err)
			}
			f = []byte(s)
		}
		r.fs = append(r.fs, f)
		if i == len(b) {
			break
		}
		b = b[i+1:]
	}
	if len(r.fs) != n {
		return nil, fmt.Errorf("%d fields, want %d", len(r.fs), n)
	}
	return r.fs, nil
}

// name answers a field that repeats across entries, interned as Model.in
// does; the lookup by the bytes themselves allocates nothing.
func (r *lineReader) name(b []byte) string {
	if v, ok := r.in[string(b)]; ok {
		return v
	}
	s := string(b)
	if r.in != nil && len(r.in) < 1<<16 {
		r.in[s] = s
	}
	return s
}

// household answers a household id, as the register's copy when the
// model (read before the writes) has it, so that a write does not hold a
// string of its own.
func (r *lineReader) household(b []byte) string {
	if r.m != nil {
		if h, ok := r.m.st.Households[string(b)]; ok && h.Info.ID == string(b) {
			return h.Info.ID
		}
	}
	return string(b)
}

// fieldParser reads typed fields, keeping the first error.
type fieldParser struct{ err error }

func (p *fieldParser) fail(err error) {
	if err != nil && p.err == nil {
		p.err = err
	}
}

func (p *fieldParser) money(b []byte) domain.Money {
	m, err := domain.ParseStoredMoney(string(b))
	p.fail(err)
	return m
}

func (p *fieldParser) uint(b []byte) uint64 {
	if len(b) == 0 || len(b) > 19 {
		p.fail(fmt.Errorf("%q is not a count", b))
		return 0
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			p.fail(fmt.Errorf("%q is not a count", b))
			return 0
		}
		v = v*10 + uint64(c-'0')
	}
	return v
}

func (p *fieldParser) int8(b []byte) int8 {
	v, err := strconv.ParseInt(string(b), 10, 8)
	p.fail(err)
	return int8(v)
}

func (p *fieldParser) bool(b []byte) bool {
	if len(b) != 1 || (b[0] != '0' && b[0] != '1') {
		p.fail(fmt.Errorf("%q is not 0 or 1", b))
	}
	return len(b) == 1 && b[0] == '1'
}

func (r *lineReader) line(l *line) error {
	f, err := r.fields(lineFields)
	if err != nil {
		return err
	}
	var p fieldParser
	kind := lineKind{Item: r.name(f[2]), Standard: p.money(f[3]), Period: r.name(f[4]), Fund: r.name(f[5]), Day: r.name(f[8])}
	*l = line{Write: string(f[0]), Batch: p.bool(f[1]), Amount: p.money(f[6]), Seq: p.uint(f[7]), Reversed: p.bool(f[12])}
	if r.m != nil {
		l.lineKind = r.m.kind(kind)
	} else {
		l.lineKind = &kind
	}
	l.setBank(lineBank{Bank: r.name(f[9]), BankRef: string(f[10]), Reason: string(f[11]), ReissueOf: string(f[13]), ReissuedBy: string(f[14])})
	return p.err
}

func (r *lineReader) write() (string, *write, error) {
	f, err := r.fields(writeFields)
	if err != nil {
		return "", nil, err
	}
	var p fieldParser
	w := newWrite(domain.EventType(r.name(f[1])), r.name(f[7]), r.household(f[9]), p.money(f[10]),
		writeMore{Reverses: string(f[4]), ReversedBy: string(f[5]), Project: r.name(f[6]), Payee: r.name(f[8]), ReissueOf: string(f[11])})
	w.Seq, w.Polarity = p.uint(f[2]), p.int8(f[3])
	return string(f[0]), w, p.err
}

// json decodes the next line as one JSON value.
func (r *lineReader) json(v any) error {
	b, err := r.next()
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
