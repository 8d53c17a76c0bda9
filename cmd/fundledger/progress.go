package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress reports how far a long replay has got: on a terminal a bar
// redrawn in place with events/s and the time left; otherwise (a log, a
// pipe) a plain line every few seconds, so logs stay readable.
type progress struct {
	w        io.Writer
	tty      bool
	label    string
	total    uint64 // commits expected; 0 if unknown
	start    time.Time
	last     time.Time
	every    time.Duration
	events   uint64
	commits  uint64
	finished bool
	item     string // what total counts: "commit" by default
	rated    string // what the rate counts: "events" by default
}

func newProgress(w *os.File, label string, total uint64) *progress {
	fi, err := w.Stat()
	tty := err == nil && fi.Mode()&os.ModeCharDevice != 0
	every := 5 * time.Second
	if tty {
		every = 100 * time.Millisecond
	}
	now := time.Now()
	return &progress{w: w, tty: tty, label: label, total: total, start: now, last: now, every: every,
		item: "commit", rated: "events"}
}

// counting names what the bar counts, e.g. ("line", "writes") for an import.
func (p *progress) counting(item, rated string) *progress {
	p.item, p.rated = item, rated
	return p
}

// step records one commit of n events.
func (p *progress) step(seq uint64, events int) {
	p.commits = seq
	p.events += uint64(events)
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		p.draw(now)
	}
}

// done draws the final state and ends the line.
func (p *progress) done() {
	if p.finished {
		return
	}
	p.finished = true
	p.draw(time.Now())
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) draw(now time.Time) {
	el := now.Sub(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.events) / el // display only
	}
	eta := "?"
	if p.total > 0 && p.commits > 0 && el > 0 {
		left := time.Duration(float64(p.total-min(p.commits, p.total)) / (float64(p.commits) / el) * float64(time.Second))
		eta = left.Round(time.Second).String()
	}
	if !p.tty {
		fmt.Fprintf(p.w, "%s: %s %d/%d, %d %s, %.0f %s/s, ETA %s\n", p.label, p.item, p.commits, p.total, p.events, p.rated, rate, p.rated, eta)
		return
	}
	const width = 30
	filled := width
	if p.total > 0 {
		filled = int(min(p.commits, p.total) * width / p.total)
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d %ss  %.0f %s/s  ETA %s   ", p.label, bar, p.commits, p.total, p.item, rate, p.rated, eta)
}
