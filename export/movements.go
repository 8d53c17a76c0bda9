package export

import (
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/csvsafe"
)

// chinaZone is China Standard Time, the zone of the county's documents:
// exported times and value dates are written in it.
var chinaZone = time.FixedZone("CST", 8*3600)

// movementHeader names the columns of the csv and xlsx exports.
var movementHeader = []string{"seq", "time", "command", "write_id", "event_type", "account", "amount"}

// movement is one posting of one money event: a row of the csv and xlsx
// exports. The rows of one commit sum to zero, as its postings do.
type movement struct {
	seq       uint64
	time      time.Time
	command   string
	writeID   string
	eventType domain.EventType
	account   domain.Account
	amount    domain.Money
}

// movements answers the postings of a commit, in order.
func movements(c *domain.Commit) ([]movement, error) {
	events, err := c.Decode()
	if err != nil {
		return nil, err
	}
	var out []movement
	for _, e := range events {
		me, ok := e.(domain.MoneyEvent)
		if !ok {
			continue
		}
		for _, p := range me.Entries() {
			out = append(out, movement{c.Seq, c.Time, c.Command, me.WriteID(), me.EventType(), p.Account, p.Amount})
		}
	}
	return out, nil
}

func (m movement) record() []string {
	return []string{strconv.FormatUint(m.seq, 10), m.time.In(chinaZone).Format(time.RFC3339), m.command,
		m.writeID, string(m.eventType), string(m.account), m.amount.String()}
}

// csvWriter streams the movements as CSV: UTF-8 with a byte-order mark and
// CRLF line ends, so Excel on a county office PC shows the Chinese account
// names, and every cell neutralised against formulas (internal/csvsafe);
// amounts stay plain numbers a clerk can sum. Nothing is written before
// the first commit, so an error there still finds the output untouched.
type csvWriter struct {
	w  io.Writer
	cw *csvsafe.Writer
}

func (s *csvWriter) start() error {
	if s.cw != nil {
		return nil
	}
	cw, err := csvsafe.NewWriter(s.w, true)
	if err != nil {
		return err
	}
	s.cw = cw
	return cw.Write(movementHeader)
}

func (s *csvWriter) Commit(c *domain.Commit, _ []byte) error {
	rows, err := movements(c)
	if err != nil {
		return err
	}
	if err := s.start(); err != nil {
		return err
	}
	for _, m := range rows {
		if err := s.cw.Write(m.record()); err != nil {
			return err
		}
	}
	return nil
}

func (s *csvWriter) Close() error {
	if err := s.start(); err != nil {
		return err
	}
	return s.cw.Flush()
}

// xlsxWriter adds the movements to one sheet through excelize's stream
// writer as commits arrive (rows are not held twice), and writes the
// workbook on Close. Amounts are numeric cells shown with two decimals so a
// clerk can sum them; a two-decimal amount below 10^13 converts to a
// float64 and back exactly, and the csv keeps the exact text.
type xlsxWriter struct {
	w     io.Writer
	began bool
	err   error // of start, answered again by every later call
	f     *excelize.File
	sw    *excelize.StreamWriter
	money int
	row   int
}

const xlsxSheet = "movements"

func (s *xlsxWriter) start() error {
	if !s.began {
		s.began = true
		if s.err = s.open(); s.err != nil && s.f != nil {
			s.f.Close()
		}
	}
	return s.err
}

func (s *xlsxWriter) open() error {
	f := excelize.NewFile()
	s.f = f
	if err := f.SetSheetName("Sheet1", xlsxSheet); err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(xlsxSheet)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(movementHeader), 16); err != nil {
		return err
	}
	head := make([]any, len(movementHeader))
	for i, h := range movementHeader {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	s.sw, s.money, s.row = sw, money, 1
	return sw.SetRow("A1", head)
}

func (s *xlsxWriter) Commit(c *domain.Commit, _ []byte) error {
	rows, err := movements(c)
	if err != nil {
		return err
	}
	if err := s.start(); err != nil {
		return err
	}
	for _, m := range rows {
		rec := m.record()
		s.row++
		cell, _ := excelize.CoordinatesToCellName(1, s.row)
		row := []any{m.seq, rec[1], rec[2], rec[3], rec[4], rec[5],
			excelize.Cell{StyleID: s.money, Value: m.amount.Decimal().InexactFloat64()}}
		if err := s.sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return nil
}

func (s *xlsxWriter) Close() error {
	if err := s.start(); err != nil {
		return err
	}
	defer s.f.Close()
	if err := s.sw.Flush(); err != nil {
		return err
	}
	return s.f.Write(s.w)
}
