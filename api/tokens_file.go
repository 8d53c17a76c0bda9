package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// fileTokens keeps a server's tokens in one JSON file (tokens.json in the
// data directory), rewritten atomically (temp file, fsync, rename, fsync
// dir) on every issue and revocation, so a revocation survives a crash the
// moment it is acknowledged. It works the same whatever event store runs
// underneath (embedded, EventStoreDB), an operator can read it, and tokens
// are few and change rarely. Servers sharing a NATS cluster share a bucket
// instead (kvTokens).
type fileTokens struct {
	path string // "" keeps tokens in memory only (tests)
	t    *Tokens
}

// OpenTokens loads the token file at path, or starts empty if there is none.
// An empty path keeps tokens in memory.
func OpenTokens(path string) (*Tokens, error) {
	t := newTokens()
	t.store = &fileTokens{path: path, t: t}
	list, err := ReadTokensFile(path)
	if err != nil {
		return nil, err
	}
	for _, tok := range list {
		t.apply(tok)
	}
	return t, nil
}

// ReadTokensFile answers the records of a token file, none if there is no
// file (or path is empty).
func ReadTokensFile(path string) ([]Token, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	var list []Token
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("read tokens %s: %w", path, err)
	}
	return list, nil
}

// create and revoke are called under t.writeMu, so the index they rewrite
// the file from changes only through them.
func (f *fileTokens) create(_ context.Context, tok Token) error {
	if _, ok := f.t.get(tok.ID); ok {
		return errTokenExists
	}
	return f.save(append(f.t.Records(), tok))
}

func (f *fileTokens) revoke(_ context.Context, id string, at time.Time) (Token, error) {
	tok, ok := f.t.get(id)
	if !ok {
		return Token{}, ErrTokenNotFound
	}
	if tok.RevokedAt != nil {
		return tok, nil
	}
	tok.RevokedAt = &at
	list := f.t.Records()
	for i := range list {
		if list[i].ID == id {
			list[i] = tok
		}
	}
	return tok, f.save(list)
}

func (*fileTokens) close() error { return nil }

func (f *fileTokens) save(list []Token) error {
	if f.path == "" {
		return nil
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tokens-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	// fsync before rename: a revocation we acknowledged must not come back
	// after a power cut.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
