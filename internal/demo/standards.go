package demo

import "github.com/fundledger/fundledger/domain"

// Standards is the demo county's table of subsidy standards (补助标准),
// seeded from DOMAIN.md's items, which the seed documents state: the
// standard per unit and who is eligible. Two items changed on 2019-01-01
// (五保 6000→7200 and 低保 3600→3900 元 a person a year), so their 2018
// standard comes first. A ledger is seeded the same way through the API
// (POST /v1/ledgers/{l}/standards, one object per line of this table) or
// `fundledger import`; a ledger without a table reports every item it
// pays as no_standard.
var Standards = []domain.SetStandard{
	{Item: "产业扶持直补", Amount: "5000.00", Unit: "household", Eligibility: "有发展产业意愿的建档立卡贫困户", Date: "2019-01-01"},
	{Item: "光伏扶贫补助", Amount: "16000.00", Unit: "household", Eligibility: "建档立卡贫困户（户用光伏）", Date: "2019-01-01"},
	{Item: "低保兜底补助", Amount: "3600.00", Unit: "person", Eligibility: "低保户家庭成员（全年）", Date: "2018-01-01"},
	{Item: "低保兜底补助", Amount: "3900.00", Unit: "person", Eligibility: "低保户家庭成员（全年）", Date: "2019-01-01"},
	{Item: "五保供养补助", Amount: "6000.00", Unit: "person", Eligibility: "五保供养对象（全年）", Date: "2018-01-01"},
	{Item: "五保供养补助", Amount: "7200.00", Unit: "person", Eligibility: "五保供养对象（全年）", Date: "2019-01-01"},
	{Item: "义务教育寄宿生生活补助", Amount: "1000.00", Unit: "pupil", Eligibility: "建档立卡家庭小学寄宿生（初中1250元另列）", Date: "2019-01-01"},
	{Item: "中等职业教育资助", Amount: "5000.00", Unit: "pupil", Eligibility: "建档立卡家庭中职在校生（雨露计划）", Date: "2019-01-01"},
	{Item: "大学新生入学资助", Amount: "3000.00", Unit: "pupil", Eligibility: "建档立卡家庭当年考取大学的新生", Date: "2019-01-01"},
	{Item: "医疗保险个人缴费补助", Amount: "120.00", Unit: "person", Eligibility: "建档立卡贫困人口", Date: "2019-01-01"},
	{Item: "就业补贴", Amount: "150.00", Unit: "month", Eligibility: "外出务工的建档立卡贫困劳动力", Date: "2019-01-01"},
	{Item: "危房改造补助（新建）", Amount: "10000.00", Unit: "household", Eligibility: "建档立卡贫困户C、D级危房新建", Date: "2019-01-01"},
	{Item: "脱贫奖励", Amount: "1000.00", Unit: "household", Eligibility: "当年脱贫的建档立卡贫困户", Date: "2019-01-01"},
	{Item: "生态护林员工资", Amount: "10000.00", Unit: "household", Eligibility: "选聘为生态护林员的建档立卡贫困户（一户一岗）", Date: "2019-01-01"},
}

// Anomaly is a finding the demo plants on purpose: its kind and what it
// is about (a household, fund or project), so a test can prove the
// findings on the demo are exactly these.
type Anomaly struct {
	Kind, Subject string
}
