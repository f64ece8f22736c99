package py

import (
	"strings"
	"testing"
)

// BenchmarkDictCodes looks up every key of a dict of 24 three-letter
// codes (key texts of one length, as travel's airport tables).
func BenchmarkDictCodes(b *testing.B) {
	codes := strings.Fields("SFO LAX JFK ORD ATL DFW DEN SEA BOS MIA PHX IAH LAS MSP DTW PHL " +
		"CLT EWR SLC BWI SAN TPA PDX HNL")
	d := NewDict()
	for i, c := range codes {
		d.SetStr(strings.Clone(c), Int(i))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range codes {
			if _, ok := d.GetStr(c); !ok {
				b.Fatal(c)
			}
		}
	}
}

// BenchmarkDictRecord builds small records of fields with lengths in
// common and looks their fields up, as the backends' results and
// scenarios do.
func BenchmarkDictRecord(b *testing.B) {
	fields := []string{"order_id", "order_type", "symbol", "price", "amount", "status", "stocks", "number"}
	for i := 0; i < b.N; i++ {
		d := NewDict()
		for j, f := range fields {
			d.SetStr(f, Int(j))
		}
		for _, f := range fields {
			if _, ok := d.GetStr(f); !ok {
				b.Fatal(f)
			}
		}
	}
}

// BenchmarkDumpsLongText dumps a result holding one long shared text
// (a long-context constant).
func BenchmarkDumpsLongText(b *testing.B) {
	text := strings.Repeat("Manufacturer: Audi; Model: A6; Year: 2024; EngineType: V6 Turbo. ", 100)
	d := NewDict().With("metadata", Str(text)).With("fuelLevel", Float(10.5))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Dumps(d); err != nil {
			b.Fatal(err)
		}
	}
}
