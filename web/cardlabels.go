package web

import (
	"bytes"
	"iter"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// On a phone a list's table is shown as one card per row (app.css, the
// "Phones" block): each cell on its own line, led by its column's name.
// The names come from the table's header row, so the templates keep one
// header and the cards cannot disagree with it: labelCells copies each
// header cell's text into a data-label attribute on the cells of its
// column and marks the table data-cards. CSS shows the label with
// td::before { content: attr(data-label) } below 640 px only; the desktop
// and print layouts ignore both attributes.
//
// Only tables of class "grid" with one plain header row (no rowspan or
// colspan) become cards; a matrix such as the scorecard keeps its grid
// and scrolls sideways inside itself. A cell that spans several columns
// gets no label, nor does a footer row's first cell. The input is html/template's output, so the header
// text is already escaped; a label never contains a tag or a raw quote.
func labelCells(page []byte) []byte {
	if !bytes.Contains(page, []byte("<thead")) {
		return page
	}
	type table struct {
		open     int // input offset just after "<table"
		grid     bool
		headRows int
		plain    bool // header has no rowspan or colspan
		labels   []string
		section  string // thead, tbody, tfoot
		col      int
		thStart  int // offset after an open header <th …>, or -1
	}
	type edit struct {
		at  int
		ins string
	}
	var (
		stack []*table
		edits []edit
	)
	for m := range tableTags(page) {
		closing := m[3] > m[2]
		name := string(page[m[4]:m[5]])
		attrs := string(page[m[6]:m[7]])
		if name == "table" {
			if closing {
				if n := len(stack); n > 0 {
					t := stack[n-1]
					stack = stack[:n-1]
					if t.grid && t.plain && t.headRows == 1 && len(t.labels) > 0 {
						edits = append(edits, edit{t.open, " data-cards"})
					}
				}
				continue
			}
			stack = append(stack, &table{open: m[4] + len("table"), grid: hasClass(attrs, "grid"), plain: true, thStart: -1, section: "tbody"})
			continue
		}
		if len(stack) == 0 {
			continue
		}
		t := stack[len(stack)-1]
		switch name {
		case "thead", "tbody", "tfoot":
			if !closing {
				t.section = name
			} else {
				t.section = "tbody"
			}
		case "tr":
			if !closing {
				t.col = 0
				if t.section == "thead" {
					t.headRows++
				}
			}
		case "th", "td":
			if t.section == "thead" {
				if !closing {
					if strings.Contains(attrs, "rowspan") || strings.Contains(attrs, "colspan") {
						t.plain = false
					}
					t.thStart = m[1]
				} else if t.thStart >= 0 {
					t.labels = append(t.labels, cellText(page[t.thStart:m[0]]))
					t.thStart = -1
				}
				continue
			}
			if closing || !t.grid || !t.plain || t.headRows != 1 {
				continue
			}
			span := colspan(attrs)
			// A footer's first cell names the row (合计), not the column.
			first := t.section == "tfoot" && t.col == 0
			if span == 1 && !first && t.col < len(t.labels) && t.labels[t.col] != "" && !strings.Contains(attrs, "data-label") {
				edits = append(edits, edit{m[5], ` data-label="` + t.labels[t.col] + `"`})
			}
			t.col += span
		}
	}
	if len(edits) == 0 {
		return page
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].at < edits[j].at })
	var out bytes.Buffer
	out.Grow(len(page) + 32*len(edits))
	last := 0
	for _, e := range edits {
		out.Write(page[last:e.at])
		out.WriteString(e.ins)
		last = e.at
	}
	out.Write(page[last:])
	return out.Bytes()
}

// tableTags yields each table tag of page (<table|thead|tbody|tfoot|tr|th|td
// …>, opening or closing) as the offsets of the regular expression
// <(/?)(table|thead|tbody|tfoot|tr|th|td)\b([^>]*)> would give: the whole
// tag, the slash, the name, the attributes. A scan for '<' instead of that
// expression: it runs over every page a list renders (a fifth of a list
// request's CPU when it was the expression).
func tableTags(page []byte) iter.Seq[[8]int] {
	return func(yield func([8]int) bool) {
		for i := 0; i < len(page); {
			j := bytes.IndexByte(page[i:], '<')
			if j < 0 {
				return
			}
			start := i + j
			i = start + 1
			k := i
			if k < len(page) && page[k] == '/' {
				k++
			}
			name := k
			for k < len(page) && page[k] >= 'a' && page[k] <= 'z' {
				k++
			}
			switch string(page[name:k]) {
			case "table", "thead", "tbody", "tfoot", "tr", "th", "td":
			default:
				continue
			}
			if k < len(page) && isWordByte(page[k]) { // <tdx>, <th1>: not a table tag
				continue
			}
			gt := bytes.IndexByte(page[k:], '>')
			if gt < 0 {
				return
			}
			end := k + gt + 1
			if !yield([8]int{start, end, start + 1, name, name, k, k, end - 1}) {
				return
			}
			i = end
		}
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

var (
	anyTag   = regexp.MustCompile(`<[^>]*>`)
	spanAttr = regexp.MustCompile(`colspan="?(\d+)`)
)

// cellText is a header cell's text without its tags, spaces collapsed,
// and without a sorted column's ▲/▼ (see sortLink).
func cellText(b []byte) string {
	s := anyTag.ReplaceAllString(string(b), "")
	s = strings.Join(strings.Fields(strings.NewReplacer("▲", "", "▼", "").Replace(s)), " ")
	return strings.NewReplacer(`"`, "&#34;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func colspan(attrs string) int {
	if m := spanAttr.FindStringSubmatch(attrs); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			return n
		}
	}
	return 1
}

func hasClass(attrs, class string) bool {
	i := strings.Index(attrs, `class="`)
	if i < 0 {
		return false
	}
	rest := attrs[i+len(`class="`):]
	if j := strings.IndexByte(rest, '"'); j >= 0 {
		rest = rest[:j]
	}
	for _, c := range strings.Fields(rest) {
		if c == class {
			return true
		}
	}
	return false
}
