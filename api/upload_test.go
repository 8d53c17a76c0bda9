package api_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fundledger/fundledger/api"
)

// zipBomb answers two XLSX-shaped zips whose sheet is 80 MiB of '0'
// compressed to well under 100 KiB: one whose central directory states the
// size, one whose directory claims 1 KiB.
func zipBomb(t *testing.T) (honest, lying []byte) {
	t.Helper()
	const size = 80 << 20
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	chunk := bytes.Repeat([]byte("0"), 1<<20)
	crc := crc32.NewIEEE()
	for i := 0; i < size>>20; i++ {
		_, _ = fw.Write(chunk)
		crc.Write(chunk)
	}
	_ = fw.Close()
	build := func(declared uint64) []byte {
		var out bytes.Buffer
		zw := zip.NewWriter(&out)
		w, _ := zw.Create("[Content_Types].xml")
		_, _ = w.Write([]byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
		raw, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
			CRC32: crc.Sum32(), CompressedSize64: uint64(comp.Len()), UncompressedSize64: declared})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = raw.Write(comp.Bytes())
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	return build(size), build(1 << 10)
}

// TestXLSXBombIsRefusedBeforeExpansion: an XLSX that would expand past
// MaxXLSXExpanded answers 413 at once from its central directory, with
// little memory; one whose directory lies is refused while reading, within
// the bound. Nothing is written.
func TestXLSXBombIsRefusedBeforeExpansion(t *testing.T) {
	if api.MaxXLSXExpanded >= 80<<20 {
		t.Fatalf("the bomb (80 MiB) must exceed the bound (%d)", api.MaxXLSXExpanded)
	}
	honest, lying := zipBomb(t)
	if len(honest) > 200<<10 {
		t.Fatalf("the bomb is %d bytes; it should be small", len(honest))
	}
	e := startEnv(t, "", envOptions{noProjections: true})
	fin := e.seedCounty("1000.00")
	L := "/v1/ledgers/" + county
	path := L + "/payout-batches?id=B1&fund=A1&item=x&period=2019&control_count=1&control_amount=1.00"
	xlsx := []string{"Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	r := e.call("POST", path, fin, honest, xlsx...)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if r.status != http.StatusRequestEntityTooLarge || r.errCode() != "too_large" {
		t.Fatalf("bomb: %d %s", r.status, r.raw)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 || took > 2*time.Second {
		t.Errorf("bomb refused after %v having allocated %d bytes; want it refused before expansion", took, alloc)
	}
	e.refuses(fin, []strictCase{
		{name: "bomb whose directory lies", path: path, body: string(lying), headers: xlsx, status: 400, code: "invalid_file"},
		{name: "bomb in multipart", path: path, body: multipartFile(t, "bomb.xlsx", honest), headers: []string{"Content-Type", "multipart/form-data; boundary=XBOUNDARY"}, status: 413, code: "too_large"},
		{name: "too many CSV rows", path: path, body: "household,amount\n" + strings.Repeat("H0001,1.00\n", api.MaxUploadRows), headers: []string{"Content-Type", "text/csv"}, status: 413, code: "too_large"},
	})
}

func multipartFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	return "--XBOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n\r\n" + string(b) + "\r\n--XBOUNDARY--\r\n"
}
