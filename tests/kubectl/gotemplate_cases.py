"""Go templates run by the REAL kubectl 1.32 over one object, for ``test_gotemplate_kubectl.py``.

Each case is ``(name, template, allow_missing_template_keys)``; ``capture_gotemplate.py`` runs

    kubectl label --local -f golden_gotemplate/object.yaml x=y -o go-template=TEMPLATE \\
        [--allow-missing-template-keys=false]

(``label --local`` prints without a server) and stores stdout, stderr and the exit code in
``golden_gotemplate/engine.json``. The object kubectl prints is the fixture with the label added.
"""

from __future__ import annotations

T = True
F = False

CASES = [
    # text, actions, trimming, comments
    ("plain text prints as it is", "just text\n", T),
    ("a field prints its value", "{{.kind}} {{.metadata.name}}", T),
    ("trim markers eat the white space beside them", "a  {{- .kind -}}  b\n {{- \" c\" }}", T),
    ("a comment prints nothing", "x{{/* a comment */}}y{{- /* trimmed */ -}} z", T),
    ("a dash without a space is a negative number", "{{-3}}", T),
    # numbers and printing rules
    ("integers print as int64 and floats as Go prints a float64",
     "{{.spec.big}} {{.spec.huge}} {{.spec.small}} {{.spec.half}} {{.spec.whole}} {{.spec.num}} {{.spec.neg}}", T),
    ("printf %T shows the Go types kubectl's decoder produced",
     '{{printf "%T %T %T %T %T %T %T %T" .spec.num .spec.half .spec.s .spec.b .spec.m .spec.l .spec.z 1}}', T),
    ("maps and lists print as fmt prints them", "{{.spec.m}} {{.spec.l}} {{.spec.em}} {{.spec.el}}", T),
    ("a null prints no value and a missing key no value", "{{.spec.z}} {{.spec.nope}} {{.nope.deeper}}", T),
    ("print of nil and missing is <nil>", "{{print .spec.z}} {{print .spec.nope}} {{print nil}}", T),
    ("print puts spaces only between non-strings", '{{print 1 2 "a" "b" 3 .spec.b}}', T),
    ("println always separates", '{{println 1 "a" .spec.half}}', T),
    # printf
    ("printf verbs on strings", '{{printf "%s|%q|%v|%x|%X|%10s|%-6s|%.3s|" .spec.s .spec.s .spec.s .kind .kind .kind .kind .kind}}', T),
    ("printf verbs on integers", '{{printf "%d|%5d|%-5d|%05d|%x|%o|%b|%c|%q|%U|%+d" .spec.num .spec.num .spec.num .spec.num 255 8 5 65 65 65 .spec.num}}', T),
    ("printf verbs on floats", '{{printf "%f|%.2f|%8.3f|%e|%g|%G|%v|%.3g" .spec.half .spec.half .spec.neg .spec.big .spec.small .spec.huge .spec.half 3.14159}}', T),
    ("printf on maps and lists applies the verb inside", '{{printf "%v|%d|%s" .spec.m .spec.nums .spec.l}}', T),
    ("printf complains in fmt's words", '{{printf "%d %s %z" .kind .spec.num}}|{{printf "%d" 1 2}}|{{printf "%!"}}|{{printf "%d" nil}}', T),
    ("printf %% and width from an argument", '{{printf "%%|%*d|%-*d|" 5 1 4 2}}', T),
    ("printf %t and bad verbs on bools", '{{printf "%t %v %d" .spec.b .spec.f .spec.b}}', T),
    # literals
    ("string literals with Go escapes", '{{"tab\\there\\u00e9\\x41\\101"}}|{{`raw \\n`}}|{{\'a\'}}|{{"\\""}}', T),
    ("number literals", "{{1}} {{1.5}} {{0x1F}} {{0o17}} {{017}} {{1e3}} {{1_000}} {{-0.5}} {{0b101}} {{.5}}", T),
    ("booleans and nil", "{{true}} {{false}} {{not nil}}", T),
    # variables
    ("variables declare and assign", "{{$x := .kind}}{{$x}} {{$x = .metadata.name}}{{$x}} {{$}}", T),
    ("a variable's fields", "{{$s := .spec}}{{$s.m.c.d}} {{$.kind}}", T),
    ("variables are scoped to their block", "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}{{if true}}{{$x = 3}}{{end}}{{$x}}", T),
    # pipelines
    ("a pipeline passes its value as the last argument", '{{.kind | printf "%s!"}} {{.spec.nums | len}} {{"x" | print "a" | len}}', T),
    ("parenthesised pipelines and chains", "{{(index .spec.items 1).name}} {{(.spec.m).c.d}} {{len (index .spec.items 0)}}", T),
    # if / else
    ("if and else if and else", "{{if .spec.f}}a{{else if .spec.zero}}b{{else if .spec.empty}}c{{else if .spec.el}}d{{else if .spec.nope}}e{{else}}f{{end}}", T),
    ("if is true for non-empty values", "{{if .spec.num}}1{{end}}{{if .spec.s}}2{{end}}{{if .spec.m}}3{{end}}{{if .spec.l}}4{{end}}{{if .spec.b}}5{{end}}{{if .spec.half}}6{{end}}", T),
    ("if with a declaration", "{{if $n := .spec.num}}{{$n}}{{end}}", T),
    # with
    ("with sets dot and else runs when empty", "{{with .spec.m.c}}{{.d}}{{end}} {{with .spec.nope}}x{{else}}none{{end}}", T),
    ("else with", "{{with .spec.nope}}a{{else with .spec.m}}{{.a}}{{else}}c{{end}}", T),
    # range
    ("range over a list", "{{range .spec.items}}{{.name}},{{end}}", T),
    ("range with index and element", "{{range $i, $e := .spec.items}}{{$i}}={{$e.name}};{{end}}", T),
    ("range over a map visits keys in order", "{{range $k, $v := .spec.m}}{{$k}}:{{$v}} {{end}}", T),
    ("range with one variable gets the element", "{{range $e := .spec.nums}}{{$e}}{{end}}", T),
    ("range else runs for empty and missing", "{{range .spec.el}}x{{else}}empty{{end}} {{range .spec.nope}}x{{else}}missing{{end}} {{range .spec.em}}x{{else}}nomap{{end}}", T),
    ("range break and continue", "{{range .spec.nums}}{{if eq . 1}}{{continue}}{{end}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}|{{range .spec.items}}{{.name}}{{break}}{{end}}", T),
    ("range over an integer", "{{range 3}}{{.}}{{end}} {{range $i := .spec.num}}{{$i}}{{end}}", T),
    ("range inside range with $", "{{range .spec.items}}{{$.kind}}/{{.name}} {{end}}", T),
    ("range over a list of nulls and scalars", "{{range .spec.l}}[{{.}}]{{end}}", T),
    # define / template / block
    ("define and template", '{{define "row"}}{{.name}}:{{.port}}{{end}}{{range .spec.items}}{{template "row" .}} {{end}}', T),
    ("block defines and runs", '{{block "b" .kind}}[{{.}}]{{end}}', T),
    ("template without a pipeline has no dot", '{{define "t"}}<{{.}}>{{end}}{{template "t"}}', T),
    # functions
    ("len of strings maps and lists", "{{len .spec.s}} {{len .spec.m}} {{len .spec.l}} {{len .spec.em}}", T),
    ("index into lists maps and strings", '{{index .spec.l 1}} {{index .spec.m "b"}} {{index .spec.m "c" "d"}} {{index .spec.s 0}} {{index .spec.m "nope"}} {{index .metadata.annotations "note"}}', T),
    ("slice of strings and lists", "{{slice .kind 1 3}} {{slice .spec.nums 1}} {{slice .spec.nums}} {{slice .kind 2}}", T),
    ("and or not", "{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" .spec.s}} {{or 0 false}} {{not .spec.b}} {{not .spec.nope}} {{and .spec.nope 1}}", T),
    ("eq compares like kinds and any of several", '{{eq .kind "Widget"}} {{eq .spec.num 3}} {{eq .spec.num 1 2 3}} {{eq .spec.half 2.5}} {{eq .spec.nope "x"}} {{eq .spec.nope nil}} {{eq .spec.z nil}}', T),
    ("ne lt le gt ge", '{{ne .kind "x"}} {{lt 1 2}} {{le 2 2}} {{gt .spec.num 2}} {{ge .spec.half 3.0}} {{lt "a" "b"}}', T),
    ("html js and urlquery escape", '{{html .metadata.annotations.note}}|{{js .metadata.annotations.note}}|{{urlquery "a b&c=d/é"}}|{{html 1 2}}', T),
    ("base64decode decodes a secret's data", "{{.spec.secret | base64decode}} {{base64decode .spec.secret}}", T),
    ("exists checks a path without failing", '{{exists . "spec" "m" "a"}} {{exists . "spec" "nope"}} {{exists .spec.l 3}} {{exists .spec.l 9}} {{exists .spec "z"}} {{exists .spec.items 0 "name"}}', T),
    # kubernetes.io idioms
    ("the kubernetes.io range idiom", '{{range .spec.items}}{{.name}}{{"\\n"}}{{end}}', T),
    ("a conditional column", '{{range .spec.items}}{{.name}}{{"\\t"}}{{if .ready}}ready{{else}}not-ready{{end}}{{"\\n"}}{{end}}', T),
    # execution errors
    ("a field of null is a nil pointer error", "before {{.spec.z.x}} after", T),
    ("a field of a string cannot be evaluated", "{{.spec.s.x}}", T),
    ("a field of a number cannot be evaluated", "{{.spec.num.x}}", T),
    ("a missing key is an error when missing keys are not allowed", "{{.kind}} {{.spec.nope}}", F),
    ("a field of a missing key is an error too", "{{.nope.deeper}}", F),
    ("a missing key inside range is an error when not allowed", "{{range .spec.items}}{{.ready}} {{end}}", F),
    ("len of a missing value", "{{len .spec.nope}}", T),
    ("len of null", "{{len .spec.z}}", T),
    ("len of a number", "{{len .spec.num}}", T),
    ("index out of range", "{{index .spec.nums 5}}", T),
    ("index of a map with a number", "{{index .spec.m 1}}", T),
    ("index of a number", "{{index .spec.num 1}}", T),
    ("index of a missing value", "{{index .spec.nope 1}}", T),
    ("index with a missing index", "{{index .spec.nums .spec.nope}}", T),
    ("slice out of range", "{{slice .spec.nums 2 1}}", T),
    ("eq of an int and a float is incompatible", "{{eq .spec.num 3.0}}", T),
    ("eq of a string and a number is incompatible", "{{eq .kind 1}}", T),
    ("lt of a bool is invalid", "{{lt .spec.b true}}", T),
    ("lt of a missing value is invalid", "{{lt .spec.nope 1}}", T),
    ("eq without a second argument", "{{eq 1}}", T),
    ("wrong number of arguments", "{{len 1 2}}", T),
    ("printf needs a format", "{{printf}}", T),
    ("base64decode of a number", "{{base64decode .spec.num}}", T),
    ("base64decode of a missing key", "{{base64decode .spec.nope}}", T),
    ("base64decode of null", "{{base64decode .spec.z}}", T),
    ("base64decode of bad data", "{{base64decode .spec.badsecret}}", T),
    ("base64decode of a number literal", "{{base64decode 3}}", T),
    ("an argument to a field that is no method", '{{.kind "x"}}', T),
    ("an argument to a non-function", '{{. "x"}}', T),
    ("nil is not a command", "{{nil}}", T),
    ("a template that is not defined", '{{template "nope"}}', T),
    ("range over a string", "{{range .kind}}{{end}}", T),
    ("range over a float", "{{range .spec.half}}{{end}}", T),
    ("call of a non-function", "{{call .kind}}", T),
    ("a long command is cut in the error", '{{printf "%s" (index .spec.items 7 "name")}}', T),
    ("an error on a later line gives its line and column", "line one\n  {{.kind}}\n    {{.spec.z.y}}", T),
    ("an error inside a defined template names it", '{{define "t"}}{{.x.y}}{{end}}{{template "t" .spec}}', T),
    # parse errors
    ("an unclosed action", "{{.x", T),
    ("an unknown function", '{{upper "a"}}', T),
    ("an unexpected end", "{{end}}", T),
    ("an unclosed if", "{{if .kind}}x", T),
    ("an undefined variable", "{{$x}}", T),
    ("an unterminated string", '{{"abc}}', T),
    ("an unclosed comment", "{{/* abc}}", T),
    ("a bad character", "{{.kind#}}", T),
    ("a bad number", "{{3x}}", T),
    ("an empty pipeline", "{{}}", T),
    ("an empty parenthesis", "{{()}}", T),
    ("an unexpected right paren", "{{.kind)}}", T),
    ("an unclosed left paren", "{{(.kind}}", T),
    ("a non-executable command in a pipeline", "{{.kind | 3}}", T),
    ("break outside range", "{{break}}", T),
    ("else after else", "{{if 1}}a{{else}}b{{else}}c{{end}}", T),
    ("a field after a literal", '{{"x".y}}', T),
    ("too many declarations", "{{$a, $b := 1}}", T),
    ("range with three variables", "{{range $a, $b, $c := .spec.l}}{{end}}", T),
    ("an error on a second line", "a\n{{.kind\n}}", T),
    ("a template name that is not a string", "{{template .kind}}", T),
    ("a define without end", '{{define "x"}}abc', T),
    ("a lone colon", "{{$x : 1}}", T),
    ("an unrecognized character", "{{.kind ☃}}", T),
]

