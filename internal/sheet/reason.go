package sheet

// Reason words a row's rejection for the clerk who must fix the file: what
// to do, in Chinese, then the domain's own message (which names the values
// and ids at fault).
func Reason(field, code, message string) string {
	hint := hints[code+"/"+field]
	if hint == "" {
		hint = hints[code]
	}
	if hint == "" {
		return message
	}
	return hint + "（" + message + "）"
}

// hints are by code and field, or by code alone.
var hints = map[string]string{
	"invalid_request/id":           "户编号须为1到64位字母、数字、“.”“-”或“_”",
	"invalid_request/village":      "请填写村编号或村名",
	"invalid_request/head_name":    "户主姓名不能为空，最多128字，不含不可见字符",
	"invalid_request/id_number":    "身份证号应为18位，末位校验码正确（单元格请设为文本格式）",
	"invalid_request/members":      "人口数应为1到50的整数",
	"invalid_request/category":     "类别应为 一般户、低保户 或 五保户",
	"invalid_request/status":       "状态应为 贫困户、已脱贫、返贫（银行结果：成功、失败、退回）",
	"invalid_request/bank_name":    "开户银行不能为空，最多128字",
	"invalid_request/bank_account": "银行卡号应为8到30位数字（单元格请设为文本格式）",
	"invalid_request/household":    "户编号有误",
	"invalid_request/amount":       "金额应为正数，最多两位小数",
	"invalid_request/bank_ref":     "银行流水号最多64字，不含不可见字符",
	"invalid_request/reason":       "原因最多128字，不含不可见字符",
	"not_found/village":            "该村尚未登记，请先登记村或核对村编号",
	"not_found/household":          "该户未登记或不在本批次中，请核对户编号",
	"not_found":                    "所指记录不存在",
	"duplicate/id":                 "户编号重复",
	"duplicate_id_number":          "身份证号重复，一人只能是本县一户的户主",
	"duplicate_line":               "同一户出现了两次",
	"household_removed":            "该户已清退，不能发放",
	"invalid_bank_result":          "该行的银行结果不能这样改",
	"invalid_request":              "内容有误",
}
