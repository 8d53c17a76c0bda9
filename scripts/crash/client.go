package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// client talks to one server instance; a restarted server gets a new client
// (new port, no pooled connections to the dead process).
type client struct {
	base    string
	token   string // finance: writes
	auditor string // reads
	hc      *http.Client
}

func newClient(base, finance, auditor string) *client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	return &client{base: base, token: finance, auditor: auditor, hc: &http.Client{Transport: tr, Timeout: 20 * time.Second}}
}

func (c *client) close() { c.hc.CloseIdleConnections() }

// answer is what the server said to a write.
type answer struct {
	status   int
	seq      uint64
	hash     string
	replayed bool   // Idempotent-Replayed: true
	code     string // error code of a refusal
	body     string
}

// post sends a write with its Idempotency-Key. An error means the outcome is
// unknown (the connection broke: the write may or may not be durable);
// every answer the server gave, refusal or not, comes back as an answer.
func (c *client) post(ctx context.Context, path, key string, body []byte) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := c.hc.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return answer{}, err // a 201 cut off mid-body is no acknowledgement
	}
	a := answer{status: resp.StatusCode, replayed: resp.Header.Get("Idempotent-Replayed") == "true", body: string(raw)}
	if a.status == http.StatusCreated {
		var w struct {
			Seq  uint64 `json:"seq"`
			Hash string `json:"hash"`
		}
		if err := json.Unmarshal(raw, &w); err != nil || w.Seq == 0 || len(w.Hash) != 64 {
			return answer{}, fmt.Errorf("201 without seq and hash: %s", raw)
		}
		a.seq, a.hash = w.Seq, w.Hash
		return a, nil
	}
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(raw, &e)
	a.code = e.Error.Code
	return a, nil
}

// get reads a JSON answer with the auditor's token. A 503 (the projections
// still catching up after a restart) is tried again after its Retry-After,
// until ctx ends.
func (c *client) get(ctx context.Context, path string, out any) error {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+c.auditor)
		resp, err := c.hc.Do(req)
		if err != nil {
			return fmt.Errorf("GET %s: %w", path, err)
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("GET %s: %w", path, err)
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			if err := json.Unmarshal(raw, out); err != nil {
				return fmt.Errorf("GET %s: %w", path, err)
			}
			return nil
		case resp.StatusCode == http.StatusServiceUnavailable:
			wait := time.Second
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 && s < 10 {
				wait = time.Duration(s)*time.Second + 100*time.Millisecond
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("GET %s: 503 until the deadline: %s", path, raw)
			case <-time.After(wait):
			}
		default:
			return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, raw)
		}
	}
}

// issueToken asks the admin route for a token of role on ledger.
func issueToken(ctx context.Context, base, admin, role, ledger string) (string, error) {
	body, _ := json.Marshal(map[string]string{"role": role, "ledger": ledger})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/tokens", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil || resp.StatusCode != http.StatusCreated || t.Token == "" {
		return "", fmt.Errorf("POST /v1/tokens %s: status %d, %v", role, resp.StatusCode, err)
	}
	return t.Token, nil
}
