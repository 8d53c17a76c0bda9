package console

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/fundledger/fundledger/domain"
)

// formField is one input of a command's form, made from the command's
// body type: its JSON name (nested fields as "control.count"), its Chinese
// label and the input it needs.
type formField struct {
	Name     string
	Label    string
	Kind     string // text, amount, int, bool, select, date, lines, param
	Options  []option
	Required bool
	Columns  []string // lines: the JSON names of a line's fields, in order
	Hint     string
	Value    string
	Checked  bool
	Bad      bool // the API named this field in its refusal
}

type option struct{ Value, Label string }

var amountType = reflect.TypeOf(domain.AmountText(""))

// fieldsOf lists the inputs of a command: its path parameter first (the
// record it acts on), then every JSON field of its body type, in order. A
// field added to a command's type (a business date, a re-issue) appears
// in its form with no change here.
func fieldsOf(d domain.CommandSpec) []formField {
	var out []formField
	if d.Param != "" {
		out = append(out, formField{Name: "_param", Label: label(d.Param), Kind: "param", Required: true})
	}
	return append(out, structFields(reflect.TypeOf(d.Body), "")...)
}

func structFields(t reflect.Type, prefix string) []formField {
	var out []formField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, omit, ok := jsonName(sf)
		if !ok {
			continue
		}
		full := prefix + name
		f := formField{Name: full, Label: label(full), Required: !omit}
		switch {
		case sf.Type == amountType:
			f.Kind, f.Hint = "amount", "元，最多两位小数"
		case sf.Type.Kind() == reflect.String && name == "date":
			f.Kind, f.Hint = "date", "不填为今天"
		case sf.Type.Kind() == reflect.String:
			f.Kind = "text"
			if vals, ok := enumValues[t.Name()+"."+name]; ok {
				f.Kind = "select"
				for _, v := range vals {
					f.Options = append(f.Options, option{v, valueLabel(v)})
				}
			}
		case sf.Type.Kind() == reflect.Int:
			f.Kind = "int"
		case sf.Type.Kind() == reflect.Bool:
			f.Kind = "bool"
		case sf.Type.Kind() == reflect.Struct:
			out = append(out, structFields(sf.Type, full+".")...)
			continue
		case sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct:
			f.Kind = "lines"
			var labels []string
			for j := 0; j < sf.Type.Elem().NumField(); j++ {
				if n, _, ok := jsonName(sf.Type.Elem().Field(j)); ok {
					f.Columns = append(f.Columns, n)
					l := label(n)
					if vals, ok := enumValues[sf.Type.Elem().Name()+"."+n]; ok {
						l += "（" + strings.Join(vals, "/") + "）"
					}
					labels = append(labels, l)
				}
			}
			f.Hint = "每行一条，用逗号或制表符分隔（可从 Excel 复制粘贴）：" + strings.Join(labels, "，")
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// jsonName answers a struct field's JSON name and whether it is omitempty;
// false for a field JSON does not carry (path parameters are `json:"-"`).
func jsonName(sf reflect.StructField) (string, bool, bool) {
	if !sf.IsExported() {
		return "", false, false
	}
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = sf.Name
	}
	return name, strings.Contains(opts, "omitempty"), true
}

// fillForm sets the fields' values from a posted form and marks the field
// the API refused.
func fillForm(fields []formField, vals url.Values, badField, param string) {
	for i := range fields {
		f := &fields[i]
		f.Value = vals.Get(f.Name)
		if _, personal := masked(f.Name, f.Value); personal {
			// Never written back into a page: the clerk types it again.
			f.Value, f.Hint = "", "为保护个人信息，提交后不回显，如被退回请重新填写"
		}
		f.Checked = f.Kind == "bool" && vals.Get(f.Name) != ""
		f.Bad = badField != "" && names(f.Name, badField)
		if f.Kind == "param" {
			f.Bad = badField != "" && (badField == f.Name || badField == param)
		}
	}
}

// names reports whether the API's field path (amount, control,
// lines[3].household) names form field name.
func names(name, field string) bool {
	if name == "_param" {
		return false
	}
	return field == name || strings.HasPrefix(field, name+"[") || strings.HasPrefix(field, name+".") ||
		strings.HasPrefix(name, field+".")
}

// fieldError is a value the console itself could not read (a count that
// is not a number): the form is shown again with the field marked.
type fieldError struct {
	Field, Message string
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Message }

// bodyOf turns a posted form into the command's JSON body, typed as the
// body type says; the API decodes and checks it like any other request.
func bodyOf(d domain.CommandSpec, vals url.Values) ([]byte, error) {
	m, err := structValue(reflect.TypeOf(d.Body), "", func(name string) string { return strings.TrimSpace(vals.Get(name)) })
	if err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

func structValue(t reflect.Type, prefix string, get func(string) string) (map[string]any, error) {
	m := map[string]any{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, omit, ok := jsonName(sf)
		if !ok {
			continue
		}
		full := prefix + name
		switch {
		case sf.Type.Kind() == reflect.Struct:
			v, err := structValue(sf.Type, full+".", get)
			if err != nil {
				return nil, err
			}
			m[name] = v
		case sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct:
			lines, err := linesValue(sf.Type.Elem(), full, get(full))
			if err != nil {
				return nil, err
			}
			m[name] = lines
		default:
			v, set, err := scalar(sf.Type, full, get(full), omit)
			if err != nil {
				return nil, err
			}
			if set {
				m[name] = v
			}
		}
	}
	return m, nil
}

// scalar converts one text value to its JSON value; set is false for an
// empty optional value, which is left out.
func scalar(t reflect.Type, name, v string, omit bool) (any, bool, error) {
	switch t.Kind() {
	case reflect.Bool:
		return v != "", true, nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		if v == "" {
			return nil, false, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, false, &fieldError{name, "须填写整数"}
		}
		return n, true, nil
	case reflect.String:
		if v == "" && omit {
			return nil, false, nil
		}
		return v, true, nil
	}
	return nil, false, nil
}

// linesValue reads a lines textarea: one line per row, cells separated by
// tabs (pasted from Excel) or commas, in the order of the line type's
// fields.
func linesValue(t reflect.Type, name, text string) ([]map[string]any, error) {
	type col struct {
		name string
		typ  reflect.Type
		omit bool
	}
	var cols []col
	for i := 0; i < t.NumField(); i++ {
		if n, omit, ok := jsonName(t.Field(i)); ok {
			cols = append(cols, col{n, t.Field(i).Type, omit})
		}
	}
	out := []map[string]any{}
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		sep := ","
		if strings.Contains(line, "\t") {
			sep = "\t"
		}
		cells := strings.Split(line, sep)
		if len(cells) > len(cols) {
			return nil, &fieldError{name, fmt.Sprintf("第 %d 行有 %d 项，多于 %d 项", i+1, len(cells), len(cols))}
		}
		m := map[string]any{}
		for j, c := range cols {
			v := ""
			if j < len(cells) {
				v = strings.TrimSpace(cells[j])
			}
			val, set, err := scalar(c.typ, name, v, c.omit)
			if err != nil {
				return nil, &fieldError{name, fmt.Sprintf("第 %d 行：%s%s", i+1, label(c.name), err.(*fieldError).Message)}
			}
			if set {
				m[c.name] = val
			}
		}
		out = append(out, m)
	}
	return out, nil
}
