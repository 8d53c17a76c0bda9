package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// publicRoutes are the public disclosure surfaces (no token; ID and bank
// numbers masked on every one, JSON, CSV, XLSX and HTML alike). Each answers
// with an ETag and Cache-Control so that notice boards and phones can poll
// cheaply with If-None-Match.
func (s *Server) publicRoutes() []Route {
	pub := func(path, op, summary, answer string, h echo.HandlerFunc) Route {
		return Route{Method: http.MethodGet, Path: path, OpID: op, Summary: summary, Tag: "public",
			Query: readQuery, Status: http.StatusOK, Answer: answer, handler: h}
	}
	const V = "/v1/public/ledgers/:ledger/villages/:village"
	return []Route{
		pub(V+"/disclosure", "disclosure", "A village's disclosure (公告公示): money received, projects, payouts with masked numbers.", "Read", s.disclosureJSON),
		pub(V+"/disclosure.csv", "disclosureCSV", "The village's disclosure as CSV (UTF-8 with BOM).", "Text", s.disclosureCSV),
		pub(V+"/disclosure.xlsx", "disclosureXLSX", "The village's disclosure as XLSX.", "Binary", s.disclosureXLSX),
		pub("/notice/:ledger/:village", "notice", "The village notice board page (村务公开栏), printable HTML.", "HTML", s.notice),
		pub("/notice/:ledger", "noticeIndex", "The county's list of village notice boards.", "HTML", s.noticeIndex),
	}
}
