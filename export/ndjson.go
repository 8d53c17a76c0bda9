package export

import (
	"io"

	"github.com/fundledger/fundledger/domain"
)

// ndjsonWriter writes each stored record on a line of its own. A stored
// commit is compact JSON, and JSON escapes a newline inside a string, so a
// record never holds a raw newline.
type ndjsonWriter struct {
	w   io.Writer
	buf []byte
}

func (n *ndjsonWriter) Commit(_ *domain.Commit, raw []byte) error {
	n.buf = append(append(n.buf[:0], raw...), '\n')
	_, err := n.w.Write(n.buf)
	return err
}

func (n *ndjsonWriter) Close() error { return nil }
