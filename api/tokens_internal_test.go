package api

import (
	"testing"
	"time"
)

// TestTokenRevocationIsFinal: the index never takes a revoked token back
// when an older copy of its record arrives after the revocation (a
// watcher delivering the issue after this server's own revocation).
func TestTokenRevocationIsFinal(t *testing.T) {
	tk, err := OpenTokens("")
	if err != nil {
		t.Fatal(err)
	}
	issued := Token{ID: "tok_1", Hash: HashToken("flt_x"), Role: RoleFinance, CreatedAt: time.Now().UTC()}
	revoked := issued
	at := time.Now().UTC()
	revoked.RevokedAt = &at
	tk.apply(revoked)
	tk.apply(issued)
	if _, ok := tk.Lookup("flt_x"); ok {
		t.Fatal("a late copy of the issue undid the revocation")
	}
	tk.forget("tok_1")
	tk.apply(issued)
	if _, ok := tk.Lookup("flt_x"); !ok {
		t.Fatal("a record put after its key was deleted is not indexed")
	}
}
