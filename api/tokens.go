package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
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
// itself, only its SHA-256, so a copy of the file or bucket grants nothing.
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

// errTokenExists is a store's answer to creating an id it already holds.
var errTokenExists = errors.New("token id exists")

// tokenStoreTimeout bounds one issue or revocation in its store.
const tokenStoreTimeout = 10 * time.Second

// Tokens are the issued bearer tokens: an index in memory, so that
// authenticating a request costs no I/O, over a durable store — a file in
// the data dir for one server (OpenTokens), or a NATS key-value bucket that
// every server of a cluster shares and watches (OpenTokensKV). Every issue
// and revocation is durable in the store before it is answered.
type Tokens struct {
	store tokenStore

	writeMu sync.Mutex // one issue or revocation at a time (the file is rewritten whole)

	mu     sync.RWMutex
	byID   map[string]*Token
	byHash map[string]*Token
}

// tokenStore is where Tokens keeps its records durably. Records change in
// one direction only (issued, then perhaps revoked), which is what lets a
// watcher's copy and this server's own writes merge in any order.
type tokenStore interface {
	// create makes a new record durable; errTokenExists if its id is
	// stored already.
	create(ctx context.Context, tok Token) error
	// revoke makes the record of id revoked at `at` durable (one revoked
	// before keeps its time) and answers it as stored; ErrTokenNotFound if
	// no record has id.
	revoke(ctx context.Context, id string, at time.Time) (Token, error)
	close() error
}

func newTokens() *Tokens {
	return &Tokens{byID: map[string]*Token{}, byHash: map[string]*Token{}}
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
	tok := Token{ID: "tok_" + hex.EncodeToString(idb), Hash: HashToken(bearer), Role: role, Ledger: ledger,
		Label: label, CreatedAt: time.Now().UTC()}
	ctx, cancel := context.WithTimeout(context.Background(), tokenStoreTimeout)
	defer cancel()
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	if err := t.store.create(ctx, tok); err != nil {
		return nil, "", fmt.Errorf("store token: %w", err)
	}
	t.apply(tok)
	return &tok, bearer, nil
}

// Revoke makes a token unusable from now on, durably (on a cluster, on
// every server within a moment: each watches the bucket).
func (t *Tokens) Revoke(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), tokenStoreTimeout)
	defer cancel()
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	tok, err := t.store.revoke(ctx, id, time.Now().UTC())
	if err != nil {
		return err
	}
	t.apply(tok)
	return nil
}

// Lookup answers the live token whose bearer value is given, from memory.
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

// Records answers every record known, revoked ones too, oldest first.
func (t *Tokens) Records() []Token {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.recordsLocked()
}

func (t *Tokens) recordsLocked() []Token {
	list := make([]Token, 0, len(t.byID))
	for _, tok := range t.byID {
		list = append(list, *tok)
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].CreatedAt.Equal(list[j].CreatedAt) {
			return list[i].CreatedAt.Before(list[j].CreatedAt)
		}
		return list[i].ID < list[j].ID
	})
	return list
}

// Import copies records (another store's, e.g. a data dir's tokens.json)
// into this one: a record this store lacks is created; one it holds live
// but recs hold revoked is revoked (a revocation is never undone). It
// answers how many records it created or revoked.
func (t *Tokens) Import(ctx context.Context, recs []Token) (changed int, err error) {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	for _, rec := range recs {
		err := t.store.create(ctx, rec)
		switch {
		case err == nil:
			t.apply(rec)
			changed++
		case errors.Is(err, errTokenExists) && rec.RevokedAt != nil:
			wasLive := t.live(rec.ID)
			got, err := t.store.revoke(ctx, rec.ID, *rec.RevokedAt)
			if err != nil {
				return changed, fmt.Errorf("import token %s: %w", rec.ID, err)
			}
			t.apply(got)
			if wasLive {
				changed++
			}
		case errors.Is(err, errTokenExists):
		default:
			return changed, fmt.Errorf("import token %s: %w", rec.ID, err)
		}
	}
	return changed, nil
}

func (t *Tokens) live(id string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	tok, ok := t.byID[id]
	return ok && tok.RevokedAt == nil
}

// Close stops watching the store and closes its connection, if any.
func (t *Tokens) Close() error { return t.store.close() }

// apply puts a record, as stored, into the index. A revocation is final:
// a record arriving without one after the index saw it revoked (a
// watcher's late copy of the issue) leaves it revoked.
func (t *Tokens) apply(tok Token) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.byID[tok.ID]; ok {
		if old.RevokedAt != nil && tok.RevokedAt == nil {
			return
		}
		delete(t.byHash, old.Hash)
	}
	t.byID[tok.ID] = &tok
	t.byHash[tok.Hash] = &tok
}

// forget drops a record deleted from the store: its token no longer
// authenticates.
func (t *Tokens) forget(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.byID[id]; ok {
		delete(t.byHash, old.Hash)
		delete(t.byID, id)
	}
}

// get answers the indexed record of id.
func (t *Tokens) get(id string) (Token, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	tok, ok := t.byID[id]
	if !ok {
		return Token{}, false
	}
	return *tok, true
}
