package nats

import (
	"context"
	"errors"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A request sent to a stream leader that has just died is never answered:
// nats.go waits for the whole context. In a cluster the surviving replicas
// elect a new leader after 4–9 s, so every request to JetStream is made in
// short attempts, and an attempt that times out (or finds no responder, or
// hears "temporarily unavailable") is made again until the new leader
// answers. Operations whose retry could act twice (a publish) say how they
// stay single; see Append.

// attemptTimeout bounds one attempt of a request other than a publish.
// Answers take well under a millisecond on a healthy cluster.
const attemptTimeout = 1500 * time.Millisecond

// retryWindow bounds all attempts of one call: a cluster without a stream
// leader for this long is down, not electing, and the caller hears so.
const retryWindow = 30 * time.Second

// retryable reports whether err leaves the request unanswered or refused
// for the moment only: a lost or late answer, no responder, a reconnect,
// or a cluster that says it is temporarily unavailable.
func retryable(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, natsgo.ErrTimeout),
		errors.Is(err, natsgo.ErrNoResponders),
		errors.Is(err, jetstream.ErrNoStreamResponse),
		errors.Is(err, natsgo.ErrConnectionReconnecting),
		errors.Is(err, natsgo.ErrDisconnected):
		return true
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		// 503: no responders / JetStream temporarily unavailable (10008)
		// or the stream offline (10118) while its replicas elect.
		return apiErr.Code == 503 || apiErr.ErrorCode == 10008 || apiErr.ErrorCode == 10118
	}
	return false
}

// retry runs fn in attempts of at most attempt each (attemptTimeout when
// 0) until it succeeds, fails for good, ctx ends or retryWindow passes;
// it answers fn's last error.
func (s *Store) retry(ctx context.Context, attempt time.Duration, fn func(ctx context.Context) error) error {
	if attempt <= 0 {
		attempt = attemptTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, retryWindow)
	defer cancel()
	wait := 25 * time.Millisecond
	for {
		actx, acancel := context.WithTimeout(ctx, attempt)
		err := fn(actx)
		acancel()
		if !retryable(err) || ctx.Err() != nil || s.closed.Load() {
			return err
		}
		s.log.Debug("nats: retrying a request", "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 250*time.Millisecond)
	}
}
