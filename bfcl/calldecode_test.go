package bfcl

import (
	"errors"
	"testing"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/internal/testdata"
)

// The expected values of the Java and JavaScript decoders come from
// tree-sitter itself: upstream's parse_java_function_call and
// parse_javascript_function_call (model_handler/parser/, commit 6ea5797)
// read trees of the grammars they load, tree-sitter-java 0.21.0 and
// tree-sitter-javascript 0.21.4, which cannot be installed as upstream
// installs them here, so no golden file covers these decoders. The
// replies were run, outside the project, through those two grammars (a C
// build of tree-sitter) with upstream's walk transcribed onto their trees;
// that check does not use the port's parser. Where this port deliberately
// differs, the case keeps the port's result and says what tree-sitter
// gives (docs/bfcl.md, "Java and JavaScript replies").
//
// Each want is Python's repr of the decoded value, or "Kind: message" of
// the exception upstream raises. The reply goes through upstream's
// default_decode_ast_prompting first: stripped of backticks, newlines and
// spaces, wrapped in [ ], then its first and last characters dropped.
type callDecodeCase struct{ reply, want string }

var javaDecodeCases = []callDecodeCase{
	{`[GeometryPresentation.createPresentation(controller=mapController, parent=mapArea)]`, `[{'GeometryPresentation.createPresentation': {'controller': 'mapController', 'parent': 'mapArea'}}]`},
	{`foo(a=1)`, `SyntaxError: Error parsing java the source code.`},
	{`foo(a=1);`, `[{'foo': {'a': '1'}}]`},
	{`foo(a=1234)`, `[{'foo': {'a': '1234'}}]`},
	{`foo(a=123)`, `SyntaxError: Error parsing java the source code.`},
	{"foo(\na=1)", `[{'foo': {'a': '1'}}]`},
	{`f(a=1,b=23)`, `[{'f': {'a': '1', 'b': '23'}}]`},
	{`x`, `SyntaxError: Error parsing java the source code.`},
	{``, `{}`},
	{`foo(a=1); x`, `[{'foo': {'a': '1'}}]`},
	{`a; b`, `{}`},
	{`;x`, `{}`},
	{`foo(a="x", b='c', c=new int[] {1, 2}, d=new HashMap<String, Integer>() {{ put("k", 1); }}, e=x -> x + 1, f=Foo.class, g=-5, h=3.5f, i=null, j=true)`, `[{'foo': {'a': 'x', 'b': 'c', 'c': 'new int[]{1,2}', 'd': 'new HashMap<String,Integer>()', 'e': 'x->x+1', 'f': 'Foo.class', 'g': '-5', 'h': '3.5f', 'i': 'null', 'j': 'true'}}]`},
	{`foo(x, y)`, `SyntaxError: Error parsing java the source code.`},
	{`foo(1, "s", x)`, `[{'foo': {None: 'x'}}]`},
	{`foo(a=new int[3])`, `AttributeError: 'NoneType' object has no attribute 'type'`},
	{`foo(a="é", b=xyz)`, `[{'foo': {'a': 'é"', '=': 'yz)'}}]`},
	{`foo(a="é")`, `[{'foo': {'a': 'é"'}}]`},
	{`I cannot do that.`, `SyntaxError: Error parsing java the source code.`},
	// Deviation: tree-sitter gives [{'foo': {'a': '1', 'b': '2'}}].
	{`foo(a=1 /* c */, b=2)`, `SyntaxError: Error parsing java the source code.`},
	{`foo(a=(a, b) -> { return a + b; })`, `[{'foo': {'a': '(a,b)->{returna+b;}'}}]`},
	{`[foo(a=1), bar(b=2)]`, `SyntaxError: Error parsing java the source code.`},
	{`foo(a=1) bar(b=2)`, `SyntaxError: Error parsing java the source code.`},
	{`a.b(c=1).d(e=2)`, `[{'a.b(c=1).d': {'e': '2'}}]`},
	{`x = foo(a=1);`, `[{'foo': {'a': '1'}}]`},
	{`foo(a=bar( 1 ), b=Foo . class, c=(int) x)`, `[{'foo': {'a': 'bar( 1 )', 'b': 'Foo . class', 'c': '(int)x'}}]`},
	{`foo(a=[1])`, `SyntaxError: Error parsing java the source code.`},
	{`foo(a={1})`, `SyntaxError: Error parsing java the source code.`},
	{"foo(a=1)\n\n", `SyntaxError: Error parsing java the source code.`},
	{`Obj.m(list=new ArrayList<>(Arrays.asList("a", "b")), arr=new String[]{"x", "y"}, m=new HashMap<String, List<Integer>>())`, `[{'Obj.m': {'list': 'new ArrayList<>(Arrays.asList("a", "b"))', 'arr': 'new String[]{"x","y"}', 'm': 'new HashMap<String,List<Integer>>()'}}]`},
	{`Obj.m(a=new int[][]{{1, 2}, {3}}, b=new java.util.Date(), c=this.x, d=arr[0], e=x > 0 ? 1 : 2, f=String::valueOf, g=int[].class)`, `[{'Obj.m': {'a': 'new int[]{{1,2},{3}}', 'b': 'new java.util.Date()', 'c': 'this.x', 'd': 'arr[0]', 'e': 'x>0?1:2', 'f': 'String::valueOf', 'g': 'int[].class'}}]`},
	{`Obj.m(a="a\"b", b="", c='\n', d=0x1F, e=1_000L, f=1.5e-3d, g=!flag, h=a && b || c, i=x instanceof String)`, `[{'Obj.m': {'a': 'a\\"b', 'b': '', 'c': '\\n', 'd': '0x1F', 'e': '1_000L', 'f': '1.5e-3d', 'g': '!flag', 'h': 'a&&b||c', 'i': 'xinstanceofString'}}]`},
	{`Obj.m(a=(String) obj, b=(a + b) * c, c=i++, d=-(x), e=~mask, f=a >> 2, g=a >>> 1, h=a >= b)`, `[{'Obj.m': {'a': '(String)obj', 'b': '(a+b)*c', 'c': 'i++', 'd': '-(x)', 'e': '~mask', 'f': 'a>>2', 'g': 'a>>>1', 'h': 'a>=b'}}]`},
	{`Obj.m(a=b=c)`, `[{'Obj.m': {'a': 'b=c'}}]`},
	{`Obj.m(a+=1)`, `[{'Obj.m': {'a': '1'}}]`},
	{`Obj.m(this.a=1)`, `[{'Obj.m': {'this.a': '1'}}]`},
	{`Obj.m(a=1, a=2)`, `Exception: Error: Multiple arguments with the same name are not supported.`},
	{`Obj.m(x, Foo.class)`, `Exception: Error: Multiple arguments with the same name are not supported.`},
	{`Obj.m(Foo.class, b=2)`, `[{'Obj.m': {None: 'Foo.class', 'b': '2'}}]`},
	{`Obj.m(a=1,)`, `SyntaxError: Error parsing java the source code.`},
	{`Obj.m(a=)`, `SyntaxError: Error parsing java the source code.`},
	{`Obj.m(a=1`, `SyntaxError: Error parsing java the source code.`},
	{`Obj.m(1=a)`, `SyntaxError: Error parsing java the source code.`},
	{`Obj.m(a=new Foo(1, "s", bar(2)))`, `[{'Obj.m': {'a': 'new Foo(1, "s", bar(2))'}}]`},
	{`Obj.m(a=new Foo())`, `[{'Obj.m': {'a': 'new Foo()'}}]`},
	// Deviation: tree-sitter gives [{'Obj.m': {'a': 'new Runnable()'}}].
	{`Obj.m(a=new Runnable() { public void run() {} })`, `SyntaxError: Error parsing java the source code.`},
	{"Obj.m(a=\"\"\"\n  text\n  \"\"\")", `[{'Obj.m': {'a': '""\n  text\n  ""'}}]`},
	{`Obj.<String>m(a=1)`, `[{'Obj.m': {'a': '1'}}]`},
	{`Obj.m(a=super.x)`, `[{'Obj.m': {'a': 'super.x'}}]`},
	{`Obj.m(a=x.y.z, b=x.y().z)`, `[{'Obj.m': {'a': 'x.y.z', 'b': 'x.y().z'}}]`},
	{`  Obj.m(a=1)  `, `SyntaxError: Error parsing java the source code.`},
	{"```Obj.m(a=1)```", `SyntaxError: Error parsing java the source code.`},
	{`[Obj.m(a=1)];`, `SyntaxError: Error parsing java the source code.`},
	{`Obj.m(a=1);;`, `[{'Obj.m': {'a': '1'}}]`},
	{`Obj.m(a=1); Obj.n(b=2);`, `[{'Obj.m': {'a': '1'}}]`},
	{`int x = Obj.m(a=1);`, `[{'Obj.m': {'a': '1'}}]`},
	{`Obj.m(a=(x) -> x)`, `[{'Obj.m': {'a': '(x)->x'}}]`},
	{`Obj.m(a=(int x, int y) -> x * y)`, `[{'Obj.m': {'a': '(intx,inty)->x*y'}}]`},
	{`Obj.m(a=() -> {})`, `[{'Obj.m': {'a': '()->{}'}}]`},
	{`Obj.m(a=List.of(1, 2), b=Map.of("k", 1))`, `[{'Obj.m': {'a': 'List.of(1, 2)', 'b': 'Map.of("k", 1)'}}]`},
	{`Obj.m(a=true, b=false, c=null)`, `[{'Obj.m': {'a': 'true', 'b': 'false', 'c': 'null'}}]`},
	{`Obj.m(a=-1.5, b=+2)`, `[{'Obj.m': {'a': '-1.5', 'b': '+2'}}]`},
	{`Obj.m(a='ab')`, `[{'Obj.m': {'a': 'ab'}}]`},
	{`Obj.m(a="unterminated)`, `SyntaxError: Error parsing java the source code.`},
	{`Obj.m(a=1) // note`, `SyntaxError: Error parsing java the source code.`},
	{`Obj.m(a=x -> { x++; })`, `[{'Obj.m': {'a': 'x->{x++;}'}}]`},
	{`Obj.m(a=c ? d : e ? f : g)`, `[{'Obj.m': {'a': 'c?d:e?f:g'}}]`},
	{`Obj.m(a=new int[]{})`, `[{'Obj.m': {'a': 'new int[]{}'}}]`},
	{`Obj.m(a=new String[0])`, `AttributeError: 'NoneType' object has no attribute 'type'`},
	{`Obj.m(a=new ArrayList<String>() {{ add("a"); add("b"); }})`, `[{'Obj.m': {'a': 'new ArrayList<String>()'}}]`},
	{`Obj.m(a=Collections.<String>emptyList())`, `[{'Obj.m': {'a': 'Collections.<String>emptyList()'}}]`},
	{`Obj.m(a=arr[i][j])`, `[{'Obj.m': {'a': 'arr[i][j]'}}]`},
	{`Obj.m(a=(a))`, `[{'Obj.m': {'a': '(a)'}}]`},
	{`Obj.m(a=x == y != z)`, `[{'Obj.m': {'a': 'x==y!=z'}}]`},
	{`Obj.m(a=1 < 2)`, `[{'Obj.m': {'a': '1<2'}}]`},
	{`Obj.m(a=Integer.MAX_VALUE)`, `[{'Obj.m': {'a': 'Integer.MAX_VALUE'}}]`},
	{`Obj.m(a=5 % 3, b=6 / 2)`, `[{'Obj.m': {'a': '5%3', 'b': '6/2'}}]`},
	{`Obj.m(x=Foo.class.getName())`, `[{'Obj.m': {'x': 'Foo.class.getName()'}}]`},
	{`obj.m(a=é)`, `[{'obj.m': {'a': 'é)'}}]`},
	{"Obj.m(\n  a=1,\n  b=\"two\"\n)", `[{'Obj.m': {'a': '1', 'b': 'two'}}]`},
	{`Obj.m()`, `SyntaxError: Error parsing java the source code.`},
	{`m()`, `SyntaxError: Error parsing java the source code.`},
	{`Obj.m(); other(x=1);`, `[{'Obj.m': {}}]`},
	{`new Foo(a=1);`, `{}`},
	{`Obj.m(a=new Foo(x=1))`, `[{'Obj.m': {'a': 'new Foo(x=1)'}}]`},
	{`Obj.m(a=1L, b=2.0f, c=3d, d=07, e=0b101)`, `[{'Obj.m': {'a': '1L', 'b': '2.0f', 'c': '3d', 'd': '07', 'e': '0b101'}}]`},
	{`Obj.m(a="tab\there", b='\'', c='\u0041')`, `[{'Obj.m': {'a': 'tab\\there', 'b': "\\'", 'c': '\\u0041'}}]`},
	{`Obj.m(a=void.class)`, `[{'Obj.m': {'a': 'void.class'}}]`},
	{`Obj.m(a=int.class)`, `[{'Obj.m': {'a': 'int.class'}}]`},
	{`Obj.m(a=x-> x)`, `[{'Obj.m': {'a': 'x->x'}}]`},
	{`Obj.m(a=(x) -> x + 1, b=(String s) -> s.length())`, `[{'Obj.m': {'a': '(x)->x+1', 'b': '(Strings)->s.length()'}}]`},
	{`Obj.m(a=new Foo.Bar<>(1))`, `[{'Obj.m': {'a': 'new Foo.Bar<>(1)'}}]`},
	{`Obj.m(a=x >>= 1)`, `[{'Obj.m': {'a': 'x>>=1'}}]`},
	{`Obj.m(a=List.<String>of())`, `[{'Obj.m': {'a': 'List.<String>of()'}}]`},
	{`String s = Obj.m(a="x")`, `[{'Obj.m': {'a': 'x'}}]`},
	{`var r = Obj.m(a=1), q = 2;`, `[{'Obj.m': {'a': '1'}}]`},
	{`int[] a = {1, 2}; Obj.m(b=a);`, `[{'Obj.m': {'b': 'a'}}]`},
	// A declaration without ";" gets a MISSING node however short it is.
	{`I cannot`, `{}`},
	{`a b c`, `SyntaxError: Error parsing java the source code.`},
	{`java.util.List<Integer> xs = Obj.m(a=1);`, `[{'Obj.m': {'a': '1'}}]`},
	{`Obj.m(a=1); int y = Obj.n(b=2);`, `[{'Obj.m': {'a': '1'}}]`},
}

