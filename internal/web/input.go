package web

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// input is one labelled form control, drawn by HTML.
type input struct {
	ID, Name, Label, Type, Hint, Error, Blank string
	Values                                    []string
	Options                                   []option
	Required, Multiple                        bool
	Rows                                      int
}

// Input describes field name of form formID: the submitted value when that
// form comes back with errors, otherwise defaults[name]. Errors of the
// field's parts (milestones.2.due_on) show on the field.
func (p pageData) Input(formID, name, labelKey string, defaults url.Values) input {
	in := input{ID: formID + "-" + strings.ReplaceAll(name, ".", "_"), Name: name, Label: p.T(labelKey), Type: "text",
		Values: defaults[name], Blank: p.T("plans.ui.choose")}
	if p.Form.ID != formID {
		return in
	}
	if p.Form.Values != nil {
		in.Values = p.Form.Values[name]
	}
	in.Error = p.Form.Errors[name]
	for f, msg := range p.Form.Errors {
		if in.Error == "" && strings.HasPrefix(f, name+".") {
			in.Error = msg
		}
	}
	return in
}

// Defaults are one field's default value, for a form's Input.
func (p pageData) Defaults(name, value string) url.Values { return url.Values{name: {value}} }

// Value is the control's (first) value.
func (in input) Value() string {
	if len(in.Values) == 0 {
		return ""
	}
	return in.Values[0]
}

// Has reports whether v is among the control's values.
func (in input) Has(v string) bool { return slices.Contains(in.Values, v) }

// Req marks the control required.
func (in input) Req() input { in.Required = true; return in }

// Of sets the input type: date, number, checkbox, file.
func (in input) Of(typ string) input { in.Type = typ; return in }

// Lines makes the control a text area of n rows.
func (in input) Lines(n int) input { in.Rows = n; return in }

// Pick makes the control a select of opts.
func (in input) Pick(opts []option) input { in.Options = opts; return in }

// PickMany makes the control a select of several of opts.
func (in input) PickMany(opts []option) input {
	in.Options, in.Multiple = opts, true
	return in
}

// Note adds a hint under the control.
func (in input) Note(hint string) input { in.Hint = hint; return in }

// HTML draws the control in its row: label, control, hint and error.
// Built here rather than by a template: every form and filter has several,
// and as template actions (a unit select has hundreds of options) they were
// most of a list page's work.
func (in input) HTML() template.HTML {
	var b strings.Builder
	b.Grow(512 + len(in.Options)*optionSize)
	esc := func(s string) { b.WriteString(template.HTMLEscapeString(s)) }
	attr := func(name, v string) {
		b.WriteByte(' ')
		b.WriteString(name)
		b.WriteString(`="`)
		esc(v)
		b.WriteByte('"')
	}
	b.WriteString(`<div class="row">` + "\n  ")
	switch {
	case in.Type == "checkbox":
		b.WriteString(`<label class="check"`)
		attr("for", in.ID)
		b.WriteString(`><input type="checkbox"`)
		attr("id", in.ID)
		attr("name", in.Name)
		b.WriteString(` value="true"`)
		if in.Has("true") {
			b.WriteString(" checked")
		}
		b.WriteString(in.aria() + "> ")
		esc(in.Label)
		b.WriteString("</label>")
	default:
		b.WriteString("<label")
		attr("for", in.ID)
		b.WriteByte('>')
		esc(in.Label)
		b.WriteString("</label>\n  ")
		switch {
		case len(in.Options) > 0:
			b.WriteString("<select")
			attr("id", in.ID)
			attr("name", in.Name)
			if in.Multiple {
				b.WriteString(" multiple")
			}
			in.required(&b)
			b.WriteString(in.aria() + ">")
			in.options(&b)
			b.WriteString("</select>")
		case in.Rows > 0:
			b.WriteString("<textarea")
			attr("id", in.ID)
			attr("name", in.Name)
			attr("rows", strconv.Itoa(in.Rows))
			in.required(&b)
			b.WriteString(in.aria() + ">")
			esc(in.Value())
			b.WriteString("</textarea>")
		case in.Type == "file":
			b.WriteString("<input")
			attr("id", in.ID)
			attr("name", in.Name)
			b.WriteString(` type="file" multiple accept=".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.txt,.csv"` + in.aria() + ">")
		default:
			b.WriteString("<input")
			attr("id", in.ID)
			attr("name", in.Name)
			attr("type", in.Type)
			attr("value", in.Value())
			if in.Type == "number" {
				b.WriteString(` step="any"`)
			}
			in.required(&b)
			b.WriteString(in.aria() + ">")
		}
	}
	b.WriteString("\n  " + in.notes() + "\n</div>")
	return template.HTML(b.String())
}

func (in input) required(b *strings.Builder) {
	if in.Required {
		b.WriteString(" required")
	}
}

// optionSize is about what an option takes drawn (a unit's id and name),
// to size the buffer once: a unit select has hundreds.
const optionSize = 64

// options draws a select's options, the blank one first unless several
// can be chosen. Written piece by piece: joining the pieces first made
// two strings per option.
func (in input) options(b *strings.Builder) {
	if !in.Multiple {
		b.WriteString(`<option value="">`)
		b.WriteString(template.HTMLEscapeString(in.Blank))
		b.WriteString(`</option>`)
	}
	for _, o := range in.Options {
		b.WriteString(`<option value="`)
		b.WriteString(template.HTMLEscapeString(o.Value))
		b.WriteByte('"')
		if in.Has(o.Value) {
			b.WriteString(" selected")
		}
		b.WriteByte('>')
		b.WriteString(template.HTMLEscapeString(o.Text))
		b.WriteString("</option>")
	}
}

// Aria ties a control written by hand to its hint and error (the
// "field-aria" template), as HTML does for its own controls.
func (in input) Aria() template.HTMLAttr { return template.HTMLAttr(in.aria()) }

func (in input) aria() string {
	id := template.HTMLEscapeString(in.ID)
	s := ` aria-describedby="`
	if in.Hint != "" {
		s += id + "-hint "
	}
	s += id + `-err"`
	if in.Error != "" {
		s += ` aria-invalid="true"`
	}
	return s
}

// Notes draws the control's hint and error (the "field-notes" template).
func (in input) Notes() template.HTML { return template.HTML(in.notes()) }

func (in input) notes() string {
	id := template.HTMLEscapeString(in.ID)
	s := ""
	if in.Hint != "" {
		s = `<span id="` + id + `-hint" class="muted">` + template.HTMLEscapeString(in.Hint) + "</span>"
	}
	s += `<span id="` + id + `-err">`
	if in.Error != "" {
		s += `<span class="field-error" role="alert">` + template.HTMLEscapeString(in.Error) + "</span>"
	}
	return s + "</span>"
}
