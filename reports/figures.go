package reports

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/seeupo/seeupo/harness/metrics"
)

// PNGDPI is the resolution of the PNG figures.
const PNGDPI = 110

// sans is the one font of every figure and of the PDF report: gonum's PDF
// canvas (v0.17) embeds every font of a document under one file name, so a
// second font (bold, mono) would be drawn with the first one's glyphs.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(f font.Font, size vg.Length) text.Style {
	return text.Style{Color: color.Black, Font: font.From(f, size), Handler: plot.DefaultTextHandler}
}

// LegendEntry is one line of a figure's legend strip.
type LegendEntry struct {
	Label  string
	Color  color.Color
	Dashes []vg.Length
}

// Figure is a titled grid of plots with one legend strip shared by all.
type Figure struct {
	Name    string // file stem
	Title   string
	Caption string
	Width   vg.Length
	Height  vg.Length
	Legend  []LegendEntry
	Plots   [][]*plot.Plot // rows of panels; a nil panel leaves its tile empty
}

// Draw renders the figure into dc.
func (f *Figure) Draw(dc draw.Canvas) {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	const pad = vg.Length(8)
	top := dc.Max.Y - pad
	title := textStyle(sans, 14)
	title.XAlign, title.YAlign = draw.XCenter, draw.YTop
	dc.FillText(title, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: top}, f.Title)
	top -= title.Height(f.Title) + 6
	top = f.drawLegend(dc, top) - 4
	body := dc
	body.Max.Y = top
	body.Min.X += pad
	body.Max.X -= pad
	body.Min.Y += pad
	cols := 0
	for _, row := range f.Plots {
		cols = max(cols, len(row))
	}
	tiles := draw.Tiles{Rows: len(f.Plots), Cols: cols, PadX: 18, PadY: 14}
	for r, row := range f.Plots {
		for c, p := range row {
			if p != nil {
				p.Draw(tiles.At(body, c, r))
			}
		}
	}
}

// drawLegend draws the entries in centred lines as wide as the figure and
// returns the y below them.
func (f *Figure) drawLegend(dc draw.Canvas, top vg.Length) vg.Length {
	if len(f.Legend) == 0 {
		return top
	}
	sty := textStyle(sans, 11)
	sty.YAlign = draw.YCenter
	const swatch, gap = vg.Length(22), vg.Length(16)
	entryW := func(e LegendEntry) vg.Length { return swatch + 4 + sty.Width(e.Label) }
	maxW := dc.Max.X - dc.Min.X - 20
	lineH := sty.Height("Ag") + 3
	for start := 0; start < len(f.Legend); {
		end, total := start, vg.Length(0)
		for end < len(f.Legend) {
			w := entryW(f.Legend[end])
			if end > start {
				w += gap
			}
			if end > start && total+w > maxW {
				break
			}
			total += w
			end++
		}
		x := (dc.Min.X+dc.Max.X)/2 - total/2
		y := top - lineH/2
		for _, e := range f.Legend[start:end] {
			ls := draw.LineStyle{Color: e.Color, Width: vg.Points(2.5), Dashes: e.Dashes}
			dc.StrokeLine2(ls, x, y, x+swatch, y)
			dc.FillText(sty, vg.Point{X: x + swatch + 4, Y: y}, e.Label)
			x += entryW(e) + gap
		}
		top -= lineH
		start = end
	}
	return top - 2
}

// Save writes the figure as <dir>/<name>.png, .svg and .pdf and returns
// the paths.
func (f *Figure) Save(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	canvases := []struct {
		ext string
		c   vg.CanvasWriterTo
	}{
		{".png", vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(PNGDPI))}},
		{".svg", vgsvg.New(f.Width, f.Height)},
		{".pdf", newPDFCanvas(f.Width, f.Height)},
	}
	var paths []string
	for _, cv := range canvases {
		f.Draw(draw.New(cv.c))
		path := filepath.Join(dir, f.Name+cv.ext)
		if err := writeTo(path, cv.c); err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func writeTo(path string, w io.WriterTo) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = w.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// newPanel makes an empty panel with the report's fonts.
func newPanel(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 12)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(sans, 10.5)
		ax.Tick.Label.Font = font.From(sans, 9.5)
		ax.Tick.Marker = niceTicker{}
	}
	p.Add(plotter.NewGrid())
	return p
}