var jsDecodeCases = []callDecodeCase{
	{`foo(a=1)`, `[{'foo': {'a': '1'}}]`},
	{`[foo(a=1), bar(b=2)]`, `None`},
	{`foo(a="x", b='y', c=[1, 2], d={k: 'v'}, e=x => x + 1, f=false)`, `[{'foo': {'a': 'x', 'b': 'y', 'c': '[1, 2]', 'd': "{k: 'v'}", 'e': 'x => x + 1', 'f': 'false'}}]`},
	{`foo(x, true, false, 1)`, `Exception: Error: Multiple arguments with the same name are not supported.`},
	{`foo(x, y)`, `Exception: Error: Multiple arguments with the same name are not supported.`},
	{`foo(a=1) bar(b=2)`, `SyntaxError: Error js parsing the source code.`},
	{"foo(a=1)\nbar(b=2)", `[{'foo': {'a': '1'}}]`},
	{`new Foo(a=1)`, `None`},
	{``, `None`},
	{`I cannot`, `SyntaxError: Error js parsing the source code.`},
	{`foo(a=1); bar(b=2)`, `[{'foo': {'a': '1'}}]`},
	{`x = foo(a=1)`, `None`},
	{"foo(a=function(x) { return x; }, b=`t${y}`, d=undefined, e=null)", "[{'foo': {'a': 'function(x) { return x; }', 'b': '`t${y}`', 'd': 'undefined', 'e': 'null'}}]"},
	{`foo?.(a=1)`, `[{'foo': {}}]`},
	{`a.b(c=1)(d=2)`, `[{'a.b(c=1)': {'d': '2'}}]`},
	{`foo(a=1,)`, `[{'foo': {'a': '1'}}]`},
	{`foo(...x)`, `[{'foo': {}}]`},
	{`foo(a+=1, b=2)`, `[{'foo': {'b': '2'}}]`},
	{`validateUserInput(inputField=userInputField, isComplete=true)`, `[{'validateUserInput': {'inputField': 'userInputField', 'isComplete': 'true'}}]`},
	{`obj.method(a = "x y" , b = 'it\'s')`, `[{'obj.method': {'a': 'x y', 'b': "it\\'s"}}]`},
	{`foo(a="a" + "b")`, `[{'foo': {'a': 'a" + "b'}}]`},
	{`foo(a='x", b=2)`, `SyntaxError: Error js parsing the source code.`},
	{`foo(a=[1, [2, 3], {x: 1}], b={'k': [1], "j": {n: null}, [c]: 2, s, ...r, m() { return 1 }})`, `[{'foo': {'a': '[1, [2, 3], {x: 1}]', 'b': '{\'k\': [1], "j": {n: null}, [c]: 2, s, ...r, m() { return 1 }}'}}]`},
	{`foo(a=(x, y) => { const z = x + y; return z; })`, `[{'foo': {'a': '(x, y) => { const z = x + y; return z; }'}}]`},
	{`foo(a=async () => await bar(), b=typeof x === 'string', c=x ?? y, d=a?.b?.c, e=x ? 1 : 2)`, `[{'foo': {'a': 'async () => await bar()', 'b': "typeof x === 'string'", 'c': 'x ?? y', 'd': 'a?.b?.c', 'e': 'x ? 1 : 2'}}]`},
	{`foo(a=1, a=2)`, `Exception: Error: Multiple arguments with the same name are not supported.`},
	{`foo(x, a=1)`, `[{'foo': {None: 'x', 'a': '1'}}]`},
	{`foo(true, true)`, `Exception: Error: Multiple arguments with the same name are not supported.`},
	{`foo(a=-1.5e3, b=0xFF, c=10n, d=.5)`, `[{'foo': {'a': '-1.5e3', 'b': '0xFF', 'c': '10n', 'd': '.5'}}]`},
	{`foo(a=new Date(), b=new Map([[1, 2]]))`, `[{'foo': {'a': 'new Date()', 'b': 'new Map([[1, 2]])'}}]`},
	{`foo(a=[,1,,])`, `[{'foo': {'a': '[,1,,]'}}]`},
	{`foo(a=!b, c=void 0, d=x++ + ++y)`, `[{'foo': {'a': '!b', 'c': 'void 0', 'd': 'x++ + ++y'}}]`},
	{`foo(a=x = 2)`, `[{'foo': {'a': 'x = 2'}}]`},
	{`foo(1=a)`, `SyntaxError: Error js parsing the source code.`},
	{`foo(a=)`, `SyntaxError: Error js parsing the source code.`},
	{`foo(a=1`, `SyntaxError: Error js parsing the source code.`},
	{`foo(a=1))`, `SyntaxError: Error js parsing the source code.`},
	{`let r = foo(a=1)`, `None`},
	{`foo(a=1) // comment`, `[{'foo': {'a': '1'}}]`},
	{`/* c */ foo(a=1)`, `[{'foo': {'a': '1'}}]`},
	{`foo(a=/re/g)`, `[{'foo': {'a': '/re/g'}}]`},
	{`a.b.c(x=1)`, `[{'a.b.c': {'x': '1'}}]`},
	{"foo`x${a}`", `SyntaxError: Error js parsing the source code.`},
	{`foo(a=1);`, `[{'foo': {'a': '1'}}]`},
	{`  foo(a=1)  `, `[{'foo': {'a': '1'}}]`},
	{"```foo(a=1)```", `[{'foo': {'a': '1'}}]`},
	{"foo(\n  a=1,\n  b=2\n)", `[{'foo': {'a': '1', 'b': '2'}}]`},
	{"foo(a=`multi\nline`)", "[{'foo': {'a': '`multi\\nline`'}}]"},
	{`foo(a=x => ({y: 1}))`, `[{'foo': {'a': 'x => ({y: 1})'}}]`},
	{`foo(a=function named(a, b=2, ...c) { if (a) { return b } else return c; })`, `[{'foo': {'a': 'function named(a, b=2, ...c) { if (a) { return b } else return c; }'}}]`},
	{`foo(a=1), bar(b=2)`, `None`},
	{`(foo(a=1))`, `None`},
	{`foo(a={})`, `[{'foo': {'a': '{}'}}]`},
	{`foo(a=[])`, `[{'foo': {'a': '[]'}}]`},
	{`foo(a='')`, `[{'foo': {'a': ''}}]`},
	{`foo(a="é", b=xyz)`, `[{'foo': {'a': 'é', 'b': 'xyz'}}]`},
	{`foo(a="\"q\"")`, `[{'foo': {'a': '\\"q\\"'}}]`},
	{`foo(a=x.y = 3)`, `[{'foo': {'a': 'x.y = 3'}}]`},
	{`foo(a.b=1)`, `[{'foo': {'a.b': '1'}}]`},
	{`foo(a[0]=1)`, `[{'foo': {'a[0]': '1'}}]`},
	{`foo(a=1 b=2)`, `SyntaxError: Error js parsing the source code.`},
	{`if (x) foo(a=1)`, `None`},
	{"foo(a=x, b=y)\nfoo(c=1)", `[{'foo': {'a': 'x', 'b': 'y'}}]`},
	{`foo(a=>1)`, `[{'foo': {}}]`},
	// Deviation: tree-sitter gives [{'foo': {'a': 'class {}'}}].
	{`foo(a=class {})`, `SyntaxError: Error js parsing the source code.`},
	{"foo(a=1)\n.bar(b=2)", `[{'foo(a=1)\n.bar': {'b': '2'}}]`},
	{`await foo(a=1)`, `None`},
	{`foo(async=1)`, `[{'foo': {'async': '1'}}]`},
	{`foo(a=get)`, `[{'foo': {'a': 'get'}}]`},
	{`foo(a=async function() { return 1; })`, `[{'foo': {'a': 'async function() { return 1; }'}}]`},
	{`foo(a=async x => x)`, `[{'foo': {'a': 'async x => x'}}]`},
	{`foo(async, b=1)`, `[{'foo': {None: 'async', 'b': '1'}}]`},
	{"foo(a=b\n)\n", `[{'foo': {'a': 'b'}}]`},
	{`foo(a=function*() {})`, `[{'foo': {'a': 'function*() {}'}}]`},
	{`foo(a={get: 1, set: 2, async: 3})`, `[{'foo': {'a': '{get: 1, set: 2, async: 3}'}}]`},
	{`foo(a=x?.[0], b=new a.b.C(), c=new (getClass())())`, `[{'foo': {'a': 'x?.[0]', 'b': 'new a.b.C()', 'c': 'new (getClass())()'}}]`},
	{"foo(a=`a${`b${c}`}`)", "[{'foo': {'a': '`a${`b${c}`}`'}}]"},
}

