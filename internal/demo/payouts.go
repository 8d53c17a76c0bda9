package demo

import (
	"fmt"

	"github.com/fundledger/fundledger/domain"
)

// payouts pays households through the one-card system at the standards of
// DOMAIN.md, one batch per township and subsidy item, from the funds left
// after the projects.
func (b *builder) payouts() {
	town := map[string]int{}
	for i, v := range b.villageIDs {
		town[v] = i % len(townships)
	}
	type line struct {
		h   *domain.RegisterHousehold
		amt domain.Money
	}
	exited := map[string]bool{}
	for _, id := range b.exited2019 {
		exited[id] = true
	}
	type item struct {
		code, name, fund, period string
		standard                 domain.Money
		pick                     func(h *domain.RegisterHousehold, n int) (domain.Money, bool)
	}
	items := []item{
		{"CY", "产业扶持直补", "A2019-003", "2019", domain.Yuan(5000), func(h *domain.RegisterHousehold, n int) (domain.Money, bool) {
			return domain.Yuan(5000), h.Status != "exited" && n%2 == 0
		}},
		{"GF", "光伏扶贫补助", "A2019-005", "2019", domain.Yuan(16000), func(h *domain.RegisterHousehold, n int) (domain.Money, bool) {
			return domain.Yuan(16000), h.Status != "exited" && n%11 == 3
		}},
		{"DB", "低保兜底补助", "A2019-003", "2019H1", domain.Yuan(1950), func(h *domain.RegisterHousehold, n int) (domain.Money, bool) {
			return domain.Yuan(1950).MulInt(int64(h.Members)), h.Category == "dibao"
		}},
		{"WB", "五保供养补助", "A2019-004", "2019", domain.Yuan(7200), func(h *domain.RegisterHousehold, n int) (domain.Money, bool) {
			return domain.Yuan(7200).MulInt(int64(h.Members)), h.Category == "wubao"
		}},
		{"JY", "义务教育寄宿生生活补助", "A2019-002", "2019", domain.Yuan(1000), func(h *domain.RegisterHousehold, n int) (domain.Money, bool) {
			return domain.Yuan(1000), h.Members >= 4 && n%5 == 1
		}},
		{"YB", "医疗保险个人缴费补助", "A2019-001", "2019", domain.Yuan(120), func(h *domain.RegisterHousehold, n int) (domain.Money, bool) {
			return domain.Yuan(120).MulInt(int64(h.Members)), h.Status != "exited"
		}},
		{"TP", "脱贫奖励", "A2019-005", "2019", domain.Yuan(1000), func(h *domain.RegisterHousehold, n int) (domain.Money, bool) {
			return domain.Yuan(1000), exited[h.ID]
		}},
	}
	var failedLine *domain.RegisterHousehold
	var failedAmt domain.Money
	for _, it := range items {
		byTown := make([][]line, len(townships))
		for n := range b.c.Households {
			h := &b.c.Households[n]
			if b.removed[h.ID] {
				continue
			}
			if a, ok := it.pick(h, n); ok {
				byTown[town[h.Village]] = append(byTown[town[h.Village]], line{h, a})
			}
		}
		for t, lines := range byTown {
			if len(lines) == 0 {
				continue
			}
			id := fmt.Sprintf("B2019-%s-%d", it.code, t+1)
			total := domain.Zero
			req := make([]domain.BatchLineRequest, len(lines))
			for i, l := range lines {
				req[i] = domain.BatchLineRequest{Household: l.h.ID, Amount: amt(l.amt)}
				total = total.Add(l.amt)
			}
			b.left[it.fund] = b.left[it.fund].Sub(total)
			b.add(pPayouts, domain.PayoutBatch{ID: id, Fund: it.fund, Item: it.name, Standard: amt(it.standard), Period: it.period,
				Control: domain.ControlRequest{Count: len(lines), Amount: amt(total)}, Lines: req})
			// The bank reports the industry batches: all paid but one card,
			// closed, which fails; the household's new card is recorded and
			// the line re-issued as a single payout.
			if it.code == "CY" {
				results := make([]domain.BankResultRequest, len(lines))
				for i, l := range lines {
					results[i] = domain.BankResultRequest{Household: l.h.ID, Status: "paid", BankRef: fmt.Sprintf("NS%s%04d", id[6:], i+1)}
				}
				if t == 0 {
					results[1] = domain.BankResultRequest{Household: lines[1].h.ID, Status: "failed", Reason: "账户已销户"}
					failedLine, failedAmt = lines[1].h, lines[1].amt
				}
				b.add(pBank, domain.RecordBankResults{Batch: id, Lines: results})
			}
		}
		if b.left[it.fund].IsNegative() {
			panic(fmt.Sprintf("demo: fund %s overdrawn by item %s", it.fund, it.name))
		}
	}
	if failedLine != nil {
		// The new card is a new account: the old one's last digit moved on,
		// so the re-issue is not sent to the closed card (422 same_card).
		old := failedLine.BankAccount
		last := '0' + (old[len(old)-1]-'0'+1)%10
		b.add(pBank, domain.ChangeBankCard{Household: failedLine.ID, BankName: "光州农商银行", BankAccount: "6217" + old[4:len(old)-1] + string(rune(last))})
		b.add(pReissue, domain.Payout{ID: "PO2019-CY-0001", Household: failedLine.ID, Item: "产业扶持直补", Standard: amt(domain.Yuan(5000)),
			Period: "2019", Fund: "A2019-003", Amount: amt(failedAmt), ReissueOf: "B2019-CY-1/" + failedLine.ID})
	}
	// Forest rangers (生态护林员) are paid singly; one was paid twice by
	// mistake, and the second payout is reversed (冲正).
	rangers := 0
	for n := range b.c.Households {
		h := &b.c.Households[n]
		if b.removed[h.ID] || h.Status == "exited" || n%37 != 5 || rangers == 20 {
			continue
		}
		rangers++
		b.add(pPayouts, domain.Payout{ID: fmt.Sprintf("PO2019-HL-%04d", rangers), Household: h.ID, Item: "生态护林员工资",
			Standard: amt(domain.Yuan(10000)), Period: "2019", Fund: "A2019-004", Amount: amt(domain.Yuan(10000))})
		if rangers == 1 {
			b.add(pReissue, domain.Payout{ID: "PO2019-HL-DUP1", Household: h.ID, Item: "生态护林员工资",
				Standard: amt(domain.Yuan(10000)), Period: "2019", Fund: "A2019-004", Amount: amt(domain.Yuan(10000))})
			b.add(pReverse, domain.Reverse{ID: "RV2019-0001", Reverses: "PO2019-HL-DUP1", Reason: "重复发放，冲正"})
		}
	}
}

