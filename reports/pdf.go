package reports

import (
	"fmt"
	"image/color"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The PDF report is drawn on gonum's PDF canvas: A4 landscape pages, the
// figures as vector graphics, text in Liberation Sans.
const (
	pageW, pageH = 842, 595 // A4 landscape, points
	pageMargin   = 40
)

// Section headings of the PDF and Markdown reports (tests look for them).
const (
	SectionRuns     = "Runs"
	SectionTables   = "Comparison tables"
	SectionFigures  = "Figures"
	SectionProblems = "Input problems"
)

// pdfDoc lays text, tables and figures out page by page.
type pdfDoc struct {
	c    pdfCanvas
	dc   draw.Canvas
	y    vg.Length // distance of the cursor from the page top
	page int
	fig  int
	rep  *Report
}

// WritePDF renders the report as a multi-page PDF: a title page with the
// run metadata and configuration digests, the tables, one page per figure
// with its caption, and the input problems.
func WritePDF(w io.Writer, rep *Report) error {
	d := &pdfDoc{c: newPDFCanvas(pageW, pageH), rep: rep}
	d.dc = draw.New(d.c)
	d.startPage(true)
	d.summaryPage()
	d.newPage()
	d.titlePage()
	d.newPage()
	d.heading("1. "+SectionTables, 16)
	d.paragraph(CINote+". Shaded: the best mean of its column.", 9)
	for _, t := range rep.Tables {
		d.comparisonTable(t)
	}
	for i, f := range rep.Figures {
		d.newPage()
		if i == 0 {
			d.heading("2. "+SectionFigures, 16)
		}
		d.figure(f)
	}
	d.newPage()
	d.heading("3. "+SectionProblems, 16)
	d.problems()
	_, err := d.c.WriteTo(w)
	return err
}

// pdfText turns UTF-8 into the Windows-1252 bytes gonum's PDF fonts use,
// spelling out the symbols that code page lacks.
func pdfText(s string) string {
	s = strings.NewReplacer("≥", ">=", "≤", "<=", "√", "sqrt", "−", "-", "→", "->", "≠", "!=", "★", "*").Replace(s)
	out, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		var b strings.Builder
		for _, r := range s {
			if e, err := charmap.Windows1252.NewEncoder().String(string(r)); err == nil {
				b.WriteString(e)
			} else {
				b.WriteByte('?')
			}
		}
		return b.String()
	}
	return out
}

func style(f font.Font, size vg.Length) text.Style {
	st := textStyle(f, size)
	st.YAlign = draw.YTop
	return st
}

func (d *pdfDoc) startPage(first bool) {
	if !first {
		d.c.NextPage()
	}
	d.page++
	d.y = pageMargin
	foot := style(sans, 8)
	foot.Color = color.Gray{Y: 100}
	d.drawText(foot, pageMargin, pageH-pageMargin/2, fmt.Sprintf("%s  |  page %d", d.rep.Title, d.page))
}

func (d *pdfDoc) newPage() { d.startPage(false) }

// room starts a new page when less than h is left.
func (d *pdfDoc) room(h vg.Length) {
	if d.y+h > pageH-pageMargin {
		d.newPage()
	}
}

// keepTogether starts a new page when a block of height h does not fit
// what is left of this one but fits a whole page, so a table or a heading
// with its table is not split and no page is left holding a last row.
func (d *pdfDoc) keepTogether(h vg.Length) {
	if h <= pageH-2*pageMargin {
		d.room(h)
	}
}

// drawText writes one line with its top-left corner at (x, y from the top).
func (d *pdfDoc) drawText(st text.Style, x, y vg.Length, s string) {
	st.XAlign = draw.XLeft
	d.dc.FillText(st, vg.Point{X: x, Y: pageH - y}, pdfText(s))
}

// headingHeight is the height heading takes at size.
func headingHeight(size vg.Length) vg.Length {
	return size + style(sans, size).Height("Ag")
}

