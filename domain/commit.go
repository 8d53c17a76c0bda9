package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// GenesisHash is the previous hash of a ledger's first commit.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Commit is the events of one accepted command, written atomically as one
// record of the ledger's log and chained to the commit before it by hash.
type Commit struct {
	Ledger         string     `json:"ledger"`
	Seq            uint64     `json:"seq"`
	Time           time.Time  `json:"time"`           // record time
	Version        int        `json:"v,omitempty"`    // canonical encoding: 0 (absent) is v1, without a date; CommitVersion now
	Date           string     `json:"date,omitempty"` // business date (记账日期, YYYY-MM-DD); absent in v1: see BusinessDate
	Actor          string     `json:"actor"`
	Command        string     `json:"command"`
	IdempotencyKey string     `json:"idempotency_key,omitempty"`
	RequestHash    string     `json:"request_hash,omitempty"`
	Events         []RawEvent `json:"events"`
	PrevHash       string     `json:"prev_hash"`
	Hash           string     `json:"hash"`
}

// RawEvent is an event as stored: its type name and its JSON data, kept
// byte for byte so the hash can be checked without re-encoding.
type RawEvent struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// EncodeEvents turns events into their stored form.
func EncodeEvents(events []Event) ([]RawEvent, error) {
	out := make([]RawEvent, len(events))
	for i, e := range events {
		data, err := marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", e.EventType(), err)
		}
		out[i] = RawEvent{Type: string(e.EventType()), Data: data}
	}
	return out, nil
}

// Decode reads the commit's events back into their types.
func (c *Commit) Decode() ([]Event, error) {
	out := make([]Event, len(c.Events))
	for i, r := range c.Events {
		e, err := DecodeEvent(r.Type, r.Data)
		if err != nil {
			return nil, fmt.Errorf("commit %d event %d: %w", c.Seq, i, err)
		}
		out[i] = e
	}
	return out, nil
}

// CommitVersion is the canonical encoding new commits are sealed with.
const CommitVersion = 2

// BusinessDate answers the business date of the commit: its Date, or for a
// commit written before dates were kept, its record day in China time.
func (c *Commit) BusinessDate() string {
	if c.Date != "" {
		return c.Date
	}
	return ChinaDay(c.Time)
}

// ComputeHash answers the commit's SHA-256 over its canonical encoding,
// as lowercase hex. The canonical encoding (version 1) is the ASCII tag
// "fundledger-commit-v1", then each of these fields as an 8-byte big-endian
// length followed by its bytes:
//
//	ledger, seq (decimal), time (UTC, RFC 3339 with nanoseconds, trailing
//	zeros trimmed), actor, command, idempotency_key, request_hash, prev_hash,
//	the number of events (decimal), then for each event its type and its
//	JSON data exactly as stored.
//
// Length prefixes make the encoding unambiguous whatever the fields hold;
// hashing the stored event bytes means a later change of Go's JSON encoder
// cannot change an old commit's hash. Golden vectors: testdata/commit_hash_v1.json.
//
// Version 2 (Version == 2) is the tag "fundledger-commit-v2" and the same
// fields with the business date right after the time; golden vectors:
// testdata/commit_hash_v2.json. A commit of version 1 has no date: one
// carrying a date, or of a version this code does not know, is hashed so
// that it cannot verify (the date would otherwise ride unhashed).
func (c *Commit) ComputeHash() string {
	h := sha256.New()
	switch {
	case c.Version == CommitVersion:
		h.Write([]byte("fundledger-commit-v2"))
	case c.Version == 0 && c.Date == "":
		h.Write([]byte("fundledger-commit-v1"))
	default:
		h.Write([]byte("fundledger-commit-unknown-" + strconv.Itoa(c.Version)))
	}
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte(c.Ledger))
	field([]byte(strconv.FormatUint(c.Seq, 10)))
	field([]byte(c.Time.UTC().Format(time.RFC3339Nano)))
	if c.Version == CommitVersion {
		field([]byte(c.Date))
	}
	field([]byte(c.Actor))
	field([]byte(c.Command))
	field([]byte(c.IdempotencyKey))
	field([]byte(c.RequestHash))
	field([]byte(c.PrevHash))
	field([]byte(strconv.Itoa(len(c.Events))))
	for _, e := range c.Events {
		field([]byte(e.Type))
		field(e.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets the commit's hash.
func (c *Commit) Seal() { c.Hash = c.ComputeHash() }

// Marshal encodes the commit as stored: JSON without HTML escaping.
func (c *Commit) Marshal() ([]byte, error) { return marshal(c) }

// UnmarshalCommit reads a stored commit.
func UnmarshalCommit(b []byte) (*Commit, error) {
	var c Commit
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("decode commit: %w", err)
	}
	return &c, nil
}

// marshal is json.Marshal without HTML escaping, so Chinese and '<' stay as
// written, and without the encoder's trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