CASES += [
    ("a template defined twice", '{{define "t"}}a{{end}}{{define "t"}}b{{end}}{{template "t"}}', T),
    ("a block then a define of the same name", '{{block "b" .}}x{{end}}{{define "b"}}y{{end}}', T),
    ("an empty define does not replace a block", '{{block "b" .kind}}[{{.}}]{{end}}{{define "b"}}{{end}}', T),
    ("range over a map with one variable gets its values", "{{range $v := .spec.m}}{{$v}};{{end}}", T),
    ("with declares a variable", "{{with $c := .spec.m.c}}{{$c.d}}{{.d}}{{end}}", T),
    ("a template called from a template passes dot", '{{define "a"}}<{{template "b" .name}}>{{end}}{{define "b"}}{{.}}{{end}}{{range .spec.items}}{{template "a" .}}{{end}}', T),
    ("$ inside a defined template is its own dot", '{{define "t"}}{{$.name}}{{end}}{{template "t" index .spec.items 0}}', T),
    ("trim markers reach across newlines", "a\n\n  {{- .kind -}}\n\n  b\n{{- /* c */ -}}\n  d", T),
    ("printf of nested values and nils", '{{printf "%v %d %s" .spec.l .spec.l .spec.l}}', T),
    ("index through lists of maps", '{{index .spec.items 1 "port"}} {{index .spec "items" 2 "name"}}', T),
    ("js escapes control characters and unicode", '{{js "a\\tb\\u2028c=é"}}', T),
    ("urlquery and html of several arguments", '{{urlquery "a" 1 "b c"}}|{{html "<" 2 .spec.b}}', T),
    ("slice with three indexes", "{{slice .spec.nums 0 1 2}}", T),
    ("a variable shadowed inside range", "{{$x := .kind}}{{range .spec.nums}}{{$x := .}}{{$x}}{{end}}{{$x}}", T),
    ("not of a missing key and of null", "{{not .spec.nope}} {{not .spec.z}} {{not .spec.el}}", T),
    ("an error column counts bytes", "héllo wörld {{.spec.z.x}}", T),
    ("an error inside range names the field", "{{range .spec.l}}{{.k}}{{end}}", T),
    ("a number too large for int", "{{99999999999999999999}}", T),
    ("a huge unsigned number", "{{18446744073709551615}}", T),
    ("printf of a huge float and negative zero", '{{printf "%v %v %.0f" .spec.huge -0.0 2.5}}', T),
    ("eq of lists is an error", "{{eq .spec.l .spec.l}}", T),
    ("printf %x of a negative number and %08.3f", '{{printf "%x|%08.3f|%+.1e|%6.2f%%" -255 3.14159 12345.678 50.0}}', T),
    ("index of a string gives a byte", '{{index "abc" 1}} {{printf "%c" (index "abc" 1)}}', T),
    ("len of a multi-byte string counts bytes", '{{len "é"}} {{slice "héllo" 0 3}}', T),
    ("a pipeline into a field is an error", '{{"x" | .kind}}', T),
    ("an undefined function name in a pipeline", "{{.kind | lower}}", T),
    ("a dot followed by a field in a chain", "{{(.spec).num}} {{$.spec.num}}", T),
    ("range over nil in a list element", "{{range .spec.l}}{{range .}}-{{end}}{{end}}", T),
    ("break in a nested if leaves the range", "{{range .spec.nums}}{{.}}{{if gt . 2}}{{else}}{{break}}{{end}}{{end}}", T),
    ("continue skips the rest of an iteration", "{{range $i, $v := .spec.nums}}{{if eq $i 1}}{{continue}}{{end}}[{{$v}}]{{end}}", T),
    ("a missing key in if is false even when not allowed", "{{if .spec.nope}}y{{else}}n{{end}}", F),
    ("exists never fails when keys are not allowed", '{{exists . "nope" "deeper"}}', F),
    ("index of a missing map key when keys are not allowed", '{{index .spec.m "nope"}}', F),
]

