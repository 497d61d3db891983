// Package word writes Word (.docx) documents: the bulletin (简报) as
// Chinese offices lay it out — A4, a red title block, 黑体 headings, 仿宋
// body text, page numbers “- 1 -” — with its figures box as tables.
package word

import (
	"fmt"
	"io"
	"strings"

	"github.com/gomutex/godocx"
	"github.com/gomutex/godocx/docx"
	"github.com/gomutex/godocx/wml/ctypes"
	"github.com/gomutex/godocx/wml/stypes"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/report"
)

// Fonts Chinese offices expect; Word and WPS substitute when missing.
const (
	fontSong  = "宋体"
	fontFang  = "仿宋"
	fontHei   = "黑体"
	red       = "C00000"
	footerRel = "rIdXiezuoFooter1"
)

// A4 with the margins of GB/T 9704 (twips: 1 mm ≈ 56.7).
var (
	pageW, pageH                     uint64 = 11906, 16838
	marginTop, marginBottom          int    = 2098, 1984
	marginLeft, marginRight          int    = 1588, 1474
	marginHeader, marginFooter, zero int    = 851, 992, 0
)

// Bulletin writes b as a .docx to w.
func Bulletin(w io.Writer, b *report.Bulletin) error {
	doc, err := godocx.NewDocument()
	if err != nil {
		return err
	}
	d := &writer{doc: doc}
	d.page()
	d.titleBlock(b)
	if len(b.Figures) > 0 {
		d.figures(b)
	}
	for _, s := range b.Sections() {
		d.para(fontHei, 16, false, stypes.JustificationLeft, 0, 240, 120).text("【"+s.Name+"】", fontHei, 16, false, "")
		for _, it := range s.Items {
			d.para(fontHei, 16, true, stypes.JustificationCenter, 0, 240, 120).text(it.Headline, fontHei, 16, true, "")
			for i, p := range it.Paragraphs() {
				if i == 0 && it.DateText != "" && !strings.HasPrefix(p, it.DateText) && !startsWithDate(p) {
					p = it.DateText + "，" + p
				}
				d.para(fontFang, 16, false, stypes.JustificationBoth, 640, 0, 0).text(p, fontFang, 16, false, "")
			}
		}
	}
	return doc.Write(w)
}

// startsWithDate reports whether a narrative already opens with its date
// (9月1日至4日，…), as the office writes them.
func startsWithDate(p string) bool {
	r := []rune(p)
	for i := 0; i < len(r) && i < 6; i++ {
		if r[i] == '月' {
			return i > 0
		}
		if r[i] < '0' || r[i] > '9' {
			return false
		}
	}
	return false
}

type writer struct {
	doc *docx.RootDoc
}

// page sets A4, the margins and the footer with the page number.
func (d *writer) page() {
	body := d.doc.Document.Body
	if body.SectPr == nil {
		body.SectPr = ctypes.NewSectionProper()
	}
	sp := body.SectPr
	sp.PageSize = &ctypes.PageSize{Width: &pageW, Height: &pageH}
	sp.PageMargin = &ctypes.PageMargin{Top: &marginTop, Bottom: &marginBottom, Left: &marginLeft, Right: &marginRight,
		Header: &marginHeader, Footer: &marginFooter, Gutter: &zero}
	sp.FooterReference = &ctypes.FooterReference{Type: stypes.HdrFtrDefault, ID: footerRel}
	d.doc.FileMap.Store("word/footer1.xml", []byte(footerXML))
	d.doc.Document.DocRels.Relationships = append(d.doc.Document.DocRels.Relationships, &docx.Relationship{
		ID: footerRel, Type: "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer", Target: "footer1.xml"})
	d.doc.ContentType.AddOverride("/word/footer1.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml")
}

