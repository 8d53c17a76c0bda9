package export

import (
	"fmt"
	"time"

	"github.com/fundledger/fundledger/domain"
)

// event maps one event of commit c to IATI: allocation and integration are
// incoming funds, appropriation a commitment, payment, payout and batch
// lines disbursements, recovery a reimbursement (see DESIGN.md). It answers
// whether it knows the event's type; the catalogue test asks it about
// every type, so a new event cannot go unmapped unnoticed.
func (s *iatiWriter) event(c *domain.Commit, e domain.Event) bool {
	switch e := e.(type) {
	case domain.LedgerOpened:
		s.org.Narrative = e.Name
		for _, a := range s.acts {
			a.ReportingOrg.Narrative, a.Participating[0].Narrative = e.Name, e.Name
		}
		s.county.Title = iatiText{e.Name + " 财政专项扶贫资金和统筹整合财政涉农资金"}
		s.county.Description = iatiText{"Poverty-alleviation funds of county " + e.Code + " " + e.Name + ": funds received, household payouts and bank returns; project spending is in the project activities."}
	case domain.VillageRegistered, domain.HouseholdRegistered, domain.HouseholdExited, domain.HouseholdReturned,
		domain.HouseholdRemoved, domain.HouseholdCardChanged:
		// Registers, not money: no activity and no transaction.
	case domain.FundAllocated:
		s.add(c, s.county, e.ID, iatiIncomingFunds, e.Amount,
			fmt.Sprintf("allocation %s, %s %d, %s", e.ID, e.Programme, e.FiscalYear, e.DocumentNo),
			narrativeOrg(e.SourceLevel+" · "+e.Programme), narrativeOrg(s.org.Narrative))
	case domain.FundIntegrated:
		s.add(c, s.county, e.ID, iatiIncomingFunds, e.Amount,
			fmt.Sprintf("integration %s, %s %d, %s", e.ID, e.Programme, e.FiscalYear, e.DocumentNo),
			narrativeOrg("farm · "+e.Programme), narrativeOrg(s.org.Narrative))
	case domain.ProjectApproved:
		a := s.activity(iatiOrgPrefix+s.code+"-"+e.ID, e.Name, projectActivityStatus["approved"])
		a.Description = iatiText{fmt.Sprintf("project %s, %s, village %s, batch %s, budget %s, %s", e.ID, e.Category, e.Village, e.Batch, e.Budget, e.ApprovalDoc)}
		a.LastUpdated = c.Time.In(chinaZone).Format(time.RFC3339)
		s.projects[e.ID] = a
	case domain.ProjectStatusChanged:
		a := s.project(e.Project)
		a.Status = iatiCode{projectActivityStatus[e.Status]}
		switch e.Status {
		case "started":
			a.Dates = append(a.Dates, iatiDate{Type: "2", ISODate: e.Date}) // actual start
		case "completed", "cancelled":
			a.Dates = append(a.Dates, iatiDate{Type: "4", ISODate: e.Date}) // actual end
		}
	case domain.FundsAppropriated:
		s.add(c, s.project(e.Project), e.ID, iatiOutgoingCommitment, e.Amount,
			fmt.Sprintf("appropriation %s from fund %s", e.ID, e.Fund), narrativeOrg(e.Fund), narrativeOrg(e.Project))
	case domain.ProjectPaid:
		s.add(c, s.project(e.Project), e.ID, iatiDisbursement, e.Amount,
			fmt.Sprintf("payment %s from fund %s, voucher %s, %s", e.ID, e.Fund, e.VoucherNo, e.Method), narrativeOrg(e.Project), narrativeOrg(e.Payee))
	case domain.FundsRecovered:
		s.add(c, s.project(e.Project), e.ID, iatiReimbursement, e.Amount,
			fmt.Sprintf("recovery %s to fund %s: %s", e.ID, e.Fund, e.Reason), narrativeOrg(e.Project), narrativeOrg(e.Fund))
	case domain.PayoutMade:
		s.add(c, s.county, e.ID, iatiDisbursement, e.Amount,
			fmt.Sprintf("payout %s, %s %s, from fund %s", e.ID, e.Item, e.Period, e.Fund), narrativeOrg(e.Fund), narrativeOrg("household "+e.Household))
	case domain.PayoutBatchAccepted:
		for _, l := range e.Lines {
			s.add(c, s.county, e.ID, iatiDisbursement, l.Amount,
				fmt.Sprintf("payout batch %s, %s %s, from fund %s", e.ID, e.Item, e.Period, e.Fund), narrativeOrg(e.Fund), narrativeOrg("household "+l.Household))
		}
	case domain.BankResultsRecorded:
		// A failed or returned line's money went back to the fund: a
		// disbursement undone. Bank results are not reversible writes,
		// so they are not remembered for reversals.
		for _, l := range e.Lines {
			if l.Status == "paid" {
				continue
			}
			day := c.BusinessDate() // when the money moved, not when it was recorded
			s.county.Transactions = append(s.county.Transactions, iatiTransaction{Ref: e.Batch, Type: iatiCode{iatiDisbursement},
				Date: iatiDate{ISODate: day}, Value: iatiValue{Currency: "CNY", ValueDate: day, Amount: l.Amount.Neg().String()},
				Description: &iatiText{fmt.Sprintf("bank result of batch %s: %s %s %s", e.Batch, l.Status, l.BankRef, l.Reason)},
				Provider:    narrativeOrg("household " + l.Household), Receiver: narrativeOrg(e.Fund)})
		}
	case domain.WriteReversed:
		// The reversed write's transactions again, negated, under the
		// reversal's id: a reversal of a reversal restores them.
		for _, en := range s.writes[e.Reverses] {
			tx := en.tx
			tx.Ref = e.ID
			tx.Description = &iatiText{fmt.Sprintf("reversal %s of %s: %s", e.ID, e.Reverses, e.Reason)}
			s.add(c, en.act, e.ID, tx.Type.Code, en.amount.Neg(), tx.Description.Narrative, tx.Provider, tx.Receiver)
		}
	default:
		return false
	}
	return true
}
