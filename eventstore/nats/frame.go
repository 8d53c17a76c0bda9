package nats

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A frame is the body of one JetStream message and holds every record of one
// Append. Group commit depends on it: JetStream spends one fsync per stored
// message, so one message per Append spreads that fsync over the whole group.
//
// Layout (all integers big-endian):
//
//	byte    version (frameVersion = 1)
//	uint32  count of records, >= 1
//	count × { uint32 length; length bytes of record data }
//
// The message's headers repeat where the frame sits in the ledger
// (Fundledger-First-Seq, Fundledger-Count), so a reader can find a record's
// frame by looking at headers alone and a frame can be checked against them.
const frameVersion = 1

const (
	hdrFirstSeq = "Fundledger-First-Seq"
	hdrCount    = "Fundledger-Count"
)

// frameSize is the bytes a frame of records takes: a version byte, a
// record count and each record with its length.
func frameSize(records [][]byte) int {
	n := 1 + 4
	for _, r := range records {
		n += 4 + len(r)
	}
	return n
}

// encodeFrame packs records into one frame.
func encodeFrame(records [][]byte) []byte {
	b := make([]byte, 0, frameSize(records))
	b = append(b, frameVersion)
	b = binary.BigEndian.AppendUint32(b, uint32(len(records)))
	for _, r := range records {
		b = binary.BigEndian.AppendUint32(b, uint32(len(r)))
		b = append(b, r...)
	}
	return b
}

var errBadFrame = errors.New("nats: malformed fundledger frame")

// decodeFrame unpacks a frame. The records alias b.
func decodeFrame(b []byte) ([][]byte, error) {
	if len(b) < 5 || b[0] != frameVersion {
		return nil, fmt.Errorf("%w: bad header", errBadFrame)
	}
	count := binary.BigEndian.Uint32(b[1:5])
	b = b[5:]
	if count == 0 || uint64(count)*4 > uint64(len(b)) {
		return nil, fmt.Errorf("%w: count %d does not fit %d bytes", errBadFrame, count, len(b))
	}
	out := make([][]byte, 0, count)
	for range count {
		if len(b) < 4 {
			return nil, fmt.Errorf("%w: truncated", errBadFrame)
		}
		n := binary.BigEndian.Uint32(b)
		b = b[4:]
		if uint64(n) > uint64(len(b)) {
			return nil, fmt.Errorf("%w: record of %d bytes, %d left", errBadFrame, n, len(b))
		}
		out = append(out, b[:n:n])
		b = b[n:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errBadFrame, len(b))
	}
	return out, nil
}