// sectionHeight is the height of a heading, a two-line note and a grid
// of n rows at size.
func sectionHeight(n int, size vg.Length) vg.Length {
	return headingHeight(11) + 2*style(sans, 8).Height("Ag") + gridHeight(n, size) + 4
}

// gridHeight is the height grid takes for n rows below the header.
func gridHeight(n int, size vg.Length) vg.Length {
	return vg.Length(n+1) * gridRowHeight(size)
}

// gridRowHeight is the height of one row of a grid at size.
func gridRowHeight(size vg.Length) vg.Length {
	return style(sans, size).Height("Ag") + 2*cellPad - 1
}

func (d *pdfDoc) heading(s string, size vg.Length) {
	st := style(sans, size)
	d.room(3 * size)
	d.y += size / 2
	d.drawText(st, pageMargin, d.y, s)
	d.y += st.Height(s) + size/2
}

// paragraph wraps s to the text width.
func (d *pdfDoc) paragraph(s string, size vg.Length) {
	d.paragraphAt(s, size, pageMargin, pageW-2*pageMargin, sans)
}

func (d *pdfDoc) paragraphAt(s string, size, x, width vg.Length, f font.Font) {
	st := style(f, size)
	lineH := st.Height("Ag") * 1.25
	for _, line := range wrap(st, s, width) {
		d.room(lineH)
		d.drawText(st, x, d.y, line)
		d.y += lineH
	}
	d.y += lineH / 3
}

// wrap breaks s into lines no wider than width.
func wrap(st text.Style, s string, width vg.Length) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if line != "" && st.Width(try) > width {
				lines = append(lines, line)
				line = word
				continue
			}
			line = try
		}
		lines = append(lines, line)
	}
	return lines
}

func (d *pdfDoc) titlePage() {
	rep := d.rep
	d.y += 30
	d.drawText(style(sans, 26), pageMargin, d.y, rep.Title)
	d.y += 40
	d.drawText(style(sans, 13), pageMargin, d.y,
		"Multi-turn agent RL: comparison of algorithms over seeds, with training-stability plots")
	d.y += 30
	labelW := vg.Length(110)
	for _, kv := range overview(rep) {
		st := style(sans, 9.5)
		d.room(14)
		d.drawText(st, pageMargin, d.y, kv[0])
		d.paragraphAt(kv[1], 9.5, pageMargin+labelW, pageW-2*pageMargin-labelW, sans)
	}
	d.y += 6
	d.heading("Contents", 13)
	for i, s := range []string{SectionTables, SectionFigures, SectionProblems} {
		d.paragraph(fmt.Sprintf("%d. %s", i+1, s), 10)
	}
	d.y += 6
	d.keepTogether(sectionHeight(len(rep.Set.Runs), 7.5) + headingHeight(13))
	d.heading(SectionRuns, 13)
	d.paragraph("One line per run; config sha256 is the first 12 hex digits of the SHA-256 of its config.yaml "+
		"(— where the run has none).", 8.5)
	d.grid(runsHeader, runRows(rep.Set), nil, 7.5)
}

