package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Roles, from least to most power. A role may do what the roles below it do.
const (
	RoleAuditor = "auditor"
	RoleFinance = "finance"
	RoleAdmin   = "admin"
)

var roleRank = map[string]int{RoleAuditor: 1, RoleFinance: 2, RoleAdmin: 3}

// Token is what the server knows of an issued bearer token: never the token
// itself, only its SHA-256, so a copy of the file grants nothing.
type Token struct {
	ID        string     `json:"id"`
	Hash      string     `json:"hash"` // hex SHA-256 of the bearer token
	Role      string     `json:"role"`
	Ledger    string     `json:"ledger,omitempty"` // empty: every ledger
	Label     string     `json:"label,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// ErrTokenNotFound is answered by Revoke for an id never issued.
var ErrTokenNotFound = errors.New("token not found")

// Tokens keeps issued tokens in one JSON file (tokens.json in the data
// directory), rewritten atomically (temp file, fsync, rename, fsync dir) on
// every issue and revocation, so a revocation survives a crash the moment it
// is acknowledged. A file rather than a JetStream KV bucket: it works the
// same whatever event store runs underneath (embedded, external cluster,
// EventStoreDB), an operator can read it, and tokens are few and change
// rarely.
type Tokens struct {
	path string // "" keeps tokens in memory only (tests)

	mu     sync.RWMutex
	byID   map[string]*Token
	byHash map[string]*Token
}

// OpenTokens loads the token file at path, or starts empty if there is none.
// An empty path keeps tokens in memory.
func OpenTokens(path string) (*Tokens, error) {
	t := &Tokens{path: path, byID: map[string]*Token{}, byHash: map[string]*Token{}}
	if path == "" {
		return t, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	var list []*Token
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("read tokens %s: %w", path, err)
	}
	for _, tok := range list {
		t.byID[tok.ID] = tok
		t.byHash[tok.Hash] = tok
	}
	return t, nil
}

// HashToken answers the hex SHA-256 under which a bearer token is stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Issue makes a new token of role, optionally scoped to one ledger, and
// answers its record and the bearer token (shown once, stored nowhere).
func (t *Tokens) Issue(role, ledger, label string) (*Token, string, error) {
	if role != RoleFinance && role != RoleAuditor {
		return nil, "", fmt.Errorf("role %q cannot be issued; use finance or auditor", role)
	}
	secret := make([]byte, 32)
	idb := make([]byte, 6)
	if _, err := rand.Read(secret); err != nil {
		return nil, "", err
	}
	if _, err := rand.Read(idb); err != nil {
		return nil, "", err
	}
	bearer := "flt_" + base64.RawURLEncoding.EncodeToString(secret)
	tok := &Token{ID: "tok_" + hex.EncodeToString(idb), Hash: HashToken(bearer), Role: role, Ledger: ledger,
		Label: label, CreatedAt: time.Now().UTC()}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byID[tok.ID] = tok
	t.byHash[tok.Hash] = tok
	if err := t.saveLocked(); err != nil {
		delete(t.byID, tok.ID)
		delete(t.byHash, tok.Hash)
		return nil, "", err
	}
	return tok, bearer, nil
}

// Revoke makes a token unusable from now on, durably.
func (t *Tokens) Revoke(id string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	tok, ok := t.byID[id]
	if !ok {
		return ErrTokenNotFound
	}
	if tok.RevokedAt != nil {
		return nil
	}
	now := time.Now().UTC()
	tok.RevokedAt = &now
	if err := t.saveLocked(); err != nil {
		tok.RevokedAt = nil
		return err
	}
	return nil
}

// Lookup answers the live token whose bearer value is given.
func (t *Tokens) Lookup(bearer string) (*Token, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	tok, ok := t.byHash[HashToken(bearer)]
	if !ok || tok.RevokedAt != nil {
		return nil, false
	}
	c := *tok
	return &c, true
}

func (t *Tokens) saveLocked() error {
	if t.path == "" {
		return nil
	}
	list := make([]*Token, 0, len(t.byID))
	for _, tok := range t.byID {
		list = append(list, tok)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].CreatedAt.Before(list[j].CreatedAt) })
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(t.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tokens-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	// fsync before rename: a revocation we acknowledged must not come back
	// after a power cut.
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), t.path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