func decodeOutcome(v py.Value, err error) string {
	if err != nil {
		var pe *py.Exception
		if errors.As(err, &pe) {
			return pe.Kind + ": " + pe.Msg
		}
		return "error: " + err.Error()
	}
	return py.Repr(v)
}

func TestDecodeJavaMatchesTreeSitterWalk(t *testing.T) {
	for _, c := range javaDecodeCases {
		if got := decodeOutcome(DecodeJava(c.reply, false)); got != c.want {
			t.Errorf("DecodeJava(%q)\n got %s\nwant %s", c.reply, got, c.want)
		}
	}
}

func TestDecodeJavaScriptMatchesTreeSitterWalk(t *testing.T) {
	for _, c := range jsDecodeCases {
		if got := decodeOutcome(DecodeJavaScript(c.reply, false)); got != c.want {
			t.Errorf("DecodeJavaScript(%q)\n got %s\nwant %s", c.reply, got, c.want)
		}
	}
}

// TestDecodeCallsWithToolCallTag: the <TOOLCALL> block is taken after the
// reply is bracketed, and then its first and last characters are dropped
// as for a bare reply, so a block without [ ] loses a character at each
// end.
func TestDecodeCallsWithToolCallTag(t *testing.T) {
	cases := []struct {
		format, reply, want string
	}{
		{ReturnJava, "<TOOLCALL>[Obj.m(a=1234)]</TOOLCALL>", "[{'Obj.m': {'a': '1234'}}]"},
		// "Obj.m(a=1)" is ten bytes: one short statement without ";".
		{ReturnJava, "<TOOLCALL>[Obj.m(a=1)]</TOOLCALL>", "SyntaxError: Error parsing java the source code."},
		// "bj.m(a=1234" is left: an unclosed call.
		{ReturnJava, "<TOOLCALL>Obj.m(a=1234)</TOOLCALL>", "SyntaxError: Error parsing java the source code."},
		{ReturnJava, "Obj.m(a=1234)", "ValueError: No tool call tag found in input string: [Obj.m(a=1234)]"},
		{ReturnJavaScript, "<TOOLCALL>[f(a=1)]</TOOLCALL>", "[{'f': {'a': '1'}}]"},
		// "(a=1" is left.
		{ReturnJavaScript, "<TOOLCALL>f(a=1)</TOOLCALL>", "SyntaxError: Error js parsing the source code."},
	}
	for _, c := range cases {
		if got := decodeOutcome(DecodeASTFormat(c.reply, c.format, true)); got != c.want {
			t.Errorf("DecodeASTFormat(%q, %s)\n got %s\nwant %s", c.reply, c.format, got, c.want)
		}
	}
}

