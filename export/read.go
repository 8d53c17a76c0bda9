package export

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

// MaxLine bounds one line of an NDJSON export: well above the largest
// commit the store accepts (one JetStream message), far below what would
// exhaust an auditor's memory on a corrupt file without newlines.
const MaxLine = 64 << 20

// FileError says where an NDJSON export stops proving itself: the line,
// the sequence that belongs there, and why.
type FileError struct {
	Line   int
	Seq    uint64
	Reason string
}

func (e *FileError) Error() string {
	return fmt.Sprintf("line %d (commit %d): %s", e.Line, e.Seq, e.Reason)
}

// Line is one good commit of an NDJSON export.
type Line struct {
	No     int // 1-based line number
	Commit *domain.Commit
	Raw    []byte // the line without its newline: the record as stored
}

// ReadNDJSON reads an NDJSON export and checks it as ledger.Walk checks a
// store: line n must hold commit n of one ledger, linked by prev_hash to
// the line before, hashing to its own hash. It calls fn for each good
// commit within cut and stops at the cut (a time cut stops before the
// first later commit; what lies past a cut is not read). code "" takes the
// ledger of the first line; otherwise every line must belong to code.
//
// It answers what it read and, for a file that does not prove itself, a
// *FileError naming the line and sequence: an altered line (its hash no
// longer matches), a removed or reordered line (the sequence does not
// follow), a recomputed hash (the next line's prev_hash no longer
// matches). A file cut short after a whole line cannot be told from a
// shorter export: compare the answered Result with a hash the county
// published (the notice board's seq and hash, or the public verify route).
func ReadNDJSON(r io.Reader, code string, cut projections.Cut, fn func(Line) error) (ledgerCode string, res Result, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	prev := domain.GenesisHash
	for no := 1; ; no++ {
		raw, rerr := readLine(br)
		if rerr == io.EOF && raw == nil {
			break
		}
		if rerr != nil && rerr != io.EOF {
			return code, res, rerr
		}
		seq := res.Seq + 1
		bad := func(format string, args ...any) error {
			return &FileError{Line: no, Seq: seq, Reason: fmt.Sprintf(format, args...)}
		}
		if no == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\ufeff")) // an editor's byte-order mark
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			return code, res, bad("is empty where commit %d belongs", seq)
		}
		c, err := domain.UnmarshalCommit(raw)
		if err != nil {
			return code, res, bad("is not a commit: %v", err)
		}
		if code == "" {
			code = c.Ledger
		}
		if !cut.Time.IsZero() && c.Time.After(cut.Time) {
			break
		}
		if c.Seq != seq && c.Ledger == code {
			return code, res, bad("holds commit %d where commit %d belongs: a line is missing, repeated or out of order", c.Seq, seq)
		}
		if _, err := ledger.CheckRecord(code, eventstore.Record{Ledger: code, Seq: seq, Data: raw}, prev); err != nil {
			var ce *ledger.ChainError
			if errors.As(err, &ce) {
				return code, res, bad("%s", ce.Reason)
			}
			return code, res, err
		}
		prev = c.Hash
		res.Seq, res.Hash = c.Seq, c.Hash
		res.Commits++
		if err := fn(Line{No: no, Commit: c, Raw: raw}); err != nil {
			return code, res, err
		}
		if cut.Seq != 0 && c.Seq >= cut.Seq {
			break
		}
		if rerr == io.EOF {
			break
		}
	}
	if res.Commits == 0 && cut.IsZero() {
		return code, res, errors.New("the file holds no commits")
	}
	if cut.Seq > res.Seq {
		return code, res, fmt.Errorf("the file ends at commit %d, before commit %d", res.Seq, cut.Seq)
	}
	return code, res, nil
}

// readLine answers the next line without its line end (LF or CRLF), or
// nil and io.EOF at the end; a last line without a newline is answered
// with io.EOF.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxLine {
			return nil, fmt.Errorf("a line is longer than %d bytes: not an export", MaxLine)
		}
		switch err {
		case bufio.ErrBufferFull:
			continue
		case nil:
			line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
			return line, nil
		case io.EOF:
			if len(line) == 0 {
				return nil, io.EOF
			}
			return line, io.EOF
		default:
			return nil, err
		}
	}
}
