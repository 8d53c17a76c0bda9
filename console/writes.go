package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/fundledger/fundledger/domain"
)

// formData is a command's form: the command, its fields (values kept after
// a refusal, the refused field marked), and after success what was written.
type formData struct {
	Spec   domain.CommandSpec
	Title  string
	Action string
	Fields []formField
	Idem   string
	Upload bool // the command also takes an Excel file
	Done   *writeDone
}

// writeDone is what a successful write answered.
type writeDone struct {
	Seq      uint64 `json:"seq"`
	Hash     string `json:"hash"`
	Replayed bool
	Record   string // console path of the record written, if it has a page
}

// recordOf names the list of the record a command creates, by its id field.
var recordOf = map[string]string{
	"register_village": "villages", "register_household": "households", "allocate": "funds",
	"integrate": "funds", "approve_project": "projects", "payout_batch": "payout-batches",
}

// writeIndex lists every command of the catalogue a clerk can record here.
func (c *Console) writeIndex(w http.ResponseWriter, r *http.Request, s *session) {
	var groups []struct {
		Kind  string
		Links []cmdLink
	}
	for _, k := range []string{"", "households", "projects", "payout-batches", "findings"} {
		if ls := c.commandsFor(k); len(ls) > 0 {
			groups = append(groups, struct {
				Kind  string
				Links []cmdLink
			}{k, ls})
		}
	}
	p := c.newPage(r, s, "录入", groups)
	p.Section = "write"
	c.render(w, r, http.StatusOK, "writes.html", p)
}

// writeForm shows a command's form (GET, prefilled from the query) or
// sends it to the API (POST) and shows what it answered.
func (c *Console) writeForm(w http.ResponseWriter, r *http.Request, s *session) {
	d, ok := command(r.PathValue("cmd"))
	if !ok || d.Name == "open_ledger" {
		c.fail(w, r, s, http.StatusNotFound, "没有这项录入", "")
		return
	}
	c.commandForm(w, r, s, d, r.PathValue("ledger"))
}

// openForm is the form that opens a new ledger.
func (c *Console) openForm(w http.ResponseWriter, r *http.Request, s *session) {
	d, _ := command("open_ledger")
	c.commandForm(w, r, s, d, "")
}

func (c *Console) commandForm(w http.ResponseWriter, r *http.Request, s *session, d domain.CommandSpec, l string) {
	fd := &formData{Spec: d, Title: commandTitle(d), Fields: fieldsOf(d), Idem: randomToken()}
	fd.Action = "/console/open"
	if l != "" {
		fd.Action = "/console/l/" + url.PathEscape(l) + "/write/" + d.Name
	}
	_, fd.Upload = c.uploadRoute(d)
	p := c.newPage(r, s, fd.Title, fd)
	p.Section = "write"
	if r.Method == http.MethodGet {
		fillForm(fd.Fields, r.URL.Query(), "", d.Param)
		c.render(w, r, http.StatusOK, "form.html", p)
		return
	}
	fillForm(fd.Fields, r.PostForm, "", d.Param)
	status, err := c.submit(r, s, d, l, fd)
	if err != nil {
		var fe *fieldError
		var ae *apiError
		switch {
		case errors.As(err, &fe):
			name := label(fe.Field)
			if fe.Field == "_param" {
				name = label(d.Param)
			}
			p.Err = &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Message: name + "：" + fe.Message, Field: fe.Field}
		case errors.As(err, &ae):
			if ae.Status == http.StatusUnauthorized {
				c.apiFail(w, r, s, ae)
				return
			}
			p.Err = ae
		}
		fillForm(fd.Fields, r.PostForm, p.Err.Field, d.Param)
		c.render(w, r, status, "form.html", p)
		return
	}
	// Written: a blank form for the next entry, the record kept.
	fillForm(fd.Fields, url.Values{"_param": {r.PostFormValue("_param")}}, "", d.Param)
	fd.Idem = randomToken()
	p.Notice = "已记账。"
	c.render(w, r, http.StatusOK, "form.html", p)
}

// submit sends the posted form as the command's request to the API, with
// the form's Idempotency-Key, so a form sent twice writes once.
func (c *Console) submit(r *http.Request, s *session, d domain.CommandSpec, l string, fd *formData) (int, error) {
	path := strings.Replace(d.Path, ":ledger", url.PathEscape(l), 1)
	if d.Param != "" {
		id := strings.TrimSpace(r.PostFormValue("_param"))
		if id == "" {
			return http.StatusBadRequest, &fieldError{"_param", "请填写" + label(d.Param)}
		}
		path = strings.Replace(path, ":id", url.PathEscape(id), 1)
	}
	body, err := bodyOf(d, r.PostForm)
	if err != nil {
		return http.StatusBadRequest, err
	}
	key := r.PostFormValue("idem")
	if key != "" {
		key = "console-" + key
	}
	a := c.call(r, s, d.Method, path, nil, "application/json", body, "Idempotency-Key", key)
	if e := a.failure(); e != nil {
		return e.Status, e
	}
	var done writeDone
	_ = json.Unmarshal(a.Body, &done)
	done.Replayed = a.Header.Get("Idempotent-Replayed") == "true"
	c.log.Info("console: write", "actor", s.principal.ID, "command", d.Name, "ledger", l, "seq", done.Seq)
	if kind, ok := recordOf[d.Name]; ok {
		var id struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(body, &id)
		if id.ID != "" {
			done.Record = "r/" + kind + "/" + url.PathEscape(id.ID)
		}
	} else if kind := paramKinds[d.Param]; kind != "" && kind != "findings" {
		done.Record = "r/" + kind + "/" + url.PathEscape(r.PostFormValue("_param"))
	}
	if d.Name == "open_ledger" {
		var code struct {
			Code string `json:"code"`
		}
		_ = json.Unmarshal(body, &code)
		done.Record = "/console/l/" + url.PathEscape(code.Code) + "/"
	}
	fd.Done = &done
	return http.StatusOK, nil
}