// summaryPage opens the report: the question, the notes, and per suite
// the warm start, each algorithm's gain with its interval, which
// differences are significant, the budget and the training time; then the
// per-run stability figures and the failure profile by turn.
func (d *pdfDoc) summaryPage() {
	rep := d.rep
	d.y += 10
	d.drawText(style(sans, 20), pageMargin, d.y, rep.Title+": "+SectionSummary)
	d.y += 32
	if rep.Question != "" {
		d.paragraph("Question: "+rep.Question, 10)
		d.y += 4
	}
	for _, n := range rep.Notes {
		d.paragraph(n, 9)
	}
	d.y += 4
	for _, ss := range rep.Summaries {
		for i, line := range ss.SummaryLines() {
			size := vg.Length(8.5)
			if i == 0 {
				size = 10
				d.y += 4
			}
			d.paragraph(line, size)
		}
	}
	for _, ss := range rep.Summaries {
		if len(ss.Stability) > 0 {
			d.keepTogether(sectionHeight(len(ss.StabilityRows()), 7))
			d.room(80)
			d.heading("Stability per run: "+ss.Suite, 11)
			d.paragraph(fmt.Sprintf("Largest fall of the training reward from an earlier peak; policy entropy at the last step "+
				"over the first (collapse: below %.1f); steps with a gradient norm above %.0f× the run's median; whether the "+
				"last evaluation is below the first.", EntropyCollapseRatio, GradSpikeFactor), 8)
			d.grid(StabilityHeader, ss.StabilityRows(), nil, 7)
		}
		if len(ss.Failures) > 0 {
			d.keepTogether(sectionHeight(len(ss.FailureRows()), 7))
			d.room(80)
			d.heading("Failures by turn: "+ss.Suite, 11)
			d.paragraph("Last evaluation, all seeds pooled: of the failed samples of each kind of task, the share first "+
				"judged wrong at each user turn.", 8)
			d.grid(ss.FailureHeader(), ss.FailureRows(), nil, 7)
		}
	}
}

// comparisonTable draws a suite's table, splitting its metric columns over
// several blocks when they do not fit the page width.
func (d *pdfDoc) comparisonTable(t *Table) {
	header, rows := grid(t, func(s string) string { return "\x00" + s })
	per := 1
	if t.Base != "" {
		per = 2
	}
	const fixed = 2
	st := style(sans, 8)
	width := func(s string) float64 { return float64(st.Width(s) + 2*cellPad) }
	groups := chunkColumns(width, header, rows, fixed, per, pageW-2*pageMargin)
	headers, blocks := splitGrid(header, rows, groups, fixed)
	h := headingHeight(12)
	for i := range headers {
		h += gridHeight(len(blocks[i]), 8) + 8
	}
	d.keepTogether(h)
	d.room(60)
	d.heading(tableTitle(t), 12)
	for i := range headers {
		d.grid(headers[i], blocks[i], func(s string) (string, bool) { return strings.CutPrefix(s, "\x00") }, 8)
		d.y += 8
	}
}

// chunkColumns packs the metric column groups (each `per` columns wide,
// after `fixed` leading columns) into blocks no wider than width; widthOf
// measures a cell including its padding.
func chunkColumns(widthOf func(string) float64, header []string, rows [][]string, fixed, per int, width float64) [][]int {
	colW := func(i int) float64 {
		w := widthOf(header[i])
		for _, r := range rows {
			w = max(w, widthOf(strings.TrimPrefix(r[i], "\x00")))
		}
		return w
	}
	var fixedW float64
	for i := range fixed {
		fixedW += colW(i)
	}
	var groups [][]int
	var cur []int
	curW := fixedW
	for i := fixed; i < len(header); i += per {
		var gw float64
		var g []int
		for j := i; j < i+per && j < len(header); j++ {
			gw += colW(j)
			g = append(g, j)
		}
		if len(cur) > 0 && curW+gw > width {
			groups = append(groups, cur)
			cur, curW = nil, fixedW
		}
		cur = append(cur, g...)
		curW += gw
	}
	if len(cur) > 0 || len(groups) == 0 {
		groups = append(groups, cur)
	}
	return groups
}

// splitGrid applies chunkColumns: one (header, rows) block per chunk, each
// with the fixed leading columns.
func splitGrid(header []string, rows [][]string, groups [][]int, fixed int) (headers [][]string, blocks [][][]string) {
	for _, g := range groups {
		var idx []int
		for i := range fixed {
			idx = append(idx, i)
		}
		idx = append(idx, g...)
		headers = append(headers, pick(header, idx))
		var rs [][]string
		for _, r := range rows {
			rs = append(rs, pick(r, idx))
		}
		blocks = append(blocks, rs)
	}
	return headers, blocks
}