// MinBandSeeds is the fewest seeds a curve's band is drawn for: with two,
// t(0.975, 1) = 12.7 makes the 95% interval about nine standard deviations
// wide, which says little and hides the other curves.
const MinBandSeeds = 3

// Curve is a metric's mean over seeds at each step with its 95% t-interval
// (Lo = Hi = Mean where fewer than MinBandSeeds seeds have the step).
type Curve struct {
	Steps, Mean, Lo, Hi []float64
	N                   []int
}

// curveOf aligns the runs' series by step.
func curveOf(runs []*Run, metric string) Curve {
	byStep := map[float64][]float64{}
	for _, r := range runs {
		for _, p := range seriesFor(r, metric) {
			byStep[p.X] = append(byStep[p.X], p.Y)
		}
	}
	var steps []float64
	for s := range byStep {
		steps = append(steps, s)
	}
	sort.Float64s(steps)
	var c Curve
	for _, s := range steps {
		st := Summarize(byStep[s])
		lo, hi := st.Lo(), st.Hi()
		if st.N < MinBandSeeds || math.IsNaN(st.HalfWidth) {
			lo, hi = st.Mean, st.Mean
		}
		c.Steps = append(c.Steps, s)
		c.Mean = append(c.Mean, st.Mean)
		c.Lo = append(c.Lo, lo)
		c.Hi = append(c.Hi, hi)
		c.N = append(c.N, st.N)
	}
	return c
}

// addCurve draws the mean line and its CI band (fainter when many bands
// overlap).
func addCurve(p *plot.Plot, c Curve, clr color.Color, dashes []vg.Length, crowded bool) error {
	if len(c.Steps) == 0 {
		return nil
	}
	if len(c.Steps) > 1 {
		band := make(plotter.XYs, 0, 2*len(c.Steps))
		for i := range c.Steps {
			band = append(band, plotter.XY{X: c.Steps[i], Y: c.Hi[i]})
		}
		for i := len(c.Steps) - 1; i >= 0; i-- {
			band = append(band, plotter.XY{X: c.Steps[i], Y: c.Lo[i]})
		}
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return err
		}
		r, g, b, _ := clr.RGBA()
		alpha := uint8(0x38)
		if crowded {
			alpha = 0x18
		}
		poly.Color = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), alpha}
		poly.LineStyle.Width = 0
		p.Add(poly)
	}
	xys := make(plotter.XYs, len(c.Steps))
	for i := range c.Steps {
		xys[i] = plotter.XY{X: c.Steps[i], Y: c.Mean[i]}
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	line.Color = clr
	line.Width = vg.Points(1.8)
	line.Dashes = dashes
	p.Add(line)
	if len(xys) == 1 {
		pts, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		pts.GlyphStyle.Color = clr
		pts.GlyphStyle.Shape = draw.CircleGlyph{}
		pts.GlyphStyle.Radius = vg.Points(3)
		p.Add(pts)
	}
	return nil
}

// crowdedAt is the number of algorithms above which bands are drawn fainter.
const crowdedAt = 6

// optimumDashes draw the J* line (dotted, unlike the variants' dashes).
var optimumDashes = []vg.Length{vg.Points(2), vg.Points(3)}

// panelSpec is one metric panel.
type panelSpec struct {
	title, metric, yLabel string
	// fallback metrics tried in order when metric has no data.
	fallback []string
}

// successPanel is the success-rate panel: the evaluation's avg@k, else the
// training rollouts' success.
func successPanel(s *Set, suite string) panelSpec {
	for _, r := range s.Runs {
		if r.ID.Suite == suite {
			if name := evalKName(r, "avg@"); name != "" {
				return panelSpec{"Success rate (evaluation)", "avg@k", "success rate (" + name + ", 0 to 1)", nil}
			}
		}
	}
	return panelSpec{"Success rate (training rollouts)", metrics.SuccessMean, "success rate (0 to 1)", nil}
}