// footerXML centres “- N -” in 宋体 四号 (14 pt), N being Word's PAGE field.
const footerXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<w:p><w:pPr><w:jc w:val="center"/></w:pPr>
<w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">- </w:t></w:r>
<w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>
<w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>
<w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>
<w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t>1</w:t></w:r>
<w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>
<w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve"> -</w:t></w:r>
</w:p></w:ftr>`

// titleBlock is the red masthead: issuer, issue number, a red rule, and
// the issue's title if it has one.
func (d *writer) titleBlock(b *report.Bulletin) {
	d.para(fontSong, 22, false, stypes.JustificationCenter, 0, 0, 240).text(b.Issuer, fontSong, 22, true, red)
	p := d.para(fontFang, 16, false, stypes.JustificationCenter, 0, 0, 240)
	p.text(b.IssueLabel(), fontFang, 16, false, "")
	size := 18
	p.p.GetCT().Property.Border = &ctypes.ParaBorder{Bottom: &ctypes.Border{Val: stypes.BorderStyleSingle, Color: strPtr(red), Size: &size, Space: strPtr("6")}}
	if b.Title != "" {
		d.para(fontHei, 18, true, stypes.JustificationCenter, 0, 240, 120).text(b.Title, fontHei, 18, false, "")
	}
	period := "本期时段：" + xiezuo.FormatDateCN(b.From) + "至" + xiezuo.FormatDateCN(b.To)
	d.para(fontFang, 12, false, stypes.JustificationCenter, 0, 0, 120).text(period, fontFang, 12, false, "595959")
}

// figures is the box the original bulletin never had: the period's totals
// as a table, and the counties' aid as bars drawn with table cells (so
// they print in Word, WPS and LibreOffice alike).
func (d *writer) figures(b *report.Bulletin) {
	d.para(fontHei, 16, true, stypes.JustificationLeft, 0, 240, 120).text("【本期数据】", fontHei, 16, false, "")
	t := d.doc.AddTable()
	t.Style("TableGrid")
	t.Width(5000, stypes.TableWidthPct)
	head := t.AddRow()
	for _, h := range []string{"指标", "数值", "单位"} {
		cell(head.AddCell(), h, true, stypes.JustificationCenter).BackgroundColor("E7EDF5")
	}
	for _, f := range b.Box() {
		r := t.AddRow()
		cell(r.AddCell(), f.Label, false, stypes.JustificationLeft)
		cell(r.AddCell(), f.Text(), false, stypes.JustificationRight)
		cell(r.AddCell(), f.Unit, false, stypes.JustificationCenter)
	}
	counties := b.Counties()
	if len(counties) == 0 {
		return
	}
	d.para(fontHei, 14, true, stypes.JustificationLeft, 0, 240, 120).text("各受援县帮扶投入（万元）", fontHei, 14, false, "")
	var hi int64
	for _, f := range counties {
		hi = max(hi, f.Value)
	}
	const full = 30 // bar characters of the largest county
	bt := d.doc.AddTable()
	bt.Style("TableGrid")
	bt.Width(5000, stypes.TableWidthPct)
	for _, f := range counties {
		r := bt.AddRow()
		cell(r.AddCell(), f.Label, false, stypes.JustificationRight).Width(2200, stypes.TableWidthDxa)
		n := 0
		if hi > 0 {
			n = int((f.Value*full + hi - 1) / hi)
		}
		bar := r.AddCell().Width(5200, stypes.TableWidthDxa)
		p := bar.AddParagraph("")
		if n > 0 {
			(&para{p: p}).text(strings.Repeat("█", n), fontSong, 10, false, "2F6DB5")
		}
		cell(r.AddCell(), f.Text(), false, stypes.JustificationRight).Width(1500, stypes.TableWidthDxa)
	}
}

func cell(c *docx.Cell, text string, bold bool, jc stypes.Justification) *docx.Cell {
	p := c.AddParagraph("")
	p.Justification(jc)
	if text != "" {
		(&para{p: p}).text(text, fontFang, 12, bold, "")
	}
	return c
}

type para struct{ p *docx.Paragraph }

// para adds a paragraph: first-line indent and spacing in twips.
func (d *writer) para(font string, size uint64, keepNext bool, jc stypes.Justification, firstLine, before, after uint64) *para {
	p := d.doc.AddParagraph("")
	p.Justification(jc)
	if firstLine > 0 {
		p.Indent(&ctypes.Indent{FirstLine: &firstLine})
	}
	p.Spacing(before, after)
	if keepNext {
		on := ctypes.OnOff{}
		p.GetCT().Property.KeepNext = &on
	}
	return &para{p: p}
}

// text adds a run in font (for Chinese and Latin text alike), size in
// points, bold, colour (hex, "" for black).
func (p *para) text(s, font string, size uint64, bold bool, color string) {
	r := p.p.AddText(s).Size(size).Font(font)
	if bold {
		r.Bold(true)
	}
	if color != "" {
		r.Color(color)
	}
	ch := p.p.GetCT().Children
	if last := ch[len(ch)-1].Run; last != nil && last.Property != nil && last.Property.Fonts != nil {
		last.Property.Fonts.EastAsia = font
	}
}

func strPtr(s string) *string { return &s }

// Filename is the bulletin's file name: 简报2020年第9、10期.docx.
func Filename(b *report.Bulletin) string {
	return fmt.Sprintf("简报%s.docx", b.IssueLabel())
}
