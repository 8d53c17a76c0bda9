package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/disclosure"
	"github.com/fundledger/fundledger/projections"
)

// publicCache keeps rendered public answers by ETag. A disclosure is a pure
// function of (ledger, sequence, village, format), so an entry never goes
// stale; the cache only bounds memory.
type publicCache struct {
	mu      sync.Mutex
	entries map[string][]byte
}

const publicCacheSize = 1024

func (pc *publicCache) get(key string) ([]byte, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	b, ok := pc.entries[key]
	return b, ok
}

func (pc *publicCache) put(key string, b []byte) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.entries == nil || len(pc.entries) >= publicCacheSize {
		pc.entries = make(map[string][]byte, 64) // crude but bounded: start over
	}
	pc.entries[key] = b
}

// publicFormat is one rendering of a public page.
type publicFormat struct {
	name        string
	contentType string
	render      func(w *bytes.Buffer, c echo.Context, m *projections.Model) error
}

var (
	jsonFormat = publicFormat{"json", "application/json; charset=utf-8", func(w *bytes.Buffer, c echo.Context, m *projections.Model) error {
		d, err := villageDisclosure(c, m)
		if err != nil {
			return err
		}
		return writeJSON(w, d)
	}}
	csvFormat = publicFormat{"csv", "text/csv; charset=utf-8", func(w *bytes.Buffer, c echo.Context, m *projections.Model) error {
		d, err := villageDisclosure(c, m)
		if err != nil {
			return err
		}
		return disclosure.WriteCSV(w, d)
	}}
	xlsxFormat = publicFormat{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", func(w *bytes.Buffer, c echo.Context, m *projections.Model) error {
		d, err := villageDisclosure(c, m)
		if err != nil {
			return err
		}
		return disclosure.WriteXLSX(w, d)
	}}
	htmlFormat = publicFormat{"html", "text/html; charset=utf-8", func(w *bytes.Buffer, c echo.Context, m *projections.Model) error {
		d, err := villageDisclosure(c, m)
		if err != nil {
			return err
		}
		return disclosure.RenderNotice(w, d, baseURL(c))
	}}
	indexFormat = publicFormat{"index", "text/html; charset=utf-8", func(w *bytes.Buffer, c echo.Context, m *projections.Model) error {
		return disclosure.RenderIndex(w, disclosure.Index{Ledger: m.LedgerInfo(), Seq: m.Seq(), HeadHash: m.HeadHash(), Villages: m.VillageLinks()})
	}}
)

func villageDisclosure(c echo.Context, m *projections.Model) (*disclosure.Disclosure, error) {
	d, ok := m.Disclosure(c.Param("village"))
	if !ok {
		return nil, newError(http.StatusNotFound, "not_found", "village %q is not in ledger %s", c.Param("village"), c.Param("ledger"))
	}
	return d, nil
}

func (s *Server) disclosureJSON(c echo.Context) error { return s.public(c, jsonFormat) }
func (s *Server) disclosureCSV(c echo.Context) error  { return s.public(c, csvFormat) }
func (s *Server) disclosureXLSX(c echo.Context) error { return s.public(c, xlsxFormat) }
func (s *Server) notice(c echo.Context) error         { return s.public(c, htmlFormat) }
func (s *Server) noticeIndex(c echo.Context) error    { return s.public(c, indexFormat) }

// settleMargin is how long before now a record time must lie for no
// commit at or before it to still be on its way (an append in flight is
// bounded by a minute).
const settleMargin = 2 * time.Minute

// fixedCut reports whether a cut's answer can never change: its record
// point is a sequence, or a time that a later commit already follows
// (built < head: commit times never go backwards) or that is settled in the
// past. A live page changes with every write; a business cut at the head
// (as_of=DATE alone) changes when a back-dated write lands; a time in the
// future gains commits.
func fixedCut(cut projections.Cut, built, head uint64) bool {
	switch {
	case cut.Seq != 0:
		return true
	case !cut.Time.IsZero():
		return built < head || cut.Time.Before(time.Now().Add(-settleMargin))
	}
	return false
}

// public answers a public page. A live page reflects every write acknowledged
// before the request (as every read does); a page whose cut is fixed (as_of
// a sequence, a settled time, or a date known_at a sequence) is history and
// never changes, so it may be cached for a year; any other is fresh for a
// minute and revalidated by its ETag, which names the record point and the
// business date it was built from.
func (s *Server) public(c echo.Context, f publicFormat) error {
	code, cut, head, err := s.readPoint(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if cut.Seq > head {
		return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "as_of",
			Message: "as_of names a sequence past the ledger's head (" + itoa(head) + ")"}
	}
	seq := cut.Seq
	if cut.Seq == 0 && cut.Time.IsZero() { // live, or a business cut at the head
		seq = s.projector.Seq(code)
	}
	host := baseURL(c)
	key := func(seq uint64) string {
		if cut.Date != "" {
			return fmt.Sprintf("%s-%d-%s-%s-%s", code, seq, cut.Date, c.Param("village"), f.name)
		}
		return fmt.Sprintf("%s-%d-%s-%s", code, seq, c.Param("village"), f.name)
	}
	if seq != 0 { // known before building: answer 304 or from the cache
		if done, err := s.answerCached(c, f, key(seq), host, fixedCut(cut, seq, head)); done || err != nil {
			return err
		}
	}
	var body bytes.Buffer
	var built uint64
	err = s.projector.Read(ctx, code, cut, func(m *projections.Model) error {
		built = m.Seq()
		return f.render(&body, c, m)
	})
	if err != nil {
		return err
	}
	s.publicCache.put(key(built)+"|"+host, body.Bytes())
	_, err = s.answerCached(c, f, key(built), host, fixedCut(cut, built, head))
	return err
}

// answerCached writes 304 for a matching If-None-Match, or the cached body.
func (s *Server) answerCached(c echo.Context, f publicFormat, key, host string, immutable bool) (bool, error) {
	etag := `"` + key + `"`
	h := c.Response().Header()
	h.Set("ETag", etag)
	if immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// Boards poll; a minute is fresh enough and If-None-Match makes the
		// next poll cheap.
		h.Set("Cache-Control", "public, max-age=60")
	}
	if matchETag(c.Request().Header.Get("If-None-Match"), etag) {
		return true, c.NoContent(http.StatusNotModified)
	}
	body, ok := s.publicCache.get(key + "|" + host)
	if !ok {
		h.Del("ETag")
		return false, nil
	}
	if f.name == "xlsx" || f.name == "csv" {
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="disclosure-%s.%s"`, key, f.name))
	}
	return true, c.Blob(http.StatusOK, f.contentType, body)
}

func matchETag(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// baseURL is the scheme and host the client used, for absolute verify links.
func baseURL(c echo.Context) string { return c.Scheme() + "://" + c.Request().Host }

// writeJSON encodes without HTML escaping, so Chinese text and "<" stay
// readable in the JSON a villager's phone may show.
func writeJSON(w *bytes.Buffer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
