package domain

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"
)

const goldenPathV2 = "../testdata/commit_hash_v2.json"

// goldenCommitsV2 are the version 2 vectors: the v1 vectors' first two
// commits, dated (one back-dated to the year before its record time).
func goldenCommitsV2(t *testing.T) []*Commit {
	v1 := goldenCommits(t)
	first, second := *v1[0], *v1[1]
	first.Version, first.Date = CommitVersion, "2019-03-01"
	first.Seal()
	second.Version, second.Date, second.PrevHash = CommitVersion, "2018-12-31", first.Hash
	second.Seal()
	return []*Commit{&first, &second}
}

// TestCommitHashV2MatchesGoldenVectors pins encoding version 2 as
// TestCommitHashMatchesGoldenVectors pins version 1: never update the file
// to make it pass.
func TestCommitHashV2MatchesGoldenVectors(t *testing.T) {
	commits := goldenCommitsV2(t)
	if *updateGolden {
		b := []byte("[\n")
		for i, c := range commits {
			line, _ := c.Marshal()
			b = append(b, line...)
			if i < len(commits)-1 {
				b = append(b, ',')
			}
			b = append(b, '\n')
		}
		if err := os.WriteFile(goldenPathV2, append(b, "]\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(goldenPathV2)
	if err != nil {
		t.Fatal(err)
	}
	var golden []*Commit
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden) != len(commits) {
		t.Fatalf("%d golden vectors, want %d", len(golden), len(commits))
	}
	for i, g := range golden {
		if g.Version != CommitVersion || g.Date == "" {
			t.Fatalf("vector %d is not a dated version 2 commit: %+v", i, g)
		}
		if got := g.ComputeHash(); got != g.Hash {
			t.Errorf("vector %d: stored commit hashes to %s, file says %s", i, got, g.Hash)
		}
		if commits[i].Hash != g.Hash {
			t.Errorf("vector %d: building it today hashes to %s, file says %s", i, commits[i].Hash, g.Hash)
		}
	}
}

// TestCommitDateIsCoveredByTheHash: the business date of a new commit is
// as tamper-evident as its amounts; an old (v1) commit given a date, or a
// commit claiming another version, does not verify.
func TestCommitDateIsCoveredByTheHash(t *testing.T) {
	c := goldenCommitsV2(t)[1]
	edits := map[string]func(*Commit){
		"date":            func(c *Commit) { c.Date = "2018-12-30" },
		"date dropped":    func(c *Commit) { c.Date = "" },
		"version dropped": func(c *Commit) { c.Version = 0 },
		"version raised":  func(c *Commit) { c.Version = 3 },
	}
	for name, edit := range edits {
		d := *c
		edit(&d)
		if d.ComputeHash() == c.Hash {
			t.Errorf("%s: hash unchanged", name)
		}
	}
	old := goldenCommits(t)[1]
	dated := *old
	dated.Date = "2019-03-02"
	if dated.ComputeHash() == old.Hash {
		t.Error("a date added to a version 1 commit verifies")
	}
}

func TestOldCommitsTakeTheirRecordDayInChina(t *testing.T) {
	c := Commit{Time: time.Date(2019, 6, 30, 17, 0, 0, 0, time.UTC)} // 01:00 on 1 July in China
	if got := c.BusinessDate(); got != "2019-07-01" {
		t.Fatalf("business date %s, want 2019-07-01", got)
	}
	c.Date = "2019-06-01"
	if got := c.BusinessDate(); got != "2019-06-01" {
		t.Fatalf("business date %s, want its own date", got)
	}
}

func TestDateCommandDefaultsAndRefusesTheFuture(t *testing.T) {
	rec := time.Date(2020, 1, 14, 16, 30, 0, 0, time.UTC) // 2020-01-15 00:30 in China
	_, d, err := DateCommand(Allocate{}, rec)
	if err != nil || d != "2020-01-15" {
		t.Fatalf("default date %q, %v; want the record day in China", d, err)
	}
	_, d, err = DateCommand(Allocate{Date: "2019-06-30"}, rec)
	if err != nil || d != "2019-06-30" {
		t.Fatalf("back-dated: %q, %v", d, err)
	}
	for _, bad := range []string{"2020-01-16", "2019-6-30", "2019-02-30", "20190630", "x"} {
		_, _, err := DateCommand(Pay{Date: bad}, rec)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindInvalid || e.Field != "date" {
			t.Errorf("date %q: %v, want invalid naming date", bad, err)
		}
	}
	c, d, err := DateCommand(ChangeProjectStatus{Status: "started"}, rec)
	if err != nil || c.(ChangeProjectStatus).Date != d {
		t.Fatalf("a status change without a date takes the business date: %+v %v", c, err)
	}
}

// TestEveryCommandTakesADate: the business date is a field of every
// command's body, optional, spelled `date`.
func TestEveryCommandTakesADate(t *testing.T) {
	for _, spec := range Commands() {
		f, ok := reflect.TypeOf(spec.Body).FieldByName("Date")
		if !ok || f.Type.Kind() != reflect.String || f.Tag.Get("json") != "date,omitempty" {
			t.Errorf("command %s has no optional string field `date`", spec.Name)
		}
		v := reflect.New(reflect.TypeOf(spec.Body)).Elem()
		v.FieldByName("Date").SetString("2019-01-02")
		if got := DateOf(v.Interface().(Command)); got != "2019-01-02" {
			t.Errorf("command %s: DateOf answers %q", spec.Name, got)
		}
	}
}