// stabilityPanels are the training-dynamics metrics.
var stabilityPanels = []panelSpec{
	{"Policy entropy", metrics.ActorEntropy, "entropy (nats/token)", nil},
	{"Gradient norm", metrics.ActorGradNorm, "grad norm (L2)", nil},
	{"Clip fraction", metrics.ActorPGClipFrac, "clipped tokens (fraction)", nil},
	{"KL to reference", metrics.ActorKLLoss, "KL (k3, nats)", nil},
	{"Update KL (old vs new policy)", metrics.ActorPPOKL, "KL (nats)", nil},
	{"Response length", metrics.ResponseLengthMean, "length (tokens)", nil},
	{"SeeUPO suffix weight", metrics.SeeUPOSuffixWeightMean, "suffix weight W (mean)", nil},
}

// FigureSet builds the figures of a report.
type FigureSet struct {
	Set    *Set
	Base   string
	Colors map[string]color.Color
}

// NewFigureSet assigns the algorithms their colours once for all figures.
func NewFigureSet(s *Set, base string) *FigureSet {
	return &FigureSet{Set: s, Base: base, Colors: Colors(s.Algorithms(base))}
}

// Figures builds, per suite, the learning curves, the stability panel, and
// (for suites that log theory/J) the J curves.
func (fs *FigureSet) Figures() ([]*Figure, error) {
	var out []*Figure
	for _, suite := range fs.Set.Suites() {
		for _, build := range []func(string) (*Figure, error){fs.learningCurves, fs.stability, fs.theoryJ} {
			f, err := build(suite)
			if err != nil {
				return nil, fmt.Errorf("suite %s: %w", suite, err)
			}
			if f != nil {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

func (fs *FigureSet) legend(suite string) []LegendEntry {
	var out []LegendEntry
	for _, a := range suiteAlgorithms(fs.Set, suite, fs.Base) {
		out = append(out, LegendEntry{Label: a, Color: fs.Colors[a], Dashes: variantDashes(a)})
	}
	return out
}

// metricPanel draws one metric for every algorithm of the suite; nil when
// no run has it.
func (fs *FigureSet) metricPanel(suite string, spec panelSpec) (*plot.Plot, error) {
	p := newPanel(spec.title, "training step", spec.yLabel)
	any := false
	algs := suiteAlgorithms(fs.Set, suite, fs.Base)
	for _, a := range algs {
		c := curveOf(fs.Set.Group(suite, a), spec.metric)
		if len(c.Steps) == 0 {
			continue
		}
		any = true
		if err := addCurve(p, c, fs.Colors[a], variantDashes(a), len(algs) > crowdedAt); err != nil {
			return nil, err
		}
	}
	if !any {
		return nil, nil
	}
	return p, nil
}

// constantMetric reports whether every logged value of metric in the
// suite's runs is one and the same (a panel of flat lines says nothing:
// clip fraction and update KL under one on-policy step), and that value.
func (fs *FigureSet) constantMetric(suite, metric string) (float64, bool) {
	var first float64
	n := 0
	for _, a := range suiteAlgorithms(fs.Set, suite, fs.Base) {
		for _, r := range fs.Set.Group(suite, a) {
			for _, p := range seriesFor(r, metric) {
				if n > 0 && p.Y != first {
					return 0, false
				}
				first = p.Y
				n++
			}
		}
	}
	return first, n > 1
}

func (fs *FigureSet) learningCurves(suite string) (*Figure, error) {
	specs := []panelSpec{successPanel(fs.Set, suite),
		{"Training reward", metrics.ScoreMean, "reward (critic/score/mean)", nil}}
	var row []*plot.Plot
	var shown []string
	for _, spec := range specs {
		p, err := fs.metricPanel(suite, spec)
		if err != nil {
			return nil, err
		}
		if p != nil {
			row = append(row, p)
			shown = append(shown, strings.ToLower(spec.title))
		}
	}
	if len(row) == 0 {
		return nil, nil
	}
	return &Figure{
		Name:   "curves-" + suite,
		Title:  "Learning curves on " + suite + " (mean over seeds, band: 95% t-interval)",
		Width:  vg.Length(len(row))*5*vg.Inch + vg.Inch,
		Height: 4.4 * vg.Inch,
		Legend: fs.legend(suite),
		Plots:  [][]*plot.Plot{row},
		Caption: fmt.Sprintf("Learning curves on %s: %s against the training step. Lines are the mean over "+
			"seeds; bands are the two-sided 95%% Student t-interval over seeds at each step (no band where "+
			"fewer than three seeds report the step).", suite, strings.Join(shown, " and ")),
	}, nil
}

func (fs *FigureSet) stability(suite string) (*Figure, error) {
	var panels []*plot.Plot
	var shown, missing []string
	var constant []string
	for _, spec := range stabilityPanels {
		if v, ok := fs.constantMetric(suite, spec.metric); ok {
			constant = append(constant, fmt.Sprintf("%s (%s for every run)", spec.metric, strconv.FormatFloat(v, 'g', 4, 64)))
			continue
		}
		p, err := fs.metricPanel(suite, spec)
		if err != nil {
			return nil, err
		}
		if p == nil {
			missing = append(missing, spec.metric)
			continue
		}
		panels = append(panels, p)
		shown = append(shown, spec.metric)
	}
	if len(panels) == 0 {
		return nil, nil
	}
	cols := 3
	if len(panels) > 6 {
		cols = 4
	}
	if len(panels) < cols {
		cols = len(panels)
	}
	var grid [][]*plot.Plot
	for i := 0; i < len(panels); i += cols {
		grid = append(grid, panels[i:min(i+cols, len(panels))])
	}
	caption := fmt.Sprintf("Training stability on %s: %s, mean over seeds with 95%% t-interval bands (three or more seeds).",
		suite, strings.Join(shown, ", "))
	if len(missing) > 0 {
		caption += " Not logged by any run: " + strings.Join(missing, ", ") + "."
	}
	if len(constant) > 0 {
		caption += " Left out, constant at every step of every run: " + strings.Join(constant, ", ") + "."
	}
	return &Figure{
		Name:    "stability-" + suite,
		Title:   "Training stability on " + suite + " (mean over seeds, band: 95% t-interval)",
		Width:   vg.Length(cols)*4*vg.Inch + 0.5*vg.Inch,
		Height:  vg.Length(len(grid))*3.3*vg.Inch + 0.8*vg.Inch,
		Legend:  fs.legend(suite),
		Plots:   grid,
		Caption: caption,
	}, nil
}

// theoryJ plots J against the step with J* marked. When J* differs between
// runs (different bandit instances), J/J* is plotted and J* = 1.
func (fs *FigureSet) theoryJ(suite string) (*Figure, error) {
	var jstars []float64
	hasJ := false
	for _, r := range fs.Set.Runs {
		if r.ID.Suite != suite {
			continue
		}
		for _, st := range r.Steps {
			if _, ok := st.Data[metrics.TheoryJ]; ok {
				hasJ = true
			}
			if v, ok := st.Data[metrics.TheoryJStar]; ok && !math.IsNaN(v) {
				jstars = append(jstars, v)
			}
		}
	}
	if !hasJ {
		return nil, nil
	}
	normalise := false
	jstar := math.NaN()
	if len(jstars) > 0 {
		sort.Float64s(jstars)
		jstar = jstars[0]
		normalise = jstars[len(jstars)-1]-jstars[0] > 1e-9*math.Max(1, math.Abs(jstar))
	}
	yLabel := "objective J (expected return)"
	if normalise {
		yLabel, jstar = "J / J* (per run)", 1
	}
	p := newPanel("Objective J of the policy", "training step", yLabel)
	algs := suiteAlgorithms(fs.Set, suite, fs.Base)
	for _, a := range algs {
		runs := fs.Set.Group(suite, a)
		if normalise {
			runs = normalisedJ(runs)
		}
		if err := addCurve(p, curveOf(runs, metrics.TheoryJ), fs.Colors[a], variantDashes(a), len(algs) > crowdedAt); err != nil {
			return nil, err
		}
	}
	legend := fs.legend(suite)
	caption := fmt.Sprintf("Theory suite %s: the objective J of each algorithm's policy against the "+
		"training step, mean over seeds with 95%% t-interval bands (three or more seeds).", suite)
	if !math.IsNaN(jstar) {
		opt, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: jstar}, {X: p.X.Max, Y: jstar}})
		if err != nil {
			return nil, err
		}
		opt.Color = color.Black
		opt.Width = vg.Points(1.5)
		opt.Dashes = optimumDashes
		p.Add(opt)
		label := fmt.Sprintf("J* = %.4g (optimum)", jstar)
		if normalise {
			label = "J* (optimum, = 1 after normalising)"
		}
		legend = append(legend, LegendEntry{Label: label, Color: color.Black, Dashes: optimumDashes})
		caption += " The dotted line is the optimum J*."
	}
	return &Figure{
		Name:    "theory-J-" + suite,
		Title:   "Convergence on " + suite + " (mean over seeds, band: 95% t-interval)",
		Width:   8 * vg.Inch,
		Height:  4.6 * vg.Inch,
		Legend:  legend,
		Plots:   [][]*plot.Plot{{p}},
		Caption: caption,
	}, nil
}

// normalisedJ copies runs with theory/J divided by each step's J*.
func normalisedJ(runs []*Run) []*Run {
	var out []*Run
	for _, r := range runs {
		c := *r
		c.Steps = nil
		for _, st := range r.Steps {
			j, okJ := st.Data[metrics.TheoryJ]
			js, okS := st.Data[metrics.TheoryJStar]
			if okJ && okS && js != 0 {
				c.Steps = append(c.Steps, metrics.Record{Step: st.Step, Data: metrics.Data{metrics.TheoryJ: j / js}})
			}
		}
		out = append(out, &c)
	}
	return out
}

// niceTicker labels round values (1, 2 or 5 times a power of ten) with
// four to eight labelled ticks and unlabelled minor ticks between them.
type niceTicker struct{}

// Ticks implements plot.Ticker.
func (niceTicker) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	span := hi - lo
	step := math.Pow(10, math.Floor(math.Log10(span)))
	for _, m := range []float64{0.1, 0.2, 0.5, 1, 2, 5, 10} {
		if span/(step*m) <= 7 {
			step *= m
			break
		}
	}
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	first := math.Ceil(lo/step-1e-9) * step
	for v := first; v <= hi+step*1e-9; v += step {
		val := math.Round(v/step) * step
		if math.Abs(val) < step*1e-9 {
			val = 0 // no "-0.000"
		}
		ticks = append(ticks, plot.Tick{Value: val, Label: strconv.FormatFloat(val, 'f', decimals, 64)})
		if minor := val + step/2; minor < hi {
			ticks = append(ticks, plot.Tick{Value: minor})
		}
	}
	if minor := first - step/2; minor > lo {
		ticks = append(ticks, plot.Tick{Value: minor})
	}
	return ticks
}

// pdfCanvas fixes colours with transparency on gonum's PDF canvas, which
// takes the premultiplied components of a colour as its straight ones (a
// 20%-opaque orange band would be drawn 20%-opaque dark brown).
type pdfCanvas struct{ *vgpdf.Canvas }

func newPDFCanvas(w, h vg.Length) pdfCanvas { return pdfCanvas{vgpdf.New(w, h)} }

// SetColor hands the PDF canvas the straight (non-premultiplied) colour.
func (c pdfCanvas) SetColor(clr color.Color) {
	if clr == nil {
		clr = color.Black
	}
	c.Canvas.SetColor(straightColor(color.NRGBAModel.Convert(clr).(color.NRGBA)))
}

// straightColor reports its components without premultiplication.
type straightColor color.NRGBA

func (s straightColor) RGBA() (r, g, b, a uint32) {
	return uint32(s.R) * 0x101, uint32(s.G) * 0x101, uint32(s.B) * 0x101, uint32(s.A) * 0x101
}
