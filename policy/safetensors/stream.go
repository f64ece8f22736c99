package safetensors

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
)

// File is an open safetensors file whose tensors are read one at a time,
// so a reader never holds more than the tensor it converts: a model is
// loaded shard by shard, tensor by tensor, into its own storage.
type File struct {
	path      string
	f         *os.File
	entries   map[string]entry
	names     []string
	dataStart int64
	dataLen   int64
	meta      map[string]string
	buf       []byte // read buffer, reused across tensors
}

// Open reads the header of a safetensors file. Close releases it.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	sf, err := openHeader(f, path)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sf, nil
}

func openHeader(f *os.File, path string) (*File, error) {
	var n uint64
	if err := binary.Read(f, binary.LittleEndian, &n); err != nil {
		return nil, fmt.Errorf("header length: %w", err)
	}
	if n > maxHeader {
		return nil, fmt.Errorf("header length %d exceeds %d", n, maxHeader)
	}
	hdr := make([]byte, n)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	sf := &File{path: path, f: f, entries: map[string]entry{}, meta: map[string]string{},
		dataStart: 8 + int64(n), dataLen: st.Size() - 8 - int64(n)}
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &sf.meta); err != nil {
				return nil, fmt.Errorf("__metadata__: %w", err)
			}
			continue
		}
		var e entry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("tensor %s: %w", name, err)
		}
		if _, err := e.check(int(sf.dataLen)); err != nil {
			return nil, fmt.Errorf("tensor %s: %w", name, err)
		}
		sf.entries[name] = e
		sf.names = append(sf.names, name)
	}
	sort.Strings(sf.names)
	return sf, nil
}

// Path is the file's path.
func (f *File) Path() string { return f.path }

// Names lists the tensors in sorted order.
func (f *File) Names() []string { return append([]string(nil), f.names...) }

// Metadata is the file's __metadata__ entry.
func (f *File) Metadata() map[string]string { return f.meta }

// Info gives a tensor's dtype and shape.
func (f *File) Info(name string) (DType, []int, bool) {
	e, ok := f.entries[name]
	if !ok {
		return "", nil, false
	}
	return e.DType, append([]int(nil), e.Shape...), true
}

// ReadInto converts one tensor into dst, which must hold exactly its
// elements; the raw bytes are read in bounded chunks.
func (f *File) ReadInto(name string, dst []float32) error {
	e, ok := f.entries[name]
	if !ok {
		return fmt.Errorf("%s: no tensor %s", f.path, name)
	}
	count, _ := e.check(int(f.dataLen))
	if len(dst) != count {
		return fmt.Errorf("%s: tensor %s has %d values, the destination %d", f.path, name, count, len(dst))
	}
	size, _ := e.DType.size()
	const chunk = 1 << 20 // elements per read
	if need := min(count, chunk) * size; cap(f.buf) < need {
		f.buf = make([]byte, need)
	}
	buf := f.buf
	r := io.NewSectionReader(f.f, f.dataStart+int64(e.Offsets[0]), int64(count*size))
	for done := 0; done < count; {
		k := min(count-done, chunk)
		b := buf[:k*size]
		if _, err := io.ReadFull(r, b); err != nil {
			return fmt.Errorf("%s: tensor %s: %w", f.path, name, err)
		}
		decodeInto(dst[done:done+k], b, e.DType)
		done += k
	}
	return nil
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// check validates an entry against the data length and returns its
// element count.
func (e entry) check(dataLen int) (int, error) {
	size, err := e.DType.size()
	if err != nil {
		return 0, err
	}
	count := 1
	for _, s := range e.Shape {
		if s < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", e.Shape)
		}
		count *= s
	}
	lo, hi := e.Offsets[0], e.Offsets[1]
	if lo < 0 || hi < lo || hi > dataLen || hi-lo != count*size {
		return 0, fmt.Errorf("data_offsets %v do not fit shape %v of %s in %d data bytes", e.Offsets, e.Shape, e.DType, dataLen)
	}
	return count, nil
}

// decodeInto converts little-endian values of dtype in b to float32.
func decodeInto(dst []float32, b []byte, dt DType) {
	for i := range dst {
		switch dt {
		case F32:
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		case BF16:
			dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
		case F16:
			dst[i] = halfToFloat(binary.LittleEndian.Uint16(b[2*i:]))
		}
	}
}

// Spec declares one tensor of a streamed file: its name and shape.
type Spec struct {
	Name  string
	Shape []int
}

// WriteStream writes a safetensors file tensor by tensor: the header from
// the specs, then, in name order, the values fill puts into a buffer of
// each tensor's size, converted to dtype. Only one tensor's values are
// held at a time.
func WriteStream(path string, specs []Spec, dtype DType, meta map[string]string, fill func(name string, dst []float32) error) error {
	size, err := dtype.size()
	if err != nil {
		return err
	}
	specs = append([]Spec(nil), specs...)
	sort.Slice(specs, func(i, j int) bool { return specs[i].Name < specs[j].Name })
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	off, largest := 0, 0
	for i, s := range specs {
		if i > 0 && specs[i-1].Name == s.Name {
			return fmt.Errorf("%s: tensor %s declared twice", path, s.Name)
		}
		count := 1
		for _, d := range s.Shape {
			count *= d
		}
		shape := s.Shape
		if shape == nil {
			shape = []int{}
		}
		header[s.Name] = entry{DType: dtype, Shape: shape, Offsets: [2]int{off, off + count*size}}
		off += count * size
		largest = max(largest, count)
	}
	hdr, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(hdr)%8 != 0 {
		hdr = append(hdr, ' ')
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fail := func(err error) error {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(hdr)))
	w.Write(n[:])
	w.Write(hdr)
	vals := make([]float32, largest)
	var enc [4]byte
	for _, s := range specs {
		count := 1
		for _, d := range s.Shape {
			count *= d
		}
		v := vals[:count]
		if err := fill(s.Name, v); err != nil {
			return fail(fmt.Errorf("tensor %s: %w", s.Name, err))
		}
		for _, x := range v {
			switch dtype {
			case F32:
				binary.LittleEndian.PutUint32(enc[:], math.Float32bits(x))
			case BF16:
				binary.LittleEndian.PutUint16(enc[:], floatToBF16(x))
			case F16:
				binary.LittleEndian.PutUint16(enc[:], floatToHalf(x))
			}
			if _, err := w.Write(enc[:size]); err != nil {
				return fail(err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return fail(err)
	}
	return f.Close()
}

// ParseDType reads a dtype as written in configurations: f32, bf16, f16
// (any case; float32, bfloat16, float16 too).
func ParseDType(s string) (DType, error) {
	switch strings.ToLower(s) {
	case "f32", "float32", "fp32":
		return F32, nil
	case "bf16", "bfloat16":
		return BF16, nil
	case "f16", "float16", "fp16":
		return F16, nil
	}
	return "", fmt.Errorf("dtype %q: allowed values are f32, bf16, f16", s)
}

// TorchName is the dtype's name in a Hugging Face config.json
// (torch_dtype): float32, bfloat16, float16.
func (d DType) TorchName() string {
	switch d {
	case BF16:
		return "bfloat16"
	case F16:
		return "float16"
	}
	return "float32"
}
