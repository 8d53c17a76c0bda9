package export

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/fundledger/fundledger/domain"
)

// Format is one kind of export file.
type Format struct {
	Name        string // as in ?format= and --format
	Ext         string // file name extension, without the dot
	ContentType string
	// Streamed formats are written commit by commit as the history is
	// read; the others are built whole (a zip, an XML tree) and then written.
	Streamed bool
}

// Formats lists every format, in the order the help text names them.
var Formats = []Format{
	{Name: "ndjson", Ext: "ndjson", ContentType: "application/x-ndjson", Streamed: true},
	{Name: "csv", Ext: "csv", ContentType: "text/csv; charset=utf-8", Streamed: true},
	{Name: "xlsx", Ext: "xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{Name: "iati", Ext: "xml", ContentType: "application/xml; charset=utf-8"},
}

// Names answers the format names joined for a message: "ndjson, csv, xlsx or iati".
func Names() string {
	var n []string
	for _, f := range Formats {
		n = append(n, f.Name)
	}
	return strings.Join(n[:len(n)-1], ", ") + " or " + n[len(n)-1]
}

// Lookup answers the format called name.
func Lookup(name string) (Format, bool) {
	for _, f := range Formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// ForPath answers the format a file name's extension implies: .xml is
// iati, .jsonl is ndjson.
func ForPath(path string) (Format, bool) {
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if ext == "jsonl" {
		ext = "ndjson"
	}
	for _, f := range Formats {
		if f.Ext == ext {
			return f, true
		}
	}
	return Format{}, false
}

// FileName answers the name an export of ledger up to seq goes by:
// "341504-1234.csv".
func (f Format) FileName(ledger string, seq uint64) string {
	return fmt.Sprintf("%s-%d.%s", ledger, seq, f.Ext)
}

// Writer receives a ledger's commits in order, from the first, each with
// its record exactly as stored, and writes the file to the io.Writer it
// was made with. Close finishes the file; a streamed format has written
// part of it before.
type Writer interface {
	Commit(c *domain.Commit, raw []byte) error
	Close() error
}

// New answers a writer of format f for ledger code onto w.
func (f Format) New(code string, w io.Writer) Writer {
	switch f.Name {
	case "ndjson":
		return &ndjsonWriter{w: w}
	case "csv":
		return &csvWriter{w: w}
	case "xlsx":
		return &xlsxWriter{w: w}
	case "iati":
		return newIATIWriter(code, w)
	}
	panic("export: unknown format " + f.Name)
}
