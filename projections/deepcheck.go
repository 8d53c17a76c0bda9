package projections

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/ledger"
)

// DeepResult is what DeepCheck found for one ledger.
type DeepResult struct {
	Ledger string `json:"ledger"`
	// Seq and Hash are the head the log was refolded to.
	Seq  uint64 `json:"seq"`
	Hash string `json:"head_hash"`
	// Checked counts the snapshots whose content was compared with the refold.
	Checked int `json:"snapshots_checked"`
	// Bad lists the snapshots that disagree with the log or cannot be
	// trusted, in order of seq: each one is a reason for verify to fail.
	Bad []SnapshotProblem `json:"bad_snapshots,omitempty"`
	// Skipped lists snapshots of another format: a projector removes them
	// and replays instead, so they are not evidence either way.
	Skipped []SnapshotProblem `json:"skipped_snapshots,omitempty"`
}

// OK reports whether every snapshot agreed with the log.
func (r DeepResult) OK() bool { return len(r.Bad) == 0 }

// SnapshotProblem names one snapshot file and what is wrong with it.
type SnapshotProblem struct {
	File    string `json:"file"`
	Seq     uint64 `json:"seq"`
	Problem string `json:"problem"`
}

// DeepCheck is the snapshot half of `fundledger verify --deep`. It folds
// the ledger's whole log from zero into a fresh model (checking the hash
// chain on the way, as ledger.WalkDecoded does) and compares it with every
// snapshot of the ledger under dir (the projections directory, as in
// Options.Dir): at each snapshot's seq the refold must have the snapshot's
// head hash and encode to exactly the snapshot's content (its SHA-256 is
// the refold's Fingerprint). It also reports a snapshot beyond the log's
// head, one that does not match its own digest, and one not signed with
// dir's key. A load catches all but one of these cheaply; the exception is
// a snapshot edited by someone who could read the key and re-sign it,
// which only this refold finds.
//
// It reads and writes nothing but reads: the server need not be stopped
// for the snapshots' sake, but the store must be the one they were built
// from. It answers an error when the store cannot be read or the log's
// chain is broken (ledger.Verify names that commit), with what it found
// until then.
func DeepCheck(ctx context.Context, store eventstore.Store, dir string, code string) (DeepResult, error) {
	res := DeepResult{Ledger: code}
	snaps, skipped, err := checkSnapshots(dir, code)
	res.Skipped = skipped
	if err != nil {
		return res, err
	}

	head, err := store.Head(ctx, code)
	if err != nil {
		return res, err
	}
	m := NewModel(code)
	m.reserve(head)
	next := 0
	walkErr := ledger.WalkDecoded(ctx, store, code, (*domain.Commit).Decode, func(c *domain.Commit, events []domain.Event) error {
		if err := m.applyDecoded(c, events); err != nil {
			return err
		}
		var fingerprint string
		for ; next < len(snaps) && snaps[next].seq <= c.Seq; next++ {
			s := snaps[next]
			if s.seq < c.Seq {
				s.probs = append(s.probs, "seq 0 is no commit")
				continue
			}
			if s.digest == "" { // undecodable: already reported
				continue
			}
			res.Checked++
			if s.meta.Hash != m.HeadHash() {
				s.probs = append(s.probs, fmt.Sprintf("built at hash %s, but the log's commit %d has hash %s", s.meta.Hash, c.Seq, m.HeadHash()))
			}
			if fingerprint == "" {
				fingerprint = m.Fingerprint()
			}
			if s.digest != fingerprint {
				s.probs = append(s.probs, fmt.Sprintf("content differs from a refold of the log to seq %d (sha256 %s, refold %s)", c.Seq, s.digest, fingerprint))
			}
		}
		return nil
	})
	res.Seq, res.Hash = m.Seq(), m.HeadHash()
	if walkErr == nil {
		for _, s := range snaps[next:] {
			s.probs = append(s.probs, fmt.Sprintf("built at seq %d, beyond the log's head %d: the store lost commits", s.seq, m.Seq()))
		}
	}
	for _, s := range snaps {
		if len(s.probs) > 0 {
			res.Bad = append(res.Bad, SnapshotProblem{s.file, s.seq, strings.Join(s.probs, "; ")})
		}
	}
	slices.SortFunc(res.Bad, func(a, b SnapshotProblem) int { return cmpU(a.Seq, b.Seq) })
	return res, walkErr
}