CASES += [
    ("printf %#v prints Go syntax", '{{printf "%#v|%#v|%#v|%#v|%#v|%#v" .spec.s .spec.num .spec.half .spec.b .spec.l .spec.m}}', T),
    ("printf %#v of null and large floats", '{{printf "%#v" .spec.z}}|{{printf "%#v" .spec.whole}}|{{printf "%#v %#v" 1e21 .spec.huge}}', T),
    ("base64decode of an unpadded string", '{{base64decode "Widget"}}', T),
    ("base64decode with too little padding", '{{base64decode "YQ="}}', T),
    ("base64decode with data after the padding", '{{base64decode "YQ==YQ=="}}', T),
    ("base64decode of one character", '{{base64decode "Y"}}', T),
    ("base64decode skips newlines", '{{base64decode "YWJj\\nZA=="}}', T),
    ("base64decode of leading padding", '{{base64decode "=YQ"}}', T),
    ("base64decode of a bad padding", '{{base64decode "YQ=x"}}', T),
    ("slice with an index from the object", "{{slice .spec.nums .spec.num}}", T),
    ("a missing value piped into not", "{{.spec.nope | not}} {{(and .spec.nope) | print}}", T),
    ("html and js print nil as no value", "{{html .spec.nope}}|{{js 1 .spec.z}}|{{urlquery nil}}", T),
]

