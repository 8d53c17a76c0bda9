package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	flnats "github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/ledger"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// writeSmallLedger writes a few commits to an embedded store in dir.
func writeSmallLedger(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	store, err := flnats.Open(ctx, flnats.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m := ledger.NewManager(store, ledger.Options{Logger: quiet, WitnessDir: witnessDir(dir)})
	for _, c := range []domain.Command{
		domain.OpenLedger{Code: "341504", Name: "某县"},
		domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "100.00"},
		domain.Allocate{ID: "A2", SourceLevel: "county", Programme: "区本级", FiscalYear: 2019, DocumentNo: "d", Amount: "300.00"},
		domain.Allocate{ID: "A3", SourceLevel: "county", Programme: "区本级", FiscalYear: 2019, DocumentNo: "d", Amount: "500.00"},
	} {
		if _, err := m.Submit(ctx, "341504", ledger.Request{Command: c, Actor: "t"}); err != nil {
			t.Fatalf("%s: %v", c.CommandName(), err)
		}
	}
	m.Close()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
}

// tamper rewrites the ledger's stream through the raw JetStream API, with
// old replaced by new (same length) in every message that holds it.
func tamper(t *testing.T, dir, old, new string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	store, err := flnats.Open(ctx, flnats.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	nc, err := natsgo.Connect("", natsgo.InProcessServer(store.Server()))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	stream, err := js.Stream(ctx, "FUNDLEDGER_341504")
	if err != nil {
		t.Fatal(err)
	}
	info, _ := stream.Info(ctx)
	var msgs []*jetstream.RawStreamMsg
	for seq := uint64(1); seq <= info.State.LastSeq; seq++ {
		m, err := stream.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	cfg := info.Config
	if err := js.DeleteStream(ctx, cfg.Name); err != nil {
		t.Fatal(err)
	}
	// The server removes a deleted stream's files in the background; on a
	// loaded machine a create at once can meet them ("error creating store
	// for stream"): try again for a little while.
	for attempt := 0; ; attempt++ {
		_, err := js.CreateStream(ctx, cfg)
		if err == nil {
			break
		}
		if attempt == 50 {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	changed := 0
	for _, m := range msgs {
		data := m.Data
		if bytes.Contains(data, []byte(old)) {
			data = bytes.ReplaceAll(data, []byte(old), []byte(new))
			changed++
		}
		out := &natsgo.Msg{Subject: m.Subject, Data: data, Header: natsgo.Header{}}
		for k, v := range m.Header {
			if !strings.HasPrefix(k, "Nats-") {
				out.Header[k] = v
			}
		}
		if _, err := js.PublishMsg(ctx, out); err != nil {
			t.Fatal(err)
		}
	}
	if changed != 1 {
		t.Fatalf("%q found in %d messages, want 1", old, changed)
	}
}

func verifyOutput(t *testing.T, dir string) (ledger.Verification, error) {
	t.Helper()
	stdout := os.Stdout
	r, w, _ := os.Pipe()
	os.Stdout = w
	err := runVerify([]string{"--data-dir", dir, "--ledger", "341504"})
	w.Close()
	os.Stdout = stdout
	out, _ := io.ReadAll(r)
	var v ledger.Verification
	if jerr := json.Unmarshal(out, &v); jerr != nil {
		t.Fatalf("verify printed %q: %v", out, jerr)
	}
	return v, err
}

func TestVerifyNamesTheCommitAlteredInJetStream(t *testing.T) {
	dir := t.TempDir()
	writeSmallLedger(t, dir)
	v, err := verifyOutput(t, dir)
	if err != nil || !v.Valid || v.Seq != 4 {
		t.Fatalf("untouched ledger: %+v %v", v, err)
	}
	// Commit 3 allocated 300.00; make it say 900.00.
	tamper(t, dir, `"amount":"300.00"`, `"amount":"900.00"`)
	v, err = verifyOutput(t, dir)
	var code exitError
	if !errors.As(err, &code) || code != 1 {
		t.Fatalf("verify of an altered ledger returned %v, want exit status 1", err)
	}
	if v.Valid || v.FirstBadSeq == nil || *v.FirstBadSeq != 3 {
		t.Fatalf("verify answered %+v, want first_bad_seq 3", v)
	}
}