func pick(xs []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

const cellPad = vg.Length(4)

// grid draws a ruled table; bold reports (and strips) a cell's "best"
// marker, and best cells are shaded.
func (d *pdfDoc) grid(header []string, rows [][]string, bold func(string) (string, bool), size vg.Length) {
	if bold == nil {
		bold = func(s string) (string, bool) { return s, false }
	}
	reg, hdr := style(sans, size), style(sans, size)
	hdr.Color = color.Gray{Y: 40}
	widths := make([]vg.Length, len(header))
	for i, h := range header {
		widths[i] = hdr.Width(h) + 2*cellPad
	}
	for _, r := range rows {
		for i, c := range r {
			txt, b := bold(c)
			st := reg
			if b {
				st = hdr
			}
			widths[i] = max(widths[i], st.Width(txt)+2*cellPad)
		}
	}
	rowH := gridRowHeight(size)
	var drawRow func(cells []string, isHeader bool)
	drawRow = func(cells []string, isHeader bool) {
		if !isHeader && d.y+rowH+2 > pageH-pageMargin {
			d.newPage() // the rest of the grid, under its header again
			drawRow(header, true)
		}
		d.room(rowH + 2)
		x := vg.Length(pageMargin)
		if isHeader {
			var total vg.Length
			for _, w := range widths {
				total += w
			}
			d.fillRect(x, d.y, total, rowH, color.Gray{Y: 230})
		}
		for i, c := range cells {
			txt, best := bold(c)
			st := reg
			if isHeader {
				st = hdr
			}
			if best {
				d.fillRect(x, d.y, widths[i], rowH, color.RGBA{0xFF, 0xE8, 0xA0, 0xFF})
			}
			d.drawText(st, x+cellPad, d.y+cellPad-0.5, txt)
			x += widths[i]
		}
		d.hline(pageMargin, x, d.y+rowH)
		d.y += rowH
	}
	total := vg.Length(pageMargin)
	for _, w := range widths {
		total += w
	}
	d.keepTogether(gridHeight(len(rows), size) + 2)
	d.room(2 * rowH)
	d.hline(pageMargin, total, d.y)
	drawRow(header, true)
	for _, r := range rows {
		drawRow(r, false)
	}
}

func (d *pdfDoc) hline(x0, x1, y vg.Length) {
	d.dc.StrokeLine2(draw.LineStyle{Color: color.Gray{Y: 150}, Width: 0.5}, x0, pageH-y, x1, pageH-y)
}

func (d *pdfDoc) fillRect(x, y, w, h vg.Length, clr color.Color) {
	d.dc.SetColor(clr)
	r := vg.Rectangle{Min: vg.Point{X: x, Y: pageH - y - h}, Max: vg.Point{X: x + w, Y: pageH - y}}
	d.dc.Fill(r.Path())
}

// figure draws a figure scaled to the page width, then its caption.
func (d *pdfDoc) figure(f *Figure) {
	d.fig++
	availW := vg.Length(pageW - 2*pageMargin)
	availH := pageH - pageMargin - d.y - 60
	scale := min(availW/f.Width, availH/f.Height)
	w, h := f.Width*scale, f.Height*scale
	x0 := pageMargin + (availW-w)/2
	d.c.Push()
	d.c.Translate(vg.Point{X: x0, Y: pageH - d.y - h})
	d.c.Scale(float64(scale), float64(scale))
	f.Draw(draw.Canvas{Canvas: d.c, Rectangle: vg.Rectangle{Max: vg.Point{X: f.Width, Y: f.Height}}})
	d.c.Pop()
	d.y += h + 10
	d.paragraphAt(fmt.Sprintf("Figure %d (%s). %s", d.fig, f.Name, f.Caption), 9.5, pageMargin, availW, sans)
}

func (d *pdfDoc) problems() {
	ps := d.rep.Set.Problems
	if len(ps) == 0 {
		d.paragraph("None: every input line was read.", 10)
		return
	}
	d.paragraph(fmt.Sprintf("%d problems; each skipped only the line or file named.", len(ps)), 10)
	for _, p := range ps {
		d.paragraphAt("- "+p.String(), 8.5, pageMargin, pageW-2*pageMargin, sans)
	}
}