// anomalies plants what an audit of the demo must find (see Planted): a
// duplicate exit reward, a photovoltaic subsidy above its standard, and
// payouts to a household removed from the register (the idle fund and the
// cancelled project holding money are planted with the funds and projects).
func (b *builder) anomalies() {
	exitReward := b.exited2019[0]
	b.add(pReissue, domain.Payout{ID: "PO2019-TP-0001", Household: exitReward, Item: "脱贫奖励", Period: "2019",
		Fund: "A2019-005", Amount: amt(domain.Yuan(1000))})
	b.c.Planted = append(b.c.Planted, Anomaly{"duplicate_payout", exitReward})

	var over, removed string
	for n := range b.c.Households {
		h := &b.c.Households[n]
		if b.removed[h.ID] || h.Status == "exited" || n%37 == 5 || h.ID == exitReward {
			continue
		}
		switch {
		case over == "" && n%11 == 4: // no photovoltaic line of its own
			over = h.ID
		case removed == "" && n%11 == 6 && h.Category == "ordinary" && n > 100:
			removed = h.ID
		}
	}
	b.add(pReissue, domain.Payout{ID: "PO2019-GF-0001", Household: over, Item: "光伏扶贫补助", Standard: amt(domain.Yuan(16000)),
		Period: "2019", Fund: "A2019-005", Amount: amt(domain.Yuan(18000))})
	b.c.Planted = append(b.c.Planted, Anomaly{"over_standard", over})
	// Removed after its 2019 payouts were made, on a review (复核) that
	// found it never met the criteria.
	// Recorded late in the year (补录) but dated 2019-03-15, the day the
	// review found it ineligible: payout_to_removed counts the lines dated
	// on or after the removal, which the payouts of the year are.
	b.add(pReverse, domain.RemoveHousehold{Date: "2019-03-15", Household: removed, Reason: "复核：2019年3月已不符合识别标准（补录清退）", DocumentNo: "光扶办〔2019〕88号"})
	b.c.Planted = append(b.c.Planted, Anomaly{"payout_to_removed", removed})
	b.left["A2019-005"] = b.left["A2019-005"].Sub(domain.Yuan(19000))
	if b.left["A2019-005"].IsNegative() {
		panic("demo: fund A2019-005 overdrawn by the planted payouts")
	}
}