// TestEvaluateASTJavaAndJavaScript runs the whole single-entry evaluation
// (decode, format check, checker) on Java and JavaScript entries; each
// verdict was worked out by hand from upstream's
// _evaluate_single_ast_entry and simple_function_checker.
// simple_java_0: GeometryPresentation.createPresentation(controller: any,
// parent: any), both required, answers mapController and mapArea.
// simple_javascript_0: validateUserInput(inputField: String, isComplete:
// Boolean), answers userInputField and true.
func TestEvaluateASTJavaAndJavaScript(t *testing.T) {
	st := NewSingleTurn(testdata.Dir(t, "bfcl_v4"))
	const jcall = "GeometryPresentation.createPresentation"
	cases := []struct {
		id, reply, errType, err string
	}{
		{"simple_java_0", "[" + jcall + "(controller=mapController, parent=mapArea)]", "", ""},
		{"simple_java_0", jcall + `(controller="mapController", parent="mapArea");`, "", ""},
		// "any" converts to str, which upstream's string_checker judges.
		{"simple_java_0", jcall + "(controller=mapController, parent=otherArea)", "value_error:string",
			"Invalid value for parameter 'parent': 'otherArea'. Expected one of ['mapArea']. Case insensitive."},
		// A bare identifier is kept under None, which no doc names.
		{"simple_java_0", jcall + "(controller=mapController, parent=mapArea, extra)", "simple_function_checker:unexpected_param",
			"Unexpected parameter: None."},
		{"simple_java_0", jcall + "(mapController, parent=mapArea)", "simple_function_checker:missing_required",
			"Missing required parameter: 'controller'."},
		{"simple_java_0", "[x]", "ast_decoder:decoder_failed", "Invalid syntax. Failed to decode AST. Error parsing java the source code."},
		{"simple_java_0", jcall + "(controller=a, controller=b)", "ast_decoder:decoder_failed",
			"Invalid syntax. Failed to decode AST. Error: Multiple arguments with the same name are not supported."},
		// No method invocation: upstream's parser returns {}, not a list.
		{"simple_java_0", "mapController;", "ast_decoder:decoder_wrong_output_format",
			"Did not output in the specified format. Note: the model_result is wrapped in a string to ensure json serializability."},
		{"simple_javascript_0", "validateUserInput(inputField='userInputField', isComplete=true)", "", ""},
		{"simple_javascript_0", "[validateUserInput(inputField=userInputField, isComplete=True)]", "type_error:simple",
			"Incorrect type for parameter 'isComplete'. Expected type Boolean, got str. Parameter value: 'True'."},
		// Two calls make one sequence expression, which upstream skips: None.
		{"simple_javascript_0", "[validateUserInput(inputField='userInputField', isComplete=true), f()]", "ast_decoder:decoder_wrong_output_format",
			"Did not output in the specified format. Note: the model_result is wrapped in a string to ensure json serializability."},
		{"simple_javascript_0", "validateUserInput(inputField='userInputField' isComplete=true)", "ast_decoder:decoder_failed",
			"Invalid syntax. Failed to decode AST. Error js parsing the source code."},
	}
	for _, c := range cases {
		e, err := st.Entry(c.id)
		if err != nil {
			t.Fatal(err)
		}
		v, err := EvaluateAST(c.reply, false, e.Functions, e.PossibleAnswer, e.Category, c.id, false)
		if err != nil {
			t.Fatalf("%s %q: %v", c.id, c.reply, err)
		}
		if c.errType == "" {
			if !v.Valid {
				t.Errorf("%s %q: invalid: %v %v", c.id, c.reply, v.ErrorType, py.Repr(v.Error))
			}
			continue
		}
		if v.Valid || py.StrOf(v.ErrorType) != c.errType || py.Repr(v.Error) != py.Repr(py.NewList(py.Str(c.err))) {
			t.Errorf("%s %q:\n got %v %v %s\nwant %s [%q]", c.id, c.reply, v.Valid, v.ErrorType, py.Repr(v.Error), c.errType, c.err)
		}
	}
}

// FuzzDecodeCalls: the Java and JavaScript decoders return a list of one
// call, {} (Java) or None (JavaScript), or a Python exception, on any
// reply.
func FuzzDecodeCalls(f *testing.F) {
	for _, c := range javaDecodeCases {
		f.Add(c.reply)
	}
	for _, c := range jsDecodeCases {
		f.Add(c.reply)
	}
	f.Fuzz(func(t *testing.T, reply string) {
		for _, format := range []string{ReturnJava, ReturnJavaScript} {
			v, err := DecodeASTFormat(reply, format, false)
			var pe *py.Exception
			switch {
			case err != nil:
				if !errors.As(err, &pe) {
					t.Fatalf("%s %q: error %v is not a Python exception", format, reply, err)
				}
			case format == ReturnJava && py.Repr(v) == "{}", format == ReturnJavaScript && v == py.None:
			default:
				if l, ok := v.(*py.List); !ok || len(l.Items) != 1 || !IsFunctionCallingFormat(l) {
					t.Fatalf("%s %q: decoded to %s", format, reply, py.Repr(v))
				}
			}
		}
	})
}
