package console

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/domain"
)

const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// pendingUpload is a file previewed and not yet committed: the commit
// sends these exact bytes with these exact fields.
type pendingUpload struct {
	id          string
	ledger      string
	command     string
	param       string
	query       url.Values
	name        string
	contentType string
	file        []byte
	count       int // rows of the file, as the dry run counted them
}

// uploadData is an upload's form, preview or outcome.
type uploadData struct {
	Spec      domain.CommandSpec
	Title     string
	Param     string // the path parameter's label, when the route has one
	ParamVal  string
	Fields    []formField
	FileName  string
	Count     int  // rows written, as the preview counted them
	Records   bool // the commit's link goes to a list, not one record
	UploadID  string
	Checked   *dryRunView // what the API's dry run answered
	Done      *writeDone
	Committed bool
}

// uploadSpec answers the command of the request and its upload route.
func (c *Console) uploadSpec(w http.ResponseWriter, r *http.Request, s *session) (domain.CommandSpec, api.Route, bool) {
	d, ok := command(r.PathValue("cmd"))
	if ok {
		if rt, up := c.uploadRoute(d); up {
			return d, rt, true
		}
	}
	c.fail(w, r, s, http.StatusNotFound, "没有这项导入", "这项录入不接受 Excel 文件。")
	return d, api.Route{}, false
}

// uploadFields are the fields an upload takes beside its file: the query
// parameters of the API's route (the batch's id, fund, control totals …).
func uploadFields(d domain.CommandSpec, rt api.Route) []formField {
	required := map[string]bool{}
	for _, f := range fieldsOf(d) {
		required[strings.ReplaceAll(f.Name, ".", "_")] = f.Required
	}
	var out []formField
	for _, q := range rt.Query {
		if q == "dry_run" || q == "as_of" {
			continue
		}
		f := formField{Name: q, Label: label(q), Kind: "text", Required: required[q]}
		switch {
		case strings.Contains(q, "amount") || q == "standard":
			f.Kind, f.Hint = "amount", "元，最多两位小数"
		case strings.Contains(q, "count"):
			f.Kind = "int"
		case q == "date":
			f.Kind, f.Hint = "date", "不填为今天"
		}
		out = append(out, f)
	}
	return out
}

func (c *Console) newUpload(r *http.Request, s *session, d domain.CommandSpec, rt api.Route, vals url.Values) (*page, *uploadData) {
	ud := &uploadData{Spec: d, Title: commandTitle(d) + "（Excel 导入）", Fields: uploadFields(d, rt)}
	if d.Param != "" {
		ud.Param, ud.ParamVal = label(d.Param), vals.Get("_param")
	}
	fillForm(ud.Fields, vals, "", d.Param)
	p := c.newPage(r, s, ud.Title, ud)
	p.Section = "write"
	return p, ud
}

// uploadForm shows the upload form of a command whose route takes files.
func (c *Console) uploadForm(w http.ResponseWriter, r *http.Request, s *session) {
	d, rt, ok := c.uploadSpec(w, r, s)
	if !ok {
		return
	}
	p, _ := c.newUpload(r, s, d, rt, r.URL.Query())
	c.render(w, r, http.StatusOK, "upload.html", p)
}

// uploadPreview sends the uploaded file to the API with dry_run=true and
// shows what the ledger answered: the records the file would write, or
// every refused row (row as Excel numbers it, column, reason). Nothing is
// written. An accepted file is kept in the session so that the commit
// sends these exact bytes with these exact fields.
func (c *Console) uploadPreview(w http.ResponseWriter, r *http.Request, s *session) {
	d, rt, ok := c.uploadSpec(w, r, s)
	if !ok {
		return
	}
	p, ud := c.newUpload(r, s, d, rt, r.PostForm)
	file, name, err := formFile(r)
	if err != nil {
		p.Err = &apiError{Status: http.StatusBadRequest, Code: "invalid_file", Message: err.Error(), Field: "file"}
		c.render(w, r, http.StatusBadRequest, "upload.html", p)
		return
	}
	u := &pendingUpload{id: randomToken(), ledger: r.PathValue("ledger"), command: d.Name, param: ud.ParamVal,
		query: url.Values{}, name: name, contentType: fileType(name, file), file: file}
	for _, f := range ud.Fields {
		if f.Value != "" {
			u.query.Set(f.Name, f.Value)
		}
	}
	ud.FileName = name
	a := c.sendUpload(r, s, d, u, true)
	if e := a.failure(); e != nil {
		c.uploadRefused(w, r, s, p, ud, e, r.PostForm)
		return
	}
	if ud.Checked, err = readDryRun(a.Body); err != nil {
		c.apiFail(w, r, s, &apiError{Status: http.StatusBadGateway, Code: "bad_answer", Message: "the API's dry run could not be read: " + err.Error()})
		return
	}
	u.count = ud.Checked.Count
	c.sessions.setUpload(s, u)
	ud.UploadID = u.id
	c.render(w, r, http.StatusOK, "upload.html", p)
}

