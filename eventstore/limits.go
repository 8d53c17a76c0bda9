package eventstore

import "errors"

// ErrTooLarge means one Append did not fit in what the store can write as a
// single atomic unit (for JetStream: one message, bounded by the server's
// max_payload and the stream's max message size). Nothing was stored; the
// writer should split its group commit into smaller appends.
var ErrTooLarge = errors.New("eventstore: append too large for one atomic write")
