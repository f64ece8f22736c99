package reports

import (
	"fmt"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func layoutDoc() *pdfDoc {
	d := &pdfDoc{c: newPDFCanvas(pageW, pageH), rep: &Report{Title: "layout"}}
	d.dc = draw.New(d.c)
	d.startPage(true)
	return d
}

func gridRows(n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprint("run ", i), "0.5"}
	}
	return rows
}

// A table that fits a page is never split: when it does not fit what is
// left of the page it starts on the next one, so no page holds a stray
// last row. A table longer than a page is split, its header repeated.
func TestGridLayoutAcrossPages(t *testing.T) {
	rowH := gridRowHeight(8)
	perPage := int((pageH - 2*pageMargin) / rowH) // header included
	cases := []struct {
		name      string
		startY    vg.Length
		rows      int
		wantPages int
		wantY     vg.Length
	}{
		{"fits where it starts", pageMargin, 5, 1, pageMargin + 6*rowH},
		{"moved whole to the next page", pageH - pageMargin - 3*rowH, 5, 2, pageMargin + 6*rowH},
		{"longer than a page: split, header repeated", pageMargin, perPage + 3, 2, pageMargin + 5*rowH},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := layoutDoc()
			d.y = c.startY
			d.grid([]string{"run", "score"}, gridRows(c.rows), nil, 8)
			if d.page != c.wantPages {
				t.Errorf("pages %d, want %d", d.page, c.wantPages)
			}
			if diff := float64(d.y - c.wantY); diff > 0.01 || diff < -0.01 {
				t.Errorf("cursor at %.2f after the grid, want %.2f", d.y, c.wantY)
			}
		})
	}
}