// uploadRefused shows the API's refusal of a file (its rows, when it
// lists them) above the upload form, filled in again but for the file.
func (c *Console) uploadRefused(w http.ResponseWriter, r *http.Request, s *session, p *page, ud *uploadData, e *apiError, vals url.Values) {
	if e.Status == http.StatusUnauthorized {
		c.apiFail(w, r, s, e)
		return
	}
	p.Err = e
	fillForm(ud.Fields, vals, e.Field, ud.Spec.Param)
	c.render(w, r, e.Status, "upload.html", p)
}

// uploadCommit sends the previewed file to the API for real.
func (c *Console) uploadCommit(w http.ResponseWriter, r *http.Request, s *session) {
	d, rt, ok := c.uploadSpec(w, r, s)
	if !ok {
		return
	}
	u, ok := c.sessions.takeUpload(s, r.PostFormValue("upload"))
	if !ok || u.command != d.Name || u.ledger != r.PathValue("ledger") {
		c.fail(w, r, s, http.StatusConflict, "预览已失效", "这份文件已经提交过，或已被新的上传替换。请重新上传。")
		return
	}
	vals := url.Values{"_param": {u.param}}
	for k, v := range u.query {
		vals[k] = v
	}
	p, ud := c.newUpload(r, s, d, rt, vals)
	ud.FileName = u.name
	a := c.sendUpload(r, s, d, u, false)
	if e := a.failure(); e != nil {
		c.uploadRefused(w, r, s, p, ud, e, vals)
		return
	}
	var done writeDone
	_ = json.Unmarshal(a.Body, &done)
	done.Replayed = a.Header.Get("Idempotent-Replayed") == "true"
	if kind, ok := recordOf[d.Name]; ok && u.query.Get("id") != "" {
		done.Record = "r/" + kind + "/" + url.PathEscape(u.query.Get("id"))
	} else if kind := paramKinds[d.Param]; kind != "" && u.param != "" {
		done.Record = "r/" + kind + "/" + url.PathEscape(u.param)
	} else if d.Name == "register_households" {
		done.Record, ud.Records = "list/households", true
	}
	ud.Count = u.count
	c.log.Info("console: upload", "actor", s.principal.ID, "command", d.Name, "ledger", u.ledger, "file", u.name, "seq", done.Seq)
	ud.Done, ud.Committed = &done, true
	c.render(w, r, http.StatusOK, "upload.html", p)
}

// sendUpload posts the file to the command's route as its raw body with
// its type, the fields in the query, dry_run when asked.
func (c *Console) sendUpload(r *http.Request, s *session, d domain.CommandSpec, u *pendingUpload, dry bool) answer {
	path := strings.Replace(d.Path, ":ledger", url.PathEscape(u.ledger), 1)
	path = strings.Replace(path, ":id", url.PathEscape(u.param), 1)
	q := url.Values{}
	for k, v := range u.query {
		q[k] = v
	}
	key := "console-upload-" + u.id
	if dry {
		q.Set("dry_run", "true")
		key = ""
	}
	return c.call(r, s, d.Method, path, q, u.contentType, u.file, "Idempotency-Key", key)
}

// formFile reads the posted file (part "file"), bounded by the API's limit.
func formFile(r *http.Request) ([]byte, string, error) {
	f, h, err := r.FormFile("file")
	if err != nil {
		return nil, "", errNoFile
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, api.MaxUpload+1))
	if err != nil {
		return nil, "", err
	}
	if len(b) > api.MaxUpload {
		return nil, "", errTooLarge
	}
	if len(b) == 0 {
		return nil, "", errNoFile
	}
	return b, h.Filename, nil
}

type consoleError string

func (e consoleError) Error() string { return string(e) }

const (
	errNoFile   consoleError = "请选择要上传的文件（XLSX 或 CSV）"
	errTooLarge consoleError = "文件超过 16 MiB，请拆分后上传"
)

// fileType answers a file's media type: XLSX (a zip) or CSV.
func fileType(name string, b []byte) string {
	if strings.HasSuffix(strings.ToLower(name), ".xlsx") || bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return mimeXLSX
	}
	return "text/csv"
}