CASES += [
    ("printf %+v is not a sign", '{{printf "%+v|%+d|%+v" .spec.m .spec.num .spec.l}}', T),
    ("a bad verb keeps the width", '{{printf "%5.1f|%-4s|%#d" .spec.l .spec.num .kind}}', T),
    ("an error message ending in a newline gets no other", "{{range println 1}}{{end}}", T),
]

CASES += [
    ("printf %x and %b of floats", '{{printf "%x|%X|%.2x|%b|% 4x" 2.5 .spec.small .spec.small 2.5 .spec.neg}}', T),
    ("printf # of floats keeps a point and zeros", '{{printf "%#g|%-#8G|%#.0f|%#.3g|%#v" .spec.huge .spec.neg 2.5 2.5 .spec.half}}', T),
    ("printf pads integers with spaces when a precision is given", '{{printf "%0 8.2v|%#08x|%#b|%#o|%O" 120 255 5 8 8}}', T),
    ("printf %T with a width and a precision", '{{printf "%9.2T|%.3T|%05.3T" (index .spec.s 1) 1 nil}}', T),
    ("printf %q of runes and %U", '{{printf "%q|%+q|%U|%#U|%#.2U" 65 (index .spec.s 1) 0x1F600 0x1F600 .spec.big}}', T),
    ("printf %#v of an integer takes its flags", '{{printf "%# .2v|%#v" 1 .spec.b}}', T),
    ("printf bad verbs take the width", '{{printf "%7.1c|%+.4d|%.2q" 2.5 .spec.small .spec.huge}}', T),
]

CASES += [
    ("exists with no indices is true even of nil", "{{exists .spec.nope}} {{exists .spec.z}} {{exists .spec.z 0}}", T),
]

CASES += [
    ("an error on a later line of an action names where it started", "a\n{{- \n'#x", T),
    ("an unclosed action over several lines", "a\n{{ .kind\n", T),
]

CASES += [
    ("a character constant of two characters", "{{'ab'}}", T),
    ("character constants with escapes", "{{'\\n'}} {{'\\x41'}} {{'\\u00e9'}} {{'\\101'}} {{'é'}}", T),
    ("an empty character constant", "{{''}}", T),
]
